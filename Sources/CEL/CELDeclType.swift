import JSON

/// The CEL type of a schema node, with the bounds the cost estimator needs: how many elements
/// (code points, items, properties) a value may have at most, and how few bytes its JSON takes
/// at least. Derived from an OpenAPI schema as kube-apiserver derives it (`SchemaDeclType`):
/// where the schema declares no `maxLength`, `maxItems` or `maxProperties`, the bound is what
/// fits in the largest request the apiserver accepts.
public final class CELDeclType: Sendable {
    public enum Kind: Sendable, Equatable {
        case bool, int, double, string, bytes, duration, timestamp, dyn, list, map, object
    }

    public let kind: Kind
    /// The largest size a value may have; 0 for scalars and objects (the estimator's quirk kept).
    public let maxElements: UInt64
    /// The fewest bytes the value's JSON takes.
    public let minSerializedSize: Int64
    /// A list's items, a map's values.
    public let element: CELDeclType?
    public let fields: [String: CELDeclType]

    init(_ kind: Kind, maxElements: Int64 = 0, minSize: Int64, element: CELDeclType? = nil, fields: [String: CELDeclType] = [:]) {
        self.kind = kind
        self.maxElements = UInt64(Swift.max(0, maxElements))
        self.minSerializedSize = minSize
        self.element = element
        self.fields = fields
    }

    /// A map's keys: strings, bounded by nothing the apiserver declares (it uses 0).
    static let mapKey = CELDeclType(.string, minSize: 2)

    /// The largest request kube-apiserver accepts, from which unbounded sizes are derived.
    public static let maxRequestSizeBytes: Int64 = 3 * 1024 * 1024
    /// metadata.name is a DNS-1123 subdomain: the apiserver bounds it even when the schema does not.
    static let nameMaxLength: Int64 = 253

    /// The type of a schema node; nil where the apiserver has none (no type and no
    /// int-or-string, an array without items), which leaves the node out of CEL.
    public static func of(schema: JSONValue, isResourceRoot: Bool) -> CELDeclType? {
        let object = schema.objectValue ?? [:]
        let maxLength = object["maxLength"]?.intValue.map(Int64.init)
        if object["x-kubernetes-int-or-string"]?.boolValue == true {
            return CELDeclType(.dyn, maxElements: maxLength.map { $0 * 4 } ?? (maxRequestSizeBytes - 2), minSize: 1)
        }
        let node = isResourceRoot ? withTypeAndObjectMeta(object) : object
        switch node["type"]?.stringValue {
        case "array": return list(node)
        case "object": return objectOrMap(node)
        case "string": return string(node, maxLength: maxLength)
        case "boolean": return CELDeclType(.bool, minSize: 4)
        case "number": return CELDeclType(.double, minSize: 1)
        case "integer": return CELDeclType(.int, minSize: 1)
        default: return nil
        }
    }

    private static func isEmbedded(_ schema: JSONValue) -> Bool {
        schema["x-kubernetes-embedded-resource"]?.boolValue == true
    }

    private static func list(_ node: [String: JSONValue]) -> CELDeclType? {
        guard let items = node["items"], let itemType = of(schema: items, isResourceRoot: isEmbedded(items)) else { return nil }
        let maxItems = node["maxItems"]?.intValue.map(Int64.init) ?? (maxRequestSizeBytes - 2) / (itemType.minSerializedSize + 1)
        return CELDeclType(.list, maxElements: maxItems, minSize: 2, element: itemType)
    }

    private static func objectOrMap(_ node: [String: JSONValue]) -> CELDeclType? {
        if let additional = node["additionalProperties"], additional.objectValue != nil {
            guard let valueType = of(schema: additional, isResourceRoot: isEmbedded(additional)) else { return nil }
            let maxProperties = node["maxProperties"]?.intValue.map(Int64.init)
                ?? (maxRequestSizeBytes - 2) / (valueType.minSerializedSize + 6)
            return CELDeclType(.map, maxElements: maxProperties, minSize: 2, element: valueType)
        }
        let required = Set((node["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var fields: [String: CELDeclType] = [:]
        var minSize: Int64 = 2
        for (name, property) in node["properties"]?.objectValue ?? [:] {
            guard let fieldType = of(schema: property, isResourceRoot: isEmbedded(property)) else { continue }
            fields[name] = fieldType
            if required.contains(name), property["default"] == nil {
                minSize += Int64(name.utf8.count) + fieldType.minSerializedSize + 4
            }
        }
        return CELDeclType(.object, minSize: minSize, fields: fields)
    }

    private static func string(_ node: [String: JSONValue], maxLength: Int64?) -> CELDeclType {
        let perRequest = maxRequestSizeBytes - 2
        switch node["format"]?.stringValue {
        case "byte": return CELDeclType(.bytes, maxElements: maxLength ?? perRequest, minSize: 2)
        case "duration": return CELDeclType(.duration, maxElements: 32, minSize: 3)
        case "date": return CELDeclType(.timestamp, maxElements: 12, minSize: 12)
        case "date-time": return CELDeclType(.timestamp, maxElements: 32, minSize: 21)
        default: break
        }
        if let maxLength { return CELDeclType(.string, maxElements: maxLength * 4, minSize: 2) }
        let enumValues = (node["enum"]?.arrayValue ?? []).compactMap(\.stringValue)
        if node["enum"]?.arrayValue?.isEmpty == false {
            return CELDeclType(.string, maxElements: Int64(enumValues.map(\.utf8.count).max() ?? 0), minSize: 2)
        }
        return CELDeclType(.string, maxElements: perRequest, minSize: 2)
    }

    /// At a resource's root CEL sees `apiVersion`, `kind` and `metadata.name`/`generateName`,
    /// whatever the schema says of them; the names bounded as the apiserver bounds them.
    private static func withTypeAndObjectMeta(_ node: [String: JSONValue]) -> [String: JSONValue] {
        var result = node
        var properties = node["properties"]?.objectValue ?? [:]
        let metadata = properties["metadata"]?["properties"]?.objectValue ?? [:]
        func capped(_ existing: JSONValue?, _ limit: Int64) -> JSONValue {
            let declared = existing?["maxLength"]?.intValue.map(Int64.init)
            let bound = declared.map { Swift.min($0, limit) } ?? limit
            return .object(["type": "string", "maxLength": .int(Int(bound))])
        }
        properties["kind"] = .object(["type": "string"])
        properties["apiVersion"] = .object(["type": "string"])
        properties["metadata"] = .object([
            "type": "object",
            "properties": .object([
                "name": capped(metadata["name"], nameMaxLength), "generateName": capped(metadata["generateName"], nameMaxLength - 1),
            ]),
        ])
        result["properties"] = .object(properties)
        return result
    }
}
