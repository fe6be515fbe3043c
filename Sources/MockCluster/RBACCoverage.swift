/// Whether one set of RBAC rules covers another, as `rbac/validation.Covers` decides: each rule
/// granted is broken down into one verb on one resource (or path), and each piece must be covered
/// by some rule held. What is missing is compacted and printed as the apiserver prints it.
enum RBACCoverage {
    /// The pieces of `granted` no rule in `held` covers.
    static func missing(held: [PolicyRule], granted: [PolicyRule]) -> [PolicyRule] {
        granted.flatMap(breakdown).filter { piece in !held.contains { covers($0, piece) } }
    }

    /// `BreakdownRule`: one verb on one group and resource (and name), or on one path.
    static func breakdown(_ rule: PolicyRule) -> [PolicyRule] {
        var pieces: [PolicyRule] = []
        for group in rule.apiGroups {
            for resource in rule.resources {
                for verb in rule.verbs {
                    let names: [[String]] = rule.resourceNames.isEmpty ? [[]] : rule.resourceNames.map { [$0] }
                    for name in names {
                        var piece = PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource])
                        piece.resourceNames = name
                        pieces.append(piece)
                    }
                }
            }
        }
        for url in rule.nonResourceURLs {
            for verb in rule.verbs { pieces.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
        }
        return pieces
    }

    /// `ruleCovers`.
    static func covers(_ owner: PolicyRule, _ sub: PolicyRule) -> Bool {
        let verbs = owner.verbs.contains("*") || Set(owner.verbs).isSuperset(of: sub.verbs)
        let groups = owner.apiGroups.contains("*") || Set(owner.apiGroups).isSuperset(of: sub.apiGroups)
        let names = owner.resourceNames.isEmpty || (!sub.resourceNames.isEmpty && Set(owner.resourceNames).isSuperset(of: sub.resourceNames))
        let urls = sub.nonResourceURLs.allSatisfy { path in
            owner.nonResourceURLs.contains { $0 == path || ($0.hasSuffix("*") && path.hasPrefix($0.trimmingSuffix("*"))) }
        }
        return verbs && groups && resourcesCover(owner.resources, sub.resources) && names && urls
    }

    /// `resourceCoversAll`: `*`, the resource itself, or `*/subresource`.
    private static func resourcesCover(_ owned: [String], _ wanted: [String]) -> Bool {
        if owned.contains("*") { return true }
        return wanted.allSatisfy { path in
            if owned.contains(path) { return true }
            guard let slash = path.firstIndex(of: "/") else { return false }
            return owned.contains("*" + path[slash...])
        }
    }

    /// `CompactRules`: the pieces on one group, resource and name gather their verbs; the rest stay.
    static func compacted(_ rules: [PolicyRule]) -> [PolicyRule] {
        var others: [PolicyRule] = []
        var simple: [PolicyRule] = []
        for rule in rules {
            let isSimple = rule.resourceNames.count <= 1 && rule.nonResourceURLs.isEmpty && rule.apiGroups.count == 1 && rule.resources.count == 1
            guard isSimple else { others.append(rule); continue }
            if let index = simple.firstIndex(where: { $0.apiGroups == rule.apiGroups && $0.resources == rule.resources && $0.resourceNames == rule.resourceNames }) {
                simple[index].verbs += rule.verbs
            } else {
                simple.append(rule)
            }
        }
        return others + simple
    }

    /// `CompactString`: `{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`.
    static func compactString(_ rule: PolicyRule) -> String {
        func list(_ values: [String]) -> String { "[" + values.map(goQuoted).joined(separator: " ") + "]" }
        var parts: [String] = []
        if !rule.apiGroups.isEmpty { parts.append("APIGroups:" + list(rule.apiGroups)) }
        if !rule.resources.isEmpty { parts.append("Resources:" + list(rule.resources)) }
        if !rule.nonResourceURLs.isEmpty { parts.append("NonResourceURLs:" + list(rule.nonResourceURLs)) }
        if !rule.resourceNames.isEmpty { parts.append("ResourceNames:" + list(rule.resourceNames)) }
        if !rule.verbs.isEmpty { parts.append("Verbs:" + list(rule.verbs)) }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

private extension String {
    /// Go's `strings.TrimRight(s, "*")` for one character.
    func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character { text.removeLast() }
        return text
    }
}
