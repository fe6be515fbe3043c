import Foundation
import JSON

/// A ServiceAccount token the mock minted through TokenRequest: valid until it expires or the
/// account it was made for (by uid) is gone.
struct MintedToken: Sendable {
    var namespace: String
    var name: String
    var accountUID: String
    var expires: Date
}

/// Who sent a request: a bearer token from the `--auth` table, the kubeconfig's admin token, or a
/// ServiceAccount token the mock minted. Requests without a known token are anonymous when the
/// mock is open and refused with 401 under `--authorize` (anonymous authentication is off).
extension MockCluster {
    /// The token of the kubeconfig `--kubeconfig-out` writes: an administrator in `system:masters`.
    public static let adminToken = "hms-mock-token"
    static let admin = UserInfo(name: "hms-mock-admin", uid: "mock-uid-hms-mock-admin", groups: ["system:masters", authenticatedGroup])
    static let anonymous = UserInfo(name: "system:anonymous", uid: "", groups: ["system:unauthenticated"])

    func authenticate(token: String, now: Date) -> UserInfo? {
        if let identity = access.identity(forToken: token) {
            let groups = identity.groups.contains(Self.authenticatedGroup) ? identity.groups : identity.groups + [Self.authenticatedGroup]
            return UserInfo(name: identity.user, uid: identity.uid, groups: groups)
        }
        if token == Self.adminToken { return Self.admin }
        guard let minted = serviceAccountTokens[token], minted.expires > now,
            let account = store.get(AccessTypes.serviceAccounts.id, ObjectKey(namespace: minted.namespace, name: minted.name)),
            account.value[path: ["metadata", "uid"]]?.stringValue == minted.accountUID
        else { return nil }
        return Self.serviceAccountUser(namespace: minted.namespace, name: minted.name, uid: minted.accountUID)
    }

    static func serviceAccountUser(namespace: String, name: String, uid: String = "") -> UserInfo {
        UserInfo(
            name: "system:serviceaccount:\(namespace):\(name)", uid: uid,
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", authenticatedGroup])
    }

    /// The request's user; nil when it carries a token nobody knows, or none under `--authorize`.
    func user(of request: APIRequest, now: Date) -> UserInfo? {
        guard let header = request.headers["authorization"] else { return settings.authorize ? nil : Self.anonymous }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return settings.authorize ? nil : Self.anonymous }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return authenticate(token: token, now: now) ?? (settings.authorize ? nil : Self.anonymous)
    }

    /// The authorizer the request and admission policies' `authorizer` see: RBAC under
    /// `--authorize`, everything allowed when the mock is open.
    func authorizer() -> ClusterAuthorizer? {
        settings.authorize ? ClusterAuthorizer(store: store, tables: access) : nil
    }

    /// Authentication, then authorization, before anything else is read: 401, or 403 with the
    /// apiserver's message.
    func checkAccess(_ request: APIRequest, now: Date) throws(APIError) {
        guard settings.authorize else { return }
        guard let user = user(of: request, now: now) else { throw .unauthorized }
        let attributes = RequestAttributes(request)
        guard let authorizer = authorizer() else { return }
        let decision = authorizer.decide(user, attributes)
        if !decision.allowed { throw .forbidden(attributes, user: user.name, reason: decision.reason) }
    }

    // MARK: - TokenRequest

    /// `POST .../serviceaccounts/{name}/token`: an opaque random token for the account, valid for
    /// `spec.expirationSeconds` (default an hour, at least ten minutes).
    mutating func requestToken(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        guard request.method == "POST" else { throw .methodNotAllowed(request.method) }
        let name = route.key.name
        let account = try existing(route, name)
        var body = try decodeBody(request, type: AccessTypes.tokenRequests)
        let seconds = body[path: ["spec", "expirationSeconds"]]?.intValue ?? 3600
        guard seconds >= 600 else {
            throw .invalid(AccessTypes.tokenRequests, name, field: "spec.expirationSeconds", "\(seconds): may not specify a duration less than 10 minutes")
        }
        guard seconds <= 1 << 32 else {
            throw .invalid(AccessTypes.tokenRequests, name, field: "spec.expirationSeconds", "\(seconds): may not specify a duration larger than 2^32 seconds")
        }
        serviceAccountTokens = serviceAccountTokens.filter { $0.value.expires > now }
        var token = "mock-sa."
        for _ in 0..<3 { token += String(random.next(), radix: 16) }
        let expires = now.addingTimeInterval(Double(seconds))
        serviceAccountTokens[token] = MintedToken(
            namespace: route.key.namespace, name: name, accountUID: account.value[path: ["metadata", "uid"]]?.stringValue ?? "", expires: expires)
        body["kind"] = "TokenRequest"
        body["apiVersion"] = "authentication.k8s.io/v1"
        body["metadata"] = ["name": .string(name), "namespace": .string(route.key.namespace), "creationTimestamp": .string(timestamp(now))]
        body[path: ["spec", "expirationSeconds"]] = .int(seconds)
        if (body[path: ["spec", "audiences"]]?.arrayValue ?? []).isEmpty {
            body[path: ["spec", "audiences"]] = ["https://kubernetes.default.svc.cluster.local"]
        }
        if body[path: ["spec", "boundObjectRef"]] == nil { body[path: ["spec", "boundObjectRef"]] = .null }
        body["status"] = ["token": .string(token), "expirationTimestamp": .string(timestamp(expires))]
        return .json(body, status: 201)
    }
}

extension APIError {
    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    /// The apiserver's 403: `deployments.apps "web" is forbidden: User "alice" cannot patch resource
    /// "deployments" in API group "apps" in the namespace "default"`, and RBAC's reason when it has one.
    static func forbidden(_ attributes: RequestAttributes, user: String, reason: String) -> APIError {
        var message: String
        var details: JSONValue = [:]
        if let resource = attributes.resource {
            message = "User \(goQuoted(user)) cannot \(attributes.verb) resource \(goQuoted(resource.combined)) in API group \(goQuoted(resource.group))"
            message += resource.namespace.isEmpty ? " at the cluster scope" : " in the namespace \(goQuoted(resource.namespace))"
            if !resource.name.isEmpty { details["name"] = .string(resource.name) }
            if !resource.group.isEmpty { details["group"] = .string(resource.group) }
            if !resource.resource.isEmpty { details["kind"] = .string(resource.resource) }
        } else {
            message = "User \(goQuoted(user)) cannot \(attributes.verb) path \(goQuoted(attributes.path))"
        }
        message = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        if !reason.isEmpty { message += ": \(reason)" }
        return APIError(code: 403, reason: "Forbidden", message: forbiddenPrefix(attributes) + message, details: details)
    }

    /// `deployments.apps "web" is forbidden: `, `pods is forbidden: `, or `forbidden: ` for a path.
    static func forbiddenPrefix(_ attributes: RequestAttributes) -> String {
        guard let resource = attributes.resource, !resource.resource.isEmpty else { return "forbidden: " }
        let qualified = resource.group.isEmpty ? resource.resource : "\(resource.resource).\(resource.group)"
        return resource.name.isEmpty ? "\(qualified) is forbidden: " : "\(qualified) \(goQuoted(resource.name)) is forbidden: "
    }
}
