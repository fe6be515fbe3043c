import JSON

/// A small vocabulary for OpenAPI v3 schemas as kube-apiserver publishes them: references wrapped in
/// `allOf`, lists with their merge keys (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, and
/// the strategic-merge `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy`), maps as
/// `additionalProperties`.
enum OpenAPISchema {
    static let refPrefix = "#/components/schemas/"

    static let string: JSONValue = ["type": "string"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let int32: JSONValue = ["type": "integer", "format": "int32"]
    static let int64: JSONValue = ["type": "integer", "format": "int64"]
    static let number: JSONValue = ["type": "number", "format": "double"]
    static let stringList = atomicList(of: string)
    static let stringMap = map(of: string)
    static let quantityMap = map(of: ref(BuiltInSchemas.quantity))

    static func described(_ schema: JSONValue, _ description: String) -> JSONValue {
        var schema = schema
        schema["description"] = .string(description)
        return schema
    }

    /// A named schema, as the apiserver writes a field of a struct type: `allOf` with the one `$ref`.
    static func ref(_ name: String) -> JSONValue {
        ["allOf": [["$ref": .string(refPrefix + name)]]]
    }

    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var schema: JSONValue = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        return schema
    }

    static func map(of values: JSONValue) -> JSONValue {
        ["type": "object", "additionalProperties": values]
    }

    static func atomicList(of items: JSONValue) -> JSONValue {
        ["type": "array", "items": items, "x-kubernetes-list-type": "atomic"]
    }

    static func set(of items: JSONValue) -> JSONValue {
        ["type": "array", "items": items, "x-kubernetes-list-type": "set"]
    }

    /// A list merged by key: server-side apply's map keys, and strategic merge's merge key (the first).
    static func keyedList(of itemName: String, keys: [String]) -> JSONValue {
        [
            "type": "array", "items": ref(itemName), "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": .array(keys.map(JSONValue.string)),
            "x-kubernetes-patch-merge-key": .string(keys[0]), "x-kubernetes-patch-strategy": "merge",
        ]
    }

    /// The schema of a top-level kind: apiVersion, kind, metadata, its group-version-kind.
    static func kind(
        group: String, version: String, kind: String, description: String, _ properties: [String: JSONValue], required: [String] = []
    ) -> JSONValue {
        var all = properties
        all["apiVersion"] = described(string, "The versioned schema of this representation of an object.")
        all["kind"] = described(string, "The REST resource this object represents, in CamelCase.")
        all["metadata"] = described(ref(BuiltInSchemas.objectMeta), "Standard object metadata.")
        var schema = described(object(all, required: required), description)
        schema["x-kubernetes-group-version-kind"] = [["group": .string(group), "kind": .string(kind), "version": .string(version)]]
        return schema
    }

    /// The names a schema refers to, directly or in nested schemas.
    static func references(in schema: JSONValue) -> [String] {
        switch schema {
        case .object(let fields):
            if case .string(let ref)? = fields["$ref"], ref.hasPrefix(refPrefix) { return [String(ref.dropFirst(refPrefix.count))] }
            return fields.values.flatMap(references)
        case .array(let items):
            return items.flatMap(references)
        default:
            return []
        }
    }
}
