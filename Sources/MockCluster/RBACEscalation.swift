import Foundation
import JSON

/// RBAC's escalation prevention (`pkg/registry/rbac/*/policybased`), under `--authorize`: a Role
/// or ClusterRole may be written only by someone who holds every permission it grants, or may
/// `escalate` it; a binding only by someone who holds the bound role's permissions, or may `bind`
/// it. `system:masters` (the mock's admin token) may do anything. Checked before validation, as
/// the apiserver checks it before its storage validates.
extension MockCluster {
    func checkNoEscalation(_ object: JSONValue, previous: JSONValue?, route: ResourceRoute, request: APIRequest, now: Date) throws(APIError) {
        let type = route.type
        guard settings.authorize, RBACEscalation.guarded.contains(type.id), route.subresource == nil, let authorizer = authorizer(),
            let user = user(of: request, now: now), !user.groups.contains("system:masters")
        else { return }
        // A write that only touches what the garbage collector needs is never an escalation.
        if let previous, RBACEscalation.onlyGarbageCollectionFieldsChange(object, previous) { return }
        let name = object[path: ["metadata", "name"]]?.stringValue ?? route.key.name
        let namespace = type.namespaced ? route.key.namespace : ""
        let forbidden = { (reason: String) in APIError.escalationForbidden(type, name: name, reason) }
        let granted: [PolicyRule]
        if type.id == AccessTypes.roles.id || type.id == AccessTypes.clusterRoles.id {
            var escalate = RequestAttributes(request)
            escalate.verb = "escalate"
            if authorizer.decide(user, escalate).allowed { return }
            granted = (object["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:))
        } else {
            let kind = object[path: ["roleRef", "kind"]]?.stringValue ?? ""
            let roleName = object[path: ["roleRef", "name"]]?.stringValue ?? ""
            let bind = RequestAttributes(verb: "bind", resource: .init(
                group: object[path: ["roleRef", "apiGroup"]]?.stringValue ?? "", resource: kind == "Role" ? "roles" : "clusterroles",
                namespace: namespace, name: roleName))
            if ["Role", "ClusterRole"].contains(kind), authorizer.decide(user, bind).allowed { return }
            guard let rules = authorizer.rules(kind: kind, name: roleName, namespace: namespace) else {
                throw forbidden("\(kind == "Role" ? "roles" : "clusterroles").rbac.authorization.k8s.io \(goQuoted(roleName)) not found")
            }
            granted = rules
        }
        if let problem = RBACEscalation.problem(user, held: authorizer.rules(for: user, namespace: namespace), granted: granted) {
            throw forbidden(problem)
        }
        // An aggregation rule can gather anything: it takes every permission there is.
        if type.id == AccessTypes.clusterRoles.id, object["aggregationRule"] != nil,
            RBACEscalation.problem(user, held: authorizer.rules(for: user, namespace: namespace), granted: RBACEscalation.fullAuthority) != nil
        {
            throw forbidden("must have cluster-admin privileges to use the aggregationRule")
        }
    }
}

enum RBACEscalation {
    static let guarded: Set<String> = [
        AccessTypes.roles.id, AccessTypes.clusterRoles.id, AccessTypes.roleBindings.id, AccessTypes.clusterRoleBindings.id,
    ]

    static let fullAuthority = [
        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
        PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
    ]

    /// `ConfirmNoEscalation`'s error, or nil when what is held covers what is granted.
    static func problem(_ user: UserInfo, held: (rules: [PolicyRule], errors: [String]), granted: [PolicyRule]) -> String? {
        let missing = RBACCoverage.missing(held: held.rules, granted: granted)
        guard !missing.isEmpty else { return nil }
        let described = Set(RBACCoverage.compacted(missing).map(RBACCoverage.compactString)).sorted()
        let groups = "[" + user.groups.map(goQuoted).joined(separator: " ") + "]"
        var message = "user \(goQuoted(user.name)) (groups=\(groups)) is attempting to grant RBAC permissions not currently held:\n"
            + described.joined(separator: "\n")
        if !held.errors.isEmpty {
            let aggregate = held.errors.count == 1 ? held.errors[0] : "[" + held.errors.joined(separator: ", ") + "]"
            message += "; resolution errors: [\(aggregate)]"
        }
        return message
    }

    /// `IsOnlyMutatingGCFields`: equal once owner references, finalizers and managed fields (and
    /// what the server keeps itself) are taken from the old object.
    static func onlyGarbageCollectionFieldsChange(_ object: JSONValue, _ previous: JSONValue) -> Bool {
        var copy = object
        for field in ["ownerReferences", "finalizers", "selfLink", "managedFields", "resourceVersion"] {
            copy[path: ["metadata", field]] = previous[path: ["metadata", field]]
        }
        return copy == previous
    }
}

extension APIError {
    /// `NewForbidden` on the RBAC resource: `roles.rbac.authorization.k8s.io "x" is forbidden: ...`.
    static func escalationForbidden(_ type: ResourceType, name: String, _ reason: String) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: "\(type.qualifiedPlural) \(goQuoted(name)) is forbidden: \(reason)", details: type.details(name))
    }
}

extension ClusterAuthorizer {
    /// `RulesFor`: every rule the user holds in a namespace ("" for the cluster scope): the bootstrap
    /// bindings, the `--auth` table's roles, the ClusterRoleBindings, then the namespace's
    /// RoleBindings; bindings to roles that do not exist are errors, reported with a refusal.
    func rules(for user: UserInfo, namespace: String) -> (rules: [PolicyRule], errors: [String]) {
        var rules = BootstrapRBAC.bindings.filter { $0.subjects.contains(where: user.groups.contains) }.flatMap(\.rules)
        for role in tables.roles {
            let subject = switch role.subject {
            case .user(let name): name == user.name
            case .group(let name): user.groups.contains(name)
            }
            let scoped = role.namespaces.map { !namespace.isEmpty && AccessTables.matches($0, namespace) } ?? true
            if subject, scoped { rules.append(PolicyRule(verbs: role.verbs, apiGroups: role.apiGroups, resources: role.resources)) }
        }
        var errors: [String] = []
        var bindings = store.list(AccessTypes.clusterRoleBindings.id, namespace: nil).map(\.value)
        if !namespace.isEmpty { bindings += store.list(AccessTypes.roleBindings.id, namespace: namespace).map(\.value) }
        for binding in bindings {
            let bindingNamespace = binding[path: ["metadata", "namespace"]]?.stringValue ?? ""
            guard Self.matchingSubject(binding, user, namespace: bindingNamespace) != nil else { continue }
            let kind = binding[path: ["roleRef", "kind"]]?.stringValue ?? ""
            let name = binding[path: ["roleRef", "name"]]?.stringValue ?? ""
            if let bound = self.rules(kind: kind, name: name, namespace: bindingNamespace) {
                rules += bound
            } else {
                errors.append("\(kind == "Role" ? "roles" : "clusterroles").rbac.authorization.k8s.io \(goQuoted(name)) not found")
            }
        }
        return (rules, errors)
    }
}
