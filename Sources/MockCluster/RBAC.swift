import JSON

/// Who is asking: a user name, uid and groups, as authentication found them.
struct UserInfo: Equatable, Sendable {
    var name: String
    var uid: String
    var groups: [String]

    var json: JSONValue {
        ["username": .string(name), "uid": .string(uid), "groups": .array(groups.map(JSONValue.string))]
    }
}

/// One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule).
struct PolicyRule: Equatable, Sendable {
    var verbs: [String] = []
    var apiGroups: [String] = []
    var resources: [String] = []
    var resourceNames: [String] = []
    var nonResourceURLs: [String] = []

    init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.nonResourceURLs = nonResourceURLs
    }

    init(json: JSONValue) {
        func strings(_ key: String) -> [String] { (json[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        verbs = strings("verbs")
        apiGroups = strings("apiGroups")
        resources = strings("resources")
        resourceNames = strings("resourceNames")
        nonResourceURLs = strings("nonResourceURLs")
    }

    /// RBAC's RuleAllows: verb, then group, resource (with `*/subresource`) and name, or the path.
    func allows(_ attributes: RequestAttributes) -> Bool {
        guard verbs.contains("*") || verbs.contains(attributes.verb) else { return false }
        guard let resource = attributes.resource else {
            return nonResourceURLs.contains { url in
                url == "*" || url == attributes.path || (url.hasSuffix("*") && attributes.path.hasPrefix(String(url.dropLast())))
            }
        }
        guard apiGroups.contains("*") || apiGroups.contains(resource.group) else { return false }
        let resourceMatches = resources.contains { rule in
            rule == "*" || rule == resource.combined || (!resource.subresource.isEmpty && rule == "*/" + resource.subresource)
        }
        return resourceMatches && (resourceNames.isEmpty || resourceNames.contains(resource.name))
    }
}

/// The answer of an authorizer: allowed or not, and the reason RBAC gives.
struct AuthorizationDecision: Equatable, Sendable {
    var allowed: Bool
    var reason: String
}

/// RBAC over the Roles, ClusterRoles and bindings stored in the cluster, after the apiserver's
/// privileged group (`system:masters` may do anything) and the bootstrap roles every cluster has
/// (discovery, health and the self reviews for every authenticated user; `cluster-admin`).
/// The `--auth` table's roles grant too, named in the reason. A snapshot: the store is a value.
struct ClusterAuthorizer: Sendable {
    let store: ObjectStore
    let tables: AccessTables

    func decide(_ user: UserInfo, _ attributes: RequestAttributes) -> AuthorizationDecision {
        if user.groups.contains("system:masters") { return AuthorizationDecision(allowed: true, reason: "") }
        for binding in BootstrapRBAC.bindings where binding.subjects.contains(where: { user.groups.contains($0) }) {
            if binding.rules.contains(where: { $0.allows(attributes) }) {
                let group = binding.subjects.first { user.groups.contains($0) } ?? ""
                return AuthorizationDecision(
                    allowed: true,
                    reason: "RBAC: allowed by ClusterRoleBinding \"\(binding.name)\" of ClusterRole \"\(binding.name)\" to Group \"\(group)\"")
            }
        }
        if let resource = attributes.resource, let index = tables.allowingRole(
            user: user.name, groups: user.groups, verb: attributes.verb, apiGroup: resource.group, resource: resource.combined,
            namespace: resource.namespace)
        {
            return AuthorizationDecision(allowed: true, reason: "allowed by mock role \(index) (\(tables.roles[index].description))")
        }
        return storedRBAC(user, attributes)
    }

    /// ClusterRoleBindings first, then the RoleBindings of the request's namespace, as RBAC visits them.
    private func storedRBAC(_ user: UserInfo, _ attributes: RequestAttributes) -> AuthorizationDecision {
        var errors: [String] = []
        let namespace = attributes.resource?.namespace ?? ""
        var bindings = store.list(AccessTypes.clusterRoleBindings.id, namespace: nil).map { ($0.value, "ClusterRoleBinding") }
        if !namespace.isEmpty {
            bindings += store.list(AccessTypes.roleBindings.id, namespace: namespace).map { ($0.value, "RoleBinding") }
        }
        for (binding, bindingKind) in bindings {
            let bindingNamespace = binding[path: ["metadata", "namespace"]]?.stringValue ?? ""
            guard let subject = Self.matchingSubject(binding, user, namespace: bindingNamespace) else { continue }
            let kind = binding[path: ["roleRef", "kind"]]?.stringValue ?? ""
            let roleName = binding[path: ["roleRef", "name"]]?.stringValue ?? ""
            guard let rules = rules(kind: kind, name: roleName, namespace: bindingNamespace) else {
                errors.append("\(kind.lowercased()).rbac.authorization.k8s.io \"\(roleName)\" not found")
                continue
            }
            if rules.contains(where: { $0.allows(attributes) }) {
                let name = binding[path: ["metadata", "name"]]?.stringValue ?? ""
                let shownName = bindingKind == "RoleBinding" ? "\(name)/\(bindingNamespace)" : name
                return AuthorizationDecision(
                    allowed: true,
                    reason: "RBAC: allowed by \(bindingKind) \"\(shownName)\" of \(kind) \"\(roleName)\" to \(Self.describe(subject, bindingNamespace))")
            }
        }
        let reason = switch errors.count {
        case 0: ""
        case 1: "RBAC: \(errors[0])"
        default: "RBAC: [\(errors.joined(separator: ", "))]"
        }
        return AuthorizationDecision(allowed: false, reason: reason)
    }

    /// The rules of a bound role, nil when it does not exist.
    func rules(kind: String, name: String, namespace: String) -> [PolicyRule]? {
        let role: StoredObject? =
            switch kind {
            case "ClusterRole": store.get(AccessTypes.clusterRoles.id, ObjectKey(namespace: "", name: name))
            case "Role": store.get(AccessTypes.roles.id, ObjectKey(namespace: namespace, name: name))
            default: nil
            }
        guard let role else { return kind == "ClusterRole" ? BootstrapRBAC.clusterRoles[name] : nil }
        return (role.value["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:))
    }

    /// The first subject of a binding that names the user: by name, by group, or as a service
    /// account (a RoleBinding's subject without a namespace means the binding's own).
    static func matchingSubject(_ binding: JSONValue, _ user: UserInfo, namespace: String) -> JSONValue? {
        (binding["subjects"]?.arrayValue ?? []).first { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "User": return user.name == name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                let accountNamespace = subject["namespace"]?.stringValue ?? namespace
                return !accountNamespace.isEmpty && user.name == "system:serviceaccount:\(accountNamespace):\(name)"
            default: return false
            }
        }
    }

    private static func describe(_ subject: JSONValue, _ bindingNamespace: String) -> String {
        let kind = subject["kind"]?.stringValue ?? ""
        let name = subject["name"]?.stringValue ?? ""
        guard kind == "ServiceAccount" else { return "\(kind) \"\(name)\"" }
        return "\(kind) \"\(name)/\(subject["namespace"]?.stringValue ?? bindingNamespace)\""
    }
}

/// The roles and bindings kube-apiserver creates at start that matter to the mock's clients. They
/// are not stored objects: a binding to `cluster-admin` works without one.
enum BootstrapRBAC {
    struct Binding {
        var name: String
        var subjects: [String]
        var rules: [PolicyRule]
    }

    static let bindings = [
        Binding(name: "system:discovery", subjects: ["system:authenticated"], rules: [
            PolicyRule(verbs: ["get"], nonResourceURLs: [
                "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
            ]),
        ]),
        Binding(name: "system:basic-user", subjects: ["system:authenticated"], rules: [
            PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
        ]),
        Binding(name: "system:public-info-viewer", subjects: ["system:authenticated", "system:unauthenticated"], rules: [
            PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
        ]),
    ]

    static let clusterRoles: [String: [PolicyRule]] = [
        "cluster-admin": [
            PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
            PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
        ],
    ]
}
