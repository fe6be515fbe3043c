import JSON

/// The shape of a built-in kind's fields, as far as storing needs it: which members a struct
/// declares (anything else is an unknown field), which members are free-form maps or lists (Go's
/// `omitempty` drops them when empty), and which parts are not described here (kept as sent).
indirect enum FieldShape: Sendable {
    /// A scalar: string, number, boolean, int-or-string, quantity, time.
    case value
    /// Not described: kept as sent (status, and structs too rich to list here).
    case any
    /// A struct: its declared members. Kept when empty (`securityContext: {}`, `resources: {}`).
    case object([String: FieldShape])
    /// A map with free keys (labels, data, limits): dropped when empty.
    case map(FieldShape)
    /// A list: dropped when empty.
    case list(FieldShape)

    /// The object as the apiserver would store it: null members and empty maps and lists gone,
    /// members the shape does not declare removed and reported by their path
    /// (`spec.template.spec.containers[0].foo`).
    func normalized(_ value: JSONValue, at path: String, unknown: inout [String]) -> JSONValue? {
        if value == .null { return nil }
        switch self {
        case .value, .any:
            return value
        case .object(let members):
            guard let fields = value.objectValue else { return value }
            var kept: [String: JSONValue] = [:]
            for (key, member) in fields {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard let shape = members[key] else {
                    unknown.append(memberPath)
                    continue
                }
                kept[key] = shape.normalized(member, at: memberPath, unknown: &unknown)
            }
            return .object(kept)
        case .map(let element):
            guard let fields = value.objectValue else { return value }
            var kept: [String: JSONValue] = [:]
            for (key, member) in fields {
                kept[key] = element.normalized(member, at: "\(path).\(key)", unknown: &unknown) ?? (member == .null ? nil : member)
            }
            return kept.isEmpty ? nil : .object(kept)
        case .list(let element):
            guard let items = value.arrayValue else { return value }
            if items.isEmpty { return nil }
            return .array(items.enumerated().map { index, item in
                element.normalized(item, at: "\(path)[\(index)]", unknown: &unknown) ?? item
            })
        }
    }
}
