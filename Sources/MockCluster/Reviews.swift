import Foundation
import JSON
import YAML

/// Who the mock's bearer tokens belong to and what they may do: the tables behind TokenReview
/// (authentication.k8s.io/v1) and SubjectAccessReview (authorization.k8s.io/v1). Set with
/// `PUT /mock/v1/auth` or `hms-mock-cluster --auth FILE`; both take the same document:
///
///     {"tokens": [{"token": "t-1", "user": "alice", "groups": ["ops"]}],
///      "roles":  [{"user": "alice", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]}]}
///
/// A role is one RBAC rule bound to one subject (`user` or `group`), in every namespace unless it
/// names `namespaces`; `"*"` matches anything, as in RBAC. Without `--authorize` the mock does not check tokens:
/// these tables only answer reviews, as an apiserver does for a webhook or a controller asking.
public struct AccessTables: Sendable, Equatable {
    public struct Identity: Sendable, Equatable {
        public var user: String
        public var uid: String
        public var groups: [String]
    }

    public struct Role: Sendable, Equatable {
        public enum Subject: Sendable, Equatable {
            case user(String), group(String)
        }

        public var subject: Subject
        public var verbs: [String]
        public var apiGroups: [String]
        public var resources: [String]
        /// nil: every namespace and cluster-scoped requests (a ClusterRoleBinding); otherwise these
        /// namespaces only (RoleBindings).
        public var namespaces: [String]?
    }

    var tokens: [String: Identity] = [:]
    var roles: [Role] = []

    public init() {}

    /// A problem in the document, named by its JSON path: `roles[1].verbs: expected an array of strings`.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        /// Keys and indices from the document's root to the value at fault.
        public var location: [PathStep]
        public var message: String

        public typealias PathStep = FieldPath.Component

        init(_ location: [PathStep], _ message: String) {
            self.location = location
            self.message = message
        }

        public var path: String {
            guard !location.isEmpty else { return "(document)" }
            return location.enumerated().map { offset, step in
                switch step {
                case .key(let key): offset == 0 ? key : "." + key
                case .index(let index): "[\(index)]"
                }
            }.joined()
        }

        public var description: String { "\(path): \(message)" }
    }

    public init(parsing document: JSONValue) throws(Problem) {
        typealias Step = Problem.PathStep
        guard let members = document.objectValue else { throw Problem([], "expected an object with tokens and roles") }
        for key in members.keys.sorted() where key != "tokens" && key != "roles" {
            throw Problem([.key(key)], "unknown field: tokens, roles")
        }
        for (index, entry) in try Self.array(document["tokens"], [.key("tokens")]).enumerated() {
            let at: [Step] = [.key("tokens"), .index(index)]
            try Self.onlyKeys(entry, ["token", "user", "uid", "groups"], at)
            let token = try Self.string(entry["token"], at + [.key("token")])
            guard tokens[token] == nil else { throw Problem(at + [.key("token")], "the same token is listed twice") }
            let user = try Self.string(entry["user"], at + [.key("user")])
            let uid = entry["uid"] == nil ? "mock-uid-\(user)" : try Self.string(entry["uid"], at + [.key("uid")])
            tokens[token] = Identity(user: user, uid: uid, groups: try Self.strings(entry["groups"], at + [.key("groups")], required: false))
        }
        for (index, entry) in try Self.array(document["roles"], [.key("roles")]).enumerated() {
            let at: [Step] = [.key("roles"), .index(index)]
            try Self.onlyKeys(entry, ["user", "group", "verbs", "apiGroups", "resources", "namespaces"], at)
            let subject: Role.Subject
            switch (entry["user"], entry["group"]) {
            case (let user?, nil): subject = .user(try Self.string(user, at + [.key("user")]))
            case (nil, let group?): subject = .group(try Self.string(group, at + [.key("group")]))
            default: throw Problem(at, "name exactly one subject: user or group")
            }
            roles.append(Role(
                subject: subject,
                verbs: try Self.strings(entry["verbs"], at + [.key("verbs")], required: true),
                apiGroups: try Self.strings(entry["apiGroups"], at + [.key("apiGroups")], required: true, allowEmptyStrings: true),
                resources: try Self.strings(entry["resources"], at + [.key("resources")], required: true),
                namespaces: entry["namespaces"] == nil ? nil : try Self.strings(entry["namespaces"], at + [.key("namespaces")], required: true)))
        }
    }

    /// `--auth FILE`: the same document in JSON or YAML. Problems name the file, line and column.
    public init(file path: String, bytes: [UInt8]) throws(FileProblem) {
        let root: YAMLDocument
        do {
            guard let first = try YAMLParser().documents(bytes).first else { throw FileProblem("\(path): error: the file is empty") }
            root = first
        } catch let error as YAMLError {
            throw FileProblem("\(path):\(error.mark.map { "\($0):" } ?? "") error: \(error.message)")
        } catch let error as FileProblem {
            throw error
        } catch {
            throw FileProblem("\(path): error: \(error)")
        }
        do {
            self = try AccessTables(parsing: root.jsonValue)
        } catch {
            let mark = root.mark(at: FieldPath(error.location))
            throw FileProblem("\(path):\(mark.line):\(mark.column): error: \(error.description)")
        }
    }

    public struct FileProblem: Error, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// What `GET /mock/v1/auth` shows: users and roles, never the tokens themselves.
    var summary: JSONValue {
        let users = tokens.values.sorted { $0.user < $1.user }.map { identity -> JSONValue in
            ["user": .string(identity.user), "uid": .string(identity.uid), "groups": .array(identity.groups.map(JSONValue.string))]
        }
        return ["tokens": .array(users), "roles": .array(roles.map(\.json))]
    }

    // MARK: - Reviews

    func identity(forToken token: String) -> Identity? { tokens[token] }

    /// The first role that allows the request, if any. Groups are the reviewed subject's, as the
    /// caller states them (a SubjectAccessReview names user and groups; the server trusts them).
    func allowingRole(user: String, groups: [String], verb: String, apiGroup: String, resource: String, namespace: String?) -> Int? {
        roles.firstIndex { role in
            let subjectMatches =
                switch role.subject {
                case .user(let name): name == user
                case .group(let name): groups.contains(name)
                }
            guard subjectMatches, Self.matches(role.verbs, verb), Self.matches(role.apiGroups, apiGroup), Self.matches(role.resources, resource)
            else { return false }
            guard let namespaces = role.namespaces else { return true }
            // A namespaced grant says nothing about a request for every namespace.
            guard let namespace, !namespace.isEmpty else { return false }
            return Self.matches(namespaces, namespace)
        }
    }

    static func matches(_ allowed: [String], _ value: String) -> Bool { allowed.contains("*") || allowed.contains(value) }

    // MARK: - Reading the document

    private static func array(_ value: JSONValue?, _ at: [Problem.PathStep]) throws(Problem) -> [JSONValue] {
        guard let value else { return [] }
        guard let items = value.arrayValue else { throw Problem(at, "expected an array") }
        return items
    }

    private static func onlyKeys(_ entry: JSONValue, _ allowed: [String], _ at: [Problem.PathStep]) throws(Problem) {
        guard let members = entry.objectValue else { throw Problem(at, "expected an object") }
        for key in members.keys.sorted() where !allowed.contains(key) {
            throw Problem(at + [.key(key)], "unknown field: \(allowed.joined(separator: ", "))")
        }
    }

    private static func string(_ value: JSONValue?, _ at: [Problem.PathStep]) throws(Problem) -> String {
        guard let text = value?.stringValue, !text.isEmpty else { throw Problem(at, "expected a non-empty string") }
        return text
    }

    /// `allowEmptyStrings`: `""` is the core API group.
    private static func strings(_ value: JSONValue?, _ at: [Problem.PathStep], required: Bool, allowEmptyStrings: Bool = false) throws(Problem) -> [String] {
        guard let value else {
            if required { throw Problem(at, "required: an array of strings") }
            return []
        }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue.map { allowEmptyStrings || !$0.isEmpty } ?? false }) else {
            throw Problem(at, "expected an array of \(allowEmptyStrings ? "" : "non-empty ")strings")
        }
        let strings = items.compactMap(\.stringValue)
        if required, strings.isEmpty { throw Problem(at, "must name at least one (\"*\" for any)") }
        return strings
    }
}

extension AccessTables.Role {
    var json: JSONValue {
        var json: JSONValue = [
            "verbs": .array(verbs.map(JSONValue.string)), "apiGroups": .array(apiGroups.map(JSONValue.string)),
            "resources": .array(resources.map(JSONValue.string)),
        ]
        switch subject {
        case .user(let name): json["user"] = .string(name)
        case .group(let name): json["group"] = .string(name)
        }
        if let namespaces { json["namespaces"] = .array(namespaces.map(JSONValue.string)) }
        return json
    }

    var description: String {
        let who =
            switch subject {
            case .user(let name): "user \(name)"
            case .group(let name): "group \(name)"
            }
        let scope = namespaces.map { "in namespaces \($0.joined(separator: ","))" } ?? "in every namespace"
        return "\(who) may \(verbs.joined(separator: ",")) \(resources.joined(separator: ",")) of API groups \(apiGroups.map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: ",")) \(scope)"
    }
}

/// POST of a TokenReview or a SubjectAccessReview: nothing is stored; the answer is the review with
/// its status filled in (201, as the apiserver answers a create).
extension MockCluster {
    static let authenticatedGroup = "system:authenticated"

    func review(group: String, version: String, _ rest: [String], _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let reviews = [BuiltInTypes.tokenReviews, BuiltInTypes.subjectAccessReviews, AccessTypes.selfSubjectAccessReviews, AccessTypes.selfSubjectReviews]
        let local = LocalAccessReviews.namespace(of: rest)
        let type: ResourceType
        if local != nil, group == LocalAccessReviews.type.group, version == LocalAccessReviews.type.version {
            type = LocalAccessReviews.type
        } else if let named = reviews.first(where: { $0.group == group && $0.version == version && [$0.plural] == rest }) {
            type = named
        } else {
            throw .notFoundPath
        }
        guard request.method == "POST" else { throw .methodNotAllowed(request.method) }
        var review = try decodeBody(request, type: type)
        guard review["kind"]?.stringValue == type.kind, review["apiVersion"]?.stringValue == type.apiVersion else {
            throw .badRequest("the body must be a \(type.kind) of \(type.apiVersion)")
        }
        if let local { review = try LocalAccessReviews.checked(review, namespace: local) }
        review["status"] = try reviewStatus(type, review, request, now: now)
        if review["metadata"] == nil { review["metadata"] = ["creationTimestamp": .null] }
        return .json(review, status: 201)
    }

    private func reviewStatus(_ type: ResourceType, _ review: JSONValue, _ request: APIRequest, now: Date) throws(APIError) -> JSONValue {
        // The self reviews are about the request's own user (the anonymous one when the mock is open).
        let requester = user(of: request, now: now) ?? Self.anonymous
        switch type.kind {
        case "TokenReview": return try tokenReviewStatus(review, now: now)
        case "SelfSubjectReview": return ["userInfo": requester.json]
        case "SelfSubjectAccessReview": return try accessDecision(for: requester, review, type)
        default:
            guard settings.authorize else { return try accessReviewStatus(review) }
            let user = review[path: ["spec", "user"]]?.stringValue ?? ""
            let groups = (review[path: ["spec", "groups"]]?.arrayValue ?? []).compactMap(\.stringValue)
            if user.isEmpty, groups.isEmpty {
                throw .invalid(type, "", field: "spec.user", "at least one of user or group must be specified")
            }
            let uid = review[path: ["spec", "uid"]]?.stringValue ?? ""
            return try accessDecision(for: UserInfo(name: user, uid: uid, groups: groups), review, type)
        }
    }

    /// A (Self)SubjectAccessReview answered by the authorizer requests meet: RBAC under
    /// `--authorize`, everything allowed when the mock is open.
    private func accessDecision(for user: UserInfo, _ review: JSONValue, _ type: ResourceType) throws(APIError) -> JSONValue {
        let resource = review[path: ["spec", "resourceAttributes"]]
        let nonResource = review[path: ["spec", "nonResourceAttributes"]]
        guard (resource == nil) != (nonResource == nil) else {
            throw .invalid(type, "", field: "spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        guard let authorizer = authorizer() else { return ["allowed": true] }
        let attributes: RequestAttributes
        if let resource {
            let text = { (key: String) in resource[key]?.stringValue ?? "" }
            attributes = RequestAttributes(verb: text("verb"), resource: RequestAttributes.Resource(
                group: text("group"), version: text("version"), resource: text("resource"), subresource: text("subresource"),
                namespace: text("namespace"), name: text("name")))
        } else {
            attributes = RequestAttributes(verb: nonResource?["verb"]?.stringValue ?? "", resource: nil, path: nonResource?["path"]?.stringValue ?? "")
        }
        let decision = authorizer.decide(user, attributes)
        var status: JSONValue = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        return status
    }

    private func tokenReviewStatus(_ review: JSONValue, now: Date) throws(APIError) -> JSONValue {
        guard let token = review[path: ["spec", "token"]]?.stringValue, !token.isEmpty else {
            throw .badRequest("token is required for TokenReview in authentication")
        }
        let audiences = review[path: ["spec", "audiences"]] ?? []
        guard let user = authenticate(token: token, now: now) else {
            return ["authenticated": false, "user": [:], "audiences": audiences, "error": "token is not known to the mock cluster"]
        }
        return ["authenticated": true, "audiences": audiences, "user": user.json]
    }

    private func accessReviewStatus(_ review: JSONValue) throws(APIError) -> JSONValue {
        let type = BuiltInTypes.subjectAccessReviews
        let user = review[path: ["spec", "user"]]?.stringValue ?? ""
        let groups = (review[path: ["spec", "groups"]]?.arrayValue ?? []).compactMap(\.stringValue)
        if user.isEmpty, groups.isEmpty {
            throw .invalid(type, "", field: "spec.user", "at least one of user or group must be specified")
        }
        let resource = review[path: ["spec", "resourceAttributes"]]
        let nonResource = review[path: ["spec", "nonResourceAttributes"]]
        guard (resource == nil) != (nonResource == nil) else {
            throw .invalid(type, "", field: "spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        // The role table grants resources only; a non-resource URL is never allowed.
        guard let resource else { return ["allowed": false, "reason": "the mock's role table grants no non-resource URLs"] }
        let verb = resource["verb"]?.stringValue ?? ""
        let apiGroup = resource["group"]?.stringValue ?? ""
        let plural = resource["resource"]?.stringValue ?? ""
        let namespace = resource["namespace"]?.stringValue
        let subject = user.isEmpty ? "groups \(groups.joined(separator: ","))" : "user \(user)"
        let what = "\(verb) \(plural)\(apiGroup.isEmpty ? "" : ".\(apiGroup)")\(namespace.map { $0.isEmpty ? "" : " in namespace \($0)" } ?? "")"
        if let index = access.allowingRole(user: user, groups: groups, verb: verb, apiGroup: apiGroup, resource: plural, namespace: namespace) {
            return ["allowed": true, "reason": .string("allowed by mock role \(index) (\(access.roles[index].description))")]
        }
        return ["allowed": false, "reason": .string("no mock role allows \(subject) to \(what)")]
    }
}
