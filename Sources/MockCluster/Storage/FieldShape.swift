import JSON

/// The shape of a built-in kind's fields, as far as storing needs it: which members a struct
/// declares (anything else is an unknown field), the Go type of its scalars (a value of another
/// JSON type cannot be decoded), which members are free-form maps or lists (Go's `omitempty` drops
/// them when empty), and which parts are not described here (kept as sent).
indirect enum FieldShape: Sendable {
    /// A scalar the decoder takes in more than one JSON form (a quantity, a time): not checked.
    case value
    /// A `resource.Quantity`: any JSON value whose text parses as one, stored in canonical form.
    case quantity
    case string
    /// An integer (`int32` or `int64` in Go): a JSON number without a fraction.
    case int
    case bool
    /// `intstr.IntOrString`: an integer or a string.
    case intOrString
    /// Not described: kept as sent (status, and structs too rich to list here).
    case any
    /// A struct: its declared members. Kept when empty (`securityContext: {}`, `resources: {}`).
    case object([String: FieldShape])
    /// A map with free keys (labels, data, limits): dropped when empty.
    case map(FieldShape)
    /// A list: dropped when empty.
    case list(FieldShape)

    /// What decoding found wrong: members the shape does not declare, and values of a JSON type
    /// the Go field cannot hold, each by its path (`spec.template.spec.containers[0].foo`).
    struct Findings {
        var unknown: [String] = []
        /// Go's words: `cannot unmarshal string into Go struct field spec.replicas of type int32`.
        var mismatched: [String] = []
        /// Errors of a type's own decoder (a quantity's), which end decoding at once in Go.
        var undecodable: [String] = []
    }

    /// The object as the apiserver would store it: null members and empty maps and lists gone,
    /// members the shape does not declare removed and reported.
    func normalized(_ value: JSONValue, at path: String, findings: inout Findings) -> JSONValue? {
        if value == .null { return nil }
        if let expected = goType, !accepts(value) {
            findings.mismatched.append("cannot unmarshal \(Self.jsonKind(value)) into Go struct field \(Self.goPath(path)) of type \(expected)")
            return value
        }
        switch self {
        case .value, .string, .int, .bool, .intOrString, .any:
            return value
        case .quantity:
            do {
                return .string(try Quantity(json: value).storedText)
            } catch {
                findings.undecodable.append(error.message)
                return value
            }
        case .object(let members):
            guard let fields = value.objectValue else { return value }
            var kept: [String: JSONValue] = [:]
            for (key, member) in fields {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard let shape = members[key] else {
                    findings.unknown.append(memberPath)
                    continue
                }
                kept[key] = shape.normalized(member, at: memberPath, findings: &findings)
            }
            return .object(kept)
        case .map(let element):
            guard let fields = value.objectValue else { return value }
            var kept: [String: JSONValue] = [:]
            for (key, member) in fields {
                kept[key] = element.normalized(member, at: "\(path).\(key)", findings: &findings) ?? (member == .null ? nil : member)
            }
            return kept.isEmpty ? nil : .object(kept)
        case .list(let element):
            guard let items = value.arrayValue else { return value }
            if items.isEmpty { return nil }
            return .array(items.enumerated().map { index, item in
                element.normalized(item, at: "\(path)[\(index)]", findings: &findings) ?? item
            })
        }
    }

    /// The Go type a decoding error names; nil for what is not checked.
    private var goType: String? {
        switch self {
        case .string: "string"
        case .int: "int32"
        case .bool: "bool"
        case .intOrString: "intstr.IntOrString"
        case .object: "struct"
        case .map: "map"
        case .list: "slice"
        case .value, .quantity, .any: nil
        }
    }

    private func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string), (.bool, .bool), (.int, .int), (.intOrString, .int), (.intOrString, .string),
             (.object, .object), (.map, .object), (.list, .array):
            true
        case (.int, .double(let number)), (.intOrString, .double(let number)):
            // Go takes 3.0 for an int32 (the JSON text decides, but JSON readers keep 3.0 as a double).
            number.rounded(.towardZero) == number && abs(number) <= Double(Int32.max)
        default:
            false
        }
    }

    private static func jsonKind(_ value: JSONValue) -> String {
        switch value {
        case .string: "string"
        case .int, .double: "number"
        case .bool: "bool"
        case .array: "array"
        case .object: "object"
        case .null: "null"
        }
    }

    /// Go names a field by its JSON path without list indexes.
    private static func goPath(_ path: String) -> String {
        var result = ""
        var inIndex = false
        for character in path {
            if character == "[" { inIndex = true } else if character == "]" { inIndex = false } else if !inIndex { result.append(character) }
        }
        return result
    }
}
