import Foundation
import JSON
import SwiftProtobuf

/// The OpenAPI v2 document in gnostic's protobuf form (all kubectl accepts from `/openapi/v2`), made
/// from OpenAPI v3 schemas: `allOf` references become `$ref`s to `#/definitions/`, vendor extensions
/// carry their value as YAML (JSON text, which is YAML), and what v2 cannot say is left out, as the
/// apiserver leaves it out: such a schema accepts any value.
public enum OpenAPIv2 {
    public static func document(schemas: [String: JSONValue], title: String, version: String) -> [UInt8] {
        var document = Openapi_V2_Document()
        document.swagger = "2.0"
        document.info.title = title
        document.info.version = version
        document.definitions.additionalProperties = schemas.keys.sorted().map { name in named(name, schemas[name] ?? [:]) }
        // Serializing a message built here cannot fail: every field is set to a valid value.
        return (try? document.serializedBytes() as [UInt8]) ?? []
    }

    static func named(_ name: String, _ schema: JSONValue) -> Openapi_V2_NamedSchema {
        var named = Openapi_V2_NamedSchema()
        named.name = name
        named.value = self.schema(schema)
        return named
    }

    static func schema(_ json: JSONValue) -> Openapi_V2_Schema {
        var schema = Openapi_V2_Schema()
        if let reference = reference(json) {
            schema.ref = reference
            return schema
        }
        schema.description_p = json["description"]?.stringValue ?? ""
        schema.vendorExtension = vendorExtensions(json)
        // Kept unknown fields have no v2 form; without a type the schema takes anything.
        if json["x-kubernetes-preserve-unknown-fields"] == .bool(true) || json["x-kubernetes-int-or-string"] == .bool(true) { return schema }
        if let type = json["type"]?.stringValue { schema.type.value = [type] }
        schema.format = json["format"]?.stringValue ?? ""
        schema.required = (json["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        if let items = json["items"], items.objectValue != nil { schema.items.schema = [self.schema(items)] }
        if let properties = json["properties"]?.objectValue {
            schema.properties.additionalProperties = properties.keys.sorted().map { named($0, properties[$0] ?? [:]) }
        }
        switch json["additionalProperties"] {
        case .bool(let allowed)?: schema.additionalProperties.boolean = allowed
        case let values? where values.objectValue != nil: schema.additionalProperties.schema = self.schema(values)
        default: break
        }
        return schema
    }

    /// `{"$ref": ...}` or the apiserver's `{"allOf": [{"$ref": ...}]}`, as a v2 reference.
    static func reference(_ json: JSONValue) -> String? {
        let target = json["$ref"] ?? json["allOf"]?.arrayValue.flatMap { $0.count == 1 ? $0[0]["$ref"] : nil }
        guard let text = target?.stringValue else { return nil }
        return text.replacingOccurrences(of: "#/components/schemas/", with: "#/definitions/")
    }

    static func vendorExtensions(_ json: JSONValue) -> [Openapi_V2_NamedAny] {
        let members = json.objectValue ?? [:]
        return members.keys.filter { $0.hasPrefix("x-") }.sorted().map { name in
            var named = Openapi_V2_NamedAny()
            named.name = name
            named.value.yaml = String(decoding: members[name]?.jsonBytes ?? [], as: UTF8.self)
            return named
        }
    }
}
