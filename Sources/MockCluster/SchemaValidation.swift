import JSON

/// Checks a value against a structural schema as kube-openapi's `SchemaValidator` does, then turns
/// each failure into a field error as apiextensions' `kubeOpenAPIResultToFieldErrors`: the same
/// checks in the same order (type, string, number, items, enum, members), the same messages.
struct SchemaValidator {
    /// Where the validated value sits in the object: nil for the object itself (`<nil>`), `status`
    /// for a status write.
    let root: String?
    private(set) var errors: [FieldError] = []

    init(root: String?) { self.root = root }

    /// The field an error names: the root path, then the validator's path.
    private func field(_ name: String) -> String {
        let name = name.hasPrefix(".") ? String(name.dropFirst()) : name
        guard !name.isEmpty else { return root ?? "<nil>" }
        return root.map { "\($0).\(name)" } ?? name
    }

    private mutating func fail(_ kind: FieldError.Kind, _ name: String, _ value: FieldError.Value, _ detail: String) {
        errors.append(FieldError(kind, field(name), value, detail))
    }

    /// `old` is the value at the same place before an update, when it correlates (members by name,
    /// items of map lists by key): an unchanged value is not judged again (CRD validation ratcheting,
    /// on by default since Kubernetes 1.30), so a tightened schema does not lock existing objects.
    mutating func validate(_ value: JSONValue, _ node: SchemaNode, path: String, old: JSONValue? = nil) {
        if let old, old == value { return }
        let types = node.intOrString ? ["integer", "string"] : (node.type.isEmpty ? [] : [node.type])
        if value == .null {
            if !types.isEmpty, !node.nullable { typeFailure(path, types.joined(separator: ","), "null") }
            checkEnum(value, node, path: path)
            return
        }
        checkType(value, node, types: types, path: path)
        switch value {
        case .string(let text): checkString(text, node, path: path)
        case .int, .double: checkNumber(value, node, types: types, path: path)
        case .array(let items): checkItems(items, node, path: path, old: old)
        default: break
        }
        checkEnum(value, node, path: path)
        if case .object(let members) = value { checkMembers(members, node, path: path, old: old?.objectValue) }
    }

    // MARK: - The checks, in kube-openapi's order

    private mutating func typeFailure(_ path: String, _ expected: String, _ found: String) {
        fail(.typeInvalid, path, .json(.string(found)), "\(path) in body must be of type \(expected): \(goQuoted(found))")
    }

    private mutating func checkType(_ value: JSONValue, _ node: SchemaNode, types: [String], path: String) {
        guard !types.isEmpty || !node.format.isEmpty else { return }
        let (found, foundFormat) = Self.schemaType(of: value)
        let isFloatInt = found == "number" && (value.doubleValue.map { $0 == $0.rounded() } ?? false) && types.contains("integer")
        let isIntFloat = found == "integer" && types.contains("number")
        let isTextual = found == "string" || found == "array"
        if !isTextual, !node.format.isEmpty,
            !(types.contains(found) || foundFormat == node.format || isFloatInt || isIntFloat
                || (node.format == "int64" && foundFormat == "int32") || (node.format == "float64" && foundFormat == "float32"))
        {
            typeFailure(path, node.format, foundFormat)
            return
        }
        if !(types.contains("number") || types.contains("integer")), !node.format.isEmpty, isTextual { return }
        if !(types.contains(found) || isFloatInt || isIntFloat) { typeFailure(path, types.joined(separator: ","), found) }
    }

    static func schemaType(of value: JSONValue) -> (String, String) {
        switch value {
        case .bool: ("boolean", "")
        case .string: ("string", "")
        case .int: ("integer", "int64")
        case .double: ("number", "float64")
        case .array: ("array", "")
        case .object: ("object", "")
        case .null: ("null", "")
        }
    }

    private mutating func checkString(_ text: String, _ node: SchemaNode, path: String) {
        let length = text.unicodeScalars.count
        if let maxLength = node.maxLength, length > maxLength {
            fail(.tooLong, path, .omitted, "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")")
            return
        }
        if let minLength = node.minLength, length < minLength {
            fail(.invalid, path, .json(.string(text)), "\(path) in body should be at least \(minLength) chars long")
            return
        }
        if let pattern = node.pattern {
            switch SchemaPattern.matches(text, pattern) {
            case true?: break
            case false?: fail(.invalid, path, .json(.string(text)), "\(path) in body should match '\(pattern)'")
            case nil: fail(.invalid, path, .json(.string(text)), "\(path) in body should match '\(pattern), but pattern is invalid'")
            }
        }
    }

    private mutating func checkNumber(_ value: JSONValue, _ node: SchemaNode, types: [String], path: String) {
        let single = types.count == 1 ? types[0] : ""
        if single == "integer", ["int32", "int64"].contains(node.format) || node.format.isEmpty {
            let fits: Bool
            switch value {
            case .int(let number): fits = node.format != "int32" || Int32(exactly: number) != nil
            case .double(let number):
                fits = number == number.rounded() && (node.format == "int32" ? Int32(exactly: number) != nil : Int64(exactly: number) != nil)
            default: fits = true
            }
            if !fits {
                let format = node.format.isEmpty ? "integer (default format)" : "integer with format \(node.format)"
                errors.append(FieldError(.invalid, root ?? "<nil>", .json(""), "Checked value must be of type \(format) in \(path)"))
            }
        }
        if let minimum = node.minimum {
            let below = node.exclusiveMinimum ? Self.compare(value, minimum) <= 0 : Self.compare(value, minimum) < 0
            if below {
                let relation = node.exclusiveMinimum ? "greater than" : "greater than or equal to"
                fail(.invalid, path, .json(value), "\(path) in body should be \(relation) \(Self.bound(minimum, for: value))")
            }
        }
        if let maximum = node.maximum {
            let above = node.exclusiveMaximum ? Self.compare(value, maximum) >= 0 : Self.compare(value, maximum) > 0
            if above {
                let relation = node.exclusiveMaximum ? "less than" : "less than or equal to"
                fail(.invalid, path, .json(value), "\(path) in body should be \(relation) \(Self.bound(maximum, for: value))")
            }
        }
    }

    /// Integers compare with the bound made an integer, as kube-openapi's `MinimumInt` does.
    private static func compare(_ value: JSONValue, _ bound: Double) -> Int {
        if case .int(let number) = value, let limit = Int(exactly: bound.rounded(.towardZero)) {
            return number < limit ? -1 : (number == limit ? 0 : 1)
        }
        let number = value.doubleValue ?? 0
        return number < bound ? -1 : (number == bound ? 0 : 1)
    }

    private static func bound(_ bound: Double, for value: JSONValue) -> String {
        if case .int = value, let limit = Int(exactly: bound.rounded(.towardZero)) { return String(limit) }
        return goNumber(bound)
    }

    private mutating func checkItems(_ items: [JSONValue], _ node: SchemaNode, path: String, old: JSONValue?) {
        if let itemSchema = node.items {
            let oldItems = ListMapIndex(node, old?.arrayValue)
            for (index, item) in items.enumerated() {
                validate(item, itemSchema, path: "\(path)[\(index)]", old: oldItems.match(item))
            }
        }
        if let minItems = node.minItems, items.count < minItems {
            fail(.invalid, path, .json(.int(items.count)), "\(path) in body should have at least \(minItems) items")
        }
        if let maxItems = node.maxItems, items.count > maxItems {
            fail(.tooMany, path, .json(.int(items.count)), "must have at most \(maxItems) \(maxItems == 1 ? "item" : "items")")
        }
        if node.uniqueItems, Self.hasDuplicates(items) {
            fail(.invalid, path, .json(""), "\(path) in body shouldn't contain duplicates")
        }
    }

    private static func hasDuplicates(_ items: [JSONValue]) -> Bool {
        var seen: Set<[UInt8]> = []
        return items.contains { !seen.insert($0.jsonBytes).inserted }
    }

    private mutating func checkEnum(_ value: JSONValue, _ node: SchemaNode, path: String) {
        guard let allowed = node.enumValues, !allowed.isEmpty else { return }
        if allowed.contains(where: { Self.equalAsEnum($0, value) }) { return }
        let names = allowed.map { $0.stringValue ?? goHTMLEscaped($0.jsonText) }
        fail(.notSupported, path, .json(value), "supported values: " + names.map(goQuoted).joined(separator: ", "))
    }

    private static func equalAsEnum(_ allowed: JSONValue, _ value: JSONValue) -> Bool {
        if let left = allowed.doubleValue, let right = value.doubleValue, allowed.stringValue == nil { return left == right }
        return allowed == value
    }

    private mutating func checkMembers(_ members: [String: JSONValue], _ node: SchemaNode, path: String, old: [String: JSONValue]?) {
        if let minProperties = node.minProperties, members.count < minProperties {
            fail(.invalid, path, .json(.int(members.count)), "\(path) in body should have at least \(minProperties) properties")
        }
        if let maxProperties = node.maxProperties, members.count > maxProperties {
            fail(.tooMany, path, .json(.int(members.count)), "must have at most \(maxProperties) \(maxProperties == 1 ? "item" : "items")")
        }
        let prefix = path.isEmpty ? "" : path + "."
        if let additional = node.additionalProperties {
            for name in members.keys.sorted() where node.properties[name] == nil {
                validate(members[name] ?? .null, additional, path: prefix + name, old: old?[name])
            }
        }
        for name in members.keys.sorted() {
            if let property = node.properties[name] { validate(members[name] ?? .null, property, path: prefix + name, old: old?[name]) }
        }
        for name in node.required where members[name] == nil {
            fail(.required, path + "." + name, .json(""), "")
        }
    }
}

/// Objects marked `x-kubernetes-embedded-resource` need an `apiVersion` and a `kind`, as
/// apiextensions' objectmeta validation requires (the resource itself is checked elsewhere).
enum EmbeddedResourceCheck {
    static func errors(_ value: JSONValue, _ node: SchemaNode?, path: String?, isRoot: Bool = true) -> [FieldError] {
        guard let node else { return [] }
        var found: [FieldError] = []
        switch value {
        case .object(let members):
            if node.embeddedResource, !isRoot {
                for name in ["apiVersion", "kind"] {
                    let field = path.map { "\($0).\(name)" } ?? name
                    switch members[name] {
                    case nil: found.append(FieldError(.required, field))
                    case .string(let text)? where text.isEmpty: found.append(FieldError(.invalid, field, .json(""), "must not be empty"))
                    case .string?: break
                    case let other?: found.append(FieldError(.invalid, field, .json(other), "must be a string"))
                    }
                }
            }
            for name in members.keys.sorted() {
                guard let child = node.member(name) else { continue }
                let childPath = node.properties[name] != nil ? (path.map { "\($0).\(name)" } ?? name) : "\(path ?? "")[\(name)]"
                found += errors(members[name] ?? .null, child, path: childPath, isRoot: false)
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                found += errors(item, node.items, path: "\(path ?? "")[\(index)]", isRoot: false)
            }
        default: break
        }
        return found
    }
}
