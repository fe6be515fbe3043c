import JSON

/// A write as admission sees it: the operation, what it is on, the object before and after, and
/// who asked.
struct AdmissionRequest {
    var operation: String
    var type: ResourceType
    var subresource: String
    var namespace: String
    var name: String
    var object: JSONValue?
    var oldObject: JSONValue?
    var user: UserInfo
    var dryRun: Bool

    /// `request` in a policy's expressions (admission.k8s.io's AdmissionRequest, every field present).
    var json: JSONValue {
        let kind: JSONValue = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
        let resource: JSONValue = ["group": .string(type.group), "version": .string(type.version), "resource": .string(type.plural)]
        return [
            "kind": kind, "resource": resource, "subResource": .string(subresource),
            "requestKind": kind, "requestResource": resource, "requestSubResource": .string(subresource),
            "name": .string(name), "namespace": .string(namespace), "operation": .string(operation),
            "userInfo": user.json, "dryRun": .bool(dryRun), "options": [:],
        ]
    }
}

/// `matchConstraints` of a policy and `matchResources` of a binding: resource rules, exclusions,
/// namespace and object selectors.
struct AdmissionMatch {
    var request: AdmissionRequest
    /// The labels of the request's namespace (of the Namespace itself when it is the object).
    var namespaceLabels: [String: JSONValue]?

    /// A policy's constraints must name the request in a rule; a binding without rules keeps the policy's.
    func matches(_ constraints: JSONValue?, rulesRequired: Bool) -> Bool {
        guard let constraints else { return !rulesRequired }
        let rules = constraints["resourceRules"]?.arrayValue ?? []
        if rulesRequired || !rules.isEmpty {
            guard rules.contains(where: ruleMatches) else { return false }
        }
        if (constraints["excludeResourceRules"]?.arrayValue ?? []).contains(where: ruleMatches) { return false }
        return namespaceMatches(constraints["namespaceSelector"]) && objectMatches(constraints["objectSelector"])
    }

    private func ruleMatches(_ rule: JSONValue) -> Bool {
        func list(_ key: String) -> [String] { (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        func allows(_ key: String, _ value: String) -> Bool { list(key).contains("*") || list(key).contains(value) }
        let type = request.type
        guard allows("operations", request.operation), allows("apiGroups", type.group), allows("apiVersions", type.version) else { return false }
        guard list("resources").contains(where: { Self.resource($0, matches: type.plural, request.subresource) }) else { return false }
        let names = list("resourceNames")
        guard names.isEmpty || names.contains(request.name) else { return false }
        switch rule["scope"]?.stringValue ?? "*" {
        case "Cluster": return !type.namespaced
        case "Namespaced": return type.namespaced
        default: return true
        }
    }

    /// `pods`, `*` (no subresources), `pods/status`, `pods/*`, `*/status`, `*/*`.
    static func resource(_ rule: String, matches resource: String, _ subresource: String) -> Bool {
        let parts = rule.split(separator: "/", maxSplits: 1).map(String.init)
        guard let main = parts.first, main == "*" || main == resource else { return false }
        guard parts.count == 2 else { return subresource.isEmpty }
        return !subresource.isEmpty && (parts[1] == "*" || parts[1] == subresource)
    }

    private func namespaceMatches(_ selector: JSONValue?) -> Bool {
        // Cluster-scoped objects other than Namespaces are not in a namespace: the selector passes them.
        guard let selector, let namespaceLabels else { return true }
        return LabelSelector(object: selector).matches(namespaceLabels)
    }

    private func objectMatches(_ selector: JSONValue?) -> Bool {
        guard let selector else { return true }
        let labelSelector = LabelSelector(object: selector)
        return [request.object, request.oldObject].contains { object in
            guard let object else { return false }
            return labelSelector.matches(object[path: ["metadata", "labels"]]?.objectValue ?? [:])
        }
    }
}
