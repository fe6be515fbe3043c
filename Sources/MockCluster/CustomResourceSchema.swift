import CEL
import JSON

/// One node of a CRD's structural `openAPIV3Schema`, parsed once when the CRD is stored (its CEL
/// rules compiled then too), so that requests only walk it.
final class SchemaNode: Sendable {
    let type: String
    let format: String
    let nullable: Bool
    let intOrString: Bool
    let preservesUnknownFields: Bool
    let embeddedResource: Bool
    let enumValues: [JSONValue]?
    let pattern: String?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let minLength: Int?
    let maxLength: Int?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool
    let minProperties: Int?
    let maxProperties: Int?
    let required: [String]
    let properties: [String: SchemaNode]
    /// `additionalProperties`: present (a schema, or `true` for any value), or absent.
    let allowsAdditionalProperties: Bool
    let additionalProperties: SchemaNode?
    let items: SchemaNode?
    let defaultValue: JSONValue?
    let listType: String?
    let listMapKeys: [String]
    let rules: [SchemaRule]
    /// Whether this node or one below has a default, so objects without any skip the defaulting walk.
    let hasDefaults: Bool
    /// Whether this node or one below has `x-kubernetes-validations` (the apiserver has no CEL
    /// validator at all for a schema without).
    let hasRules: Bool

    /// Reads a schema node; what makes it unusable (not structural, a rule that does not compile)
    /// is added to `problems` with the path the apiserver names.
    init(_ json: JSONValue, path: String, level: SchemaLevel, problems: inout [FieldError]) {
        let object = json.objectValue ?? [:]
        type = object["type"]?.stringValue ?? ""
        format = object["format"]?.stringValue ?? ""
        nullable = object["nullable"]?.boolValue ?? false
        intOrString = object["x-kubernetes-int-or-string"]?.boolValue ?? false
        preservesUnknownFields = object["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        embeddedResource = object["x-kubernetes-embedded-resource"]?.boolValue ?? false
        enumValues = object["enum"]?.arrayValue
        pattern = object["pattern"]?.stringValue
        minimum = object["minimum"]?.doubleValue
        maximum = object["maximum"]?.doubleValue
        exclusiveMinimum = object["exclusiveMinimum"]?.boolValue ?? false
        exclusiveMaximum = object["exclusiveMaximum"]?.boolValue ?? false
        minLength = object["minLength"]?.intValue
        maxLength = object["maxLength"]?.intValue
        minItems = object["minItems"]?.intValue
        maxItems = object["maxItems"]?.intValue
        uniqueItems = object["uniqueItems"]?.boolValue ?? false
        minProperties = object["minProperties"]?.intValue
        maxProperties = object["maxProperties"]?.intValue
        required = (object["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        defaultValue = object["default"]
        listType = object["x-kubernetes-list-type"]?.stringValue
        listMapKeys = (object["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
        var properties: [String: SchemaNode] = [:]
        let declared = object["properties"]?.objectValue ?? [:]
        for name in declared.keys.sorted() {
            properties[name] = SchemaNode(declared[name] ?? [:], path: "\(path).properties[\(name)]", level: .field, problems: &problems)
        }
        self.properties = properties
        switch object["additionalProperties"] {
        case .bool(let allowed)?:
            allowsAdditionalProperties = allowed
            additionalProperties = nil
        case let schema? where schema.objectValue != nil:
            allowsAdditionalProperties = true
            additionalProperties = SchemaNode(schema, path: path + ".additionalProperties", level: .field, problems: &problems)
        default:
            allowsAdditionalProperties = false
            additionalProperties = nil
        }
        items = object["items"].map { SchemaNode($0, path: path + ".items", level: .item, problems: &problems) }
        rules = SchemaRule.compileAll(object["x-kubernetes-validations"]?.arrayValue ?? [], path: path, problems: &problems)
        hasRules = !rules.isEmpty || properties.values.contains { $0.hasRules } || (items?.hasRules ?? false)
            || (additionalProperties?.hasRules ?? false)
        hasDefaults = defaultValue != nil || properties.values.contains { $0.hasDefaults } || (items?.hasDefaults ?? false)
            || (additionalProperties?.hasDefaults ?? false)
        checkStructural(path: path, level: level, problems: &problems)
    }

    /// The invariants of a structural schema that change how objects are read (apiextensions'
    /// `validateStructuralInvariants`); the apiserver refuses a CRD that breaks them.
    private func checkStructural(path: String, level: SchemaLevel, problems: inout [FieldError]) {
        if type == "array", items == nil { problems.append(FieldError(.required, path + ".items", .json(""), "must be specified")) }
        if allowsAdditionalProperties, level == .root {
            problems.append(FieldError(.forbidden, path + ".additionalProperties", .json(""), "must not be used at the root"))
        }
        if allowsAdditionalProperties, !properties.isEmpty {
            problems.append(FieldError(.forbidden, path + ".additionalProperties", .json(""), "additionalProperties and properties are mutual exclusive"))
        }
        if embeddedResource, type != "object" {
            problems.append(type.isEmpty
                ? FieldError(.required, path + ".type", .json(""), "must be object if x-kubernetes-embedded-resource is true")
                : FieldError(.invalid, path + ".type", .json(.string(type)), "must be object if x-kubernetes-embedded-resource is true"))
        } else if type.isEmpty, !intOrString, !preservesUnknownFields {
            problems.append(FieldError(.required, path + ".type", .json(""), level.emptyTypeDetail))
        }
        if level == .root, !type.isEmpty, type != "object" {
            problems.append(FieldError(.invalid, path + ".type", .json(.string(type)), "must be object at the root"))
        }
        if intOrString, preservesUnknownFields {
            problems.append(FieldError(.invalid, path + ".x-kubernetes-preserve-unknown-fields", .json(true), "must be false if x-kubernetes-int-or-string is true"))
        }
        if let pattern, SchemaPattern.isValid(pattern) == false {
            problems.append(FieldError(.invalid, path + ".pattern", .json(.string(pattern)), "must be a valid regular expression, but isn't"))
        }
    }

    /// The schema of a member: its property, else `additionalProperties`.
    func member(_ name: String) -> SchemaNode? { properties[name] ?? additionalProperties }

}

enum SchemaLevel: Sendable {
    case root, field, item

    var emptyTypeDetail: String {
        switch self {
        case .root: "must not be empty at the root"
        case .field: "must not be empty for specified object fields"
        case .item: "must not be empty for specified array items"
        }
    }
}
