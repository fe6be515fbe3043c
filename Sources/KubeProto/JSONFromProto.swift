import Foundation
import JSON
import SwiftProtobuf

/// Turns a decoded message into the JSON the API server would have stored for it: JSON field names,
/// Go's `omitempty` (zero values left out unless `ProtoSchema` says Go writes them), messages always
/// written (Go never omits a struct), and the apimachinery types in their JSON forms.
enum JSONFromProto {
    static func value(of message: some Message, schema: ProtoSchema) throws -> JSONValue {
        switch message {
        case let time as K8s_Io_Apimachinery_Pkg_Apis_Meta_V1_Time:
            return timeValue(time)
        case let quantity as K8s_Io_Apimachinery_Pkg_Api_Resource_Quantity:
            return .string(quantity.string)
        case let intOrString as K8s_Io_Apimachinery_Pkg_Util_Intstr_IntOrString:
            return intOrString.type == 1 ? .string(intOrString.strVal) : .int(Int(intOrString.intVal))
        default:
            let name = type(of: message).protoMessageName
            guard let fields = schema.messages[name] else { throw ProtobufBodyError.unknownField(message: name, number: 0) }
            var visitor = FieldVisitor(message: name, fields: fields, schema: schema)
            try message.traverse(visitor: &visitor)
            return .object(visitor.object)
        }
    }

    /// metav1.Time: RFC 3339 to the second in UTC, and null for the zero time (as Go marshals it).
    private static func timeValue(_ time: K8s_Io_Apimachinery_Pkg_Apis_Meta_V1_Time) -> JSONValue {
        guard time.seconds != 0 || time.nanos != 0 else { return .null }
        return .string(UTCTime.string(wholeSecondsOf: Date(timeIntervalSince1970: TimeInterval(time.seconds))))
    }
}

/// Collects one message's fields into a JSON object, field by field as swift-protobuf walks them.
private struct FieldVisitor: Visitor {
    let message: String
    let fields: [Int: ProtoSchema.Field]
    let schema: ProtoSchema
    var object: [String: JSONValue] = [:]

    private mutating func set(_ value: JSONValue, isZero: Bool, _ number: Int) throws {
        guard let field = fields[number] else { throw ProtobufBodyError.unknownField(message: message, number: number) }
        if isZero && !field.keepsZero { return }
        object[field.name] = value
    }

    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {
        try set(.double(value), isZero: value == 0, fieldNumber)
    }
    mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {
        try set(.int(Int(value)), isZero: value == 0, fieldNumber)
    }
    mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {
        try set(.int(Int(truncatingIfNeeded: value)), isZero: value == 0, fieldNumber)
    }
    mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {
        try set(.bool(value), isZero: !value, fieldNumber)
    }
    mutating func visitSingularStringField(value: String, fieldNumber: Int) throws {
        try set(.string(value), isZero: value.isEmpty, fieldNumber)
    }
    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {
        try set(.string(value.base64EncodedString()), isZero: value.isEmpty, fieldNumber)
    }
    mutating func visitSingularEnumField<E: Enum>(value: E, fieldNumber: Int) throws {
        try set(.int(value.rawValue), isZero: value.rawValue == 0, fieldNumber)
    }
    mutating func visitSingularMessageField<M: Message>(value: M, fieldNumber: Int) throws {
        try set(JSONFromProto.value(of: value, schema: schema), isZero: false, fieldNumber)
    }
    mutating func visitSingularGroupField<G: Message>(value: G, fieldNumber: Int) throws {
        throw ProtobufBodyError.unknownField(message: message, number: fieldNumber)
    }
    mutating func visitRepeatedStringField(value: [String], fieldNumber: Int) throws {
        try set(.array(value.map(JSONValue.string)), isZero: value.isEmpty, fieldNumber)
    }
    mutating func visitRepeatedMessageField<M: Message>(value: [M], fieldNumber: Int) throws {
        var items: [JSONValue] = []
        for item in value { items.append(try JSONFromProto.value(of: item, schema: schema)) }
        try set(.array(items), isZero: items.isEmpty, fieldNumber)
    }
    mutating func visitMapField<KeyType, ValueType: MapValueType>(
        fieldType: _ProtobufMap<KeyType, ValueType>.Type, value: _ProtobufMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        var entries: [String: JSONValue] = [:]
        for (key, item) in value {
            switch item {
            case let text as String: entries["\(key)"] = .string(text)
            case let data as Data: entries["\(key)"] = .string(data.base64EncodedString())
            default: throw ProtobufBodyError.unknownField(message: message, number: fieldNumber)
            }
        }
        try set(.object(entries), isZero: entries.isEmpty, fieldNumber)
    }
    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type, value: _ProtobufEnumMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        throw ProtobufBodyError.unknownField(message: message, number: fieldNumber)
    }
    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type, value: _ProtobufMessageMap<KeyType, ValueType>.BaseType,
        fieldNumber: Int
    ) throws {
        var entries: [String: JSONValue] = [:]
        for (key, item) in value { entries["\(key)"] = try JSONFromProto.value(of: item, schema: schema) }
        try set(.object(entries), isZero: entries.isEmpty, fieldNumber)
    }
    /// A field the trimmed .proto files do not know: refuse it rather than drop it.
    mutating func visitUnknown(bytes: Data) throws {
        throw ProtobufBodyError.unknownField(message: message, number: Self.firstFieldNumber(bytes))
    }

    private static func firstFieldNumber(_ bytes: Data) -> Int {
        var tag = 0
        var shift = 0
        for byte in bytes {
            tag |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return tag >> 3
    }
}
