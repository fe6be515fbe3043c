import JSON

/// An OpenAPI v3 schema, as CustomResourceDefinitions carry them. Derived from the Swift types
/// themselves (see `of(_:)`), so the CRDs cannot drift from the types.
public struct OpenAPISchema: Sendable, Equatable {
    public var type: String?
    public var format: String?
    public var description: String?
    /// Object properties in declaration order.
    public var properties: [(name: String, schema: OpenAPISchema)] = []
    public var required: [String] = []
    /// The element schema of an array (zero or one).
    public var items: [OpenAPISchema] = []
    /// The value schema of a map (zero or one).
    public var additionalProperties: [OpenAPISchema] = []
    public var enumValues: [String]?
    public var intOrString = false
    public var preserveUnknownFields = false
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum = false
    public var exclusiveMaximum = false
    public var maxLength: Int?
    public var minLength: Int?
    public var minItems: Int?
    public var maxItems: Int?
    public var pattern: String?
    /// `x-kubernetes-list-type: map` with these keys, when not empty.
    public var listMapKeys: [String] = []
    /// `x-kubernetes-validations`: CEL rules the API server checks.
    public var validations: [CELRule] = []
    /// Not in the JSON: the bound on a quantity's value, which `issues(in:)` checks.
    public var quantityRange: ClosedRange<Double>?
    /// Not in the JSON: the field's bounds, which `issues(in:)` checks.
    public var constraint: FieldConstraint?

    public init(type: String? = nil, format: String? = nil, description: String? = nil) {
        self.type = type
        self.format = format
        self.description = description
    }

    public static func == (a: OpenAPISchema, b: OpenAPISchema) -> Bool {
        a.json == b.json
    }

    public static let string = OpenAPISchema(type: "string")
    public static let integer = OpenAPISchema(type: "integer", format: "int64")
    public static let number = OpenAPISchema(type: "number", format: "double")
    public static let boolean = OpenAPISchema(type: "boolean")

    public static func array(of items: OpenAPISchema) -> OpenAPISchema {
        var schema = OpenAPISchema(type: "array")
        schema.items = [items]
        return schema
    }

    public static func map(of values: OpenAPISchema) -> OpenAPISchema {
        var schema = OpenAPISchema(type: "object")
        schema.additionalProperties = [values]
        return schema
    }

    /// The schema as the JSON a CRD holds.
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let type { object["type"] = .string(type) }
        if let format { object["format"] = .string(format) }
        if let description { object["description"] = .string(description) }
        if !properties.isEmpty {
            object["properties"] = .object(Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0.schema.json) }))
        }
        if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
        if let items = items.first { object["items"] = items.json }
        if let values = additionalProperties.first { object["additionalProperties"] = values.json }
        if let enumValues { object["enum"] = .array(enumValues.map(JSONValue.string)) }
        if intOrString { object["x-kubernetes-int-or-string"] = .bool(true) }
        if preserveUnknownFields { object["x-kubernetes-preserve-unknown-fields"] = .bool(true) }
        if let minimum { object["minimum"] = Self.number(minimum) }
        if let maximum { object["maximum"] = Self.number(maximum) }
        if exclusiveMinimum, minimum != nil { object["exclusiveMinimum"] = .bool(true) }
        if exclusiveMaximum, maximum != nil { object["exclusiveMaximum"] = .bool(true) }
        if let maxLength { object["maxLength"] = .int(maxLength) }
        if let minLength { object["minLength"] = .int(minLength) }
        if let minItems { object["minItems"] = .int(minItems) }
        if let maxItems { object["maxItems"] = .int(maxItems) }
        if let pattern { object["pattern"] = .string(pattern) }
        if !listMapKeys.isEmpty {
            object["x-kubernetes-list-type"] = "map"
            object["x-kubernetes-list-map-keys"] = .array(listMapKeys.map(JSONValue.string))
        }
        if !validations.isEmpty {
            object["x-kubernetes-validations"] = .array(validations.map { .object(["rule": .string($0.rule), "message": .string($0.message)]) })
        }
        return .object(object)
    }

    /// Whole bounds as integers (`maximum: 10000`), fractions as numbers.
    private static func number(_ value: Double) -> JSONValue {
        value.rounded() == value && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
    }

    public func property(_ name: String) -> OpenAPISchema? {
        properties.first { $0.name == name }?.schema
    }
}

/// A type whose schema is not what its Codable shape suggests (a quantity is a string on the wire
/// but a parsed value in Swift).
public protocol OpenAPIDescribed {
    static var openAPISchema: OpenAPISchema { get }
    /// Any valid value, which the schema probe hands back where a required field needs one.
    static var schemaPlaceholder: Self? { get }
}

extension Dictionary: OpenAPIDescribed where Key == String, Value: Decodable {
    public static var openAPISchema: OpenAPISchema { .map(of: OpenAPISchema.of(Value.self)) }
    public static var schemaPlaceholder: Self? { [:] }
}

extension JSONValue: OpenAPIDescribed {
    public static var openAPISchema: OpenAPISchema {
        var schema = OpenAPISchema()
        schema.preserveUnknownFields = true
        return schema
    }
    public static var schemaPlaceholder: JSONValue? { .null }
}

extension OpenAPISchema {
    /// The schema of a resource kind: its envelope, with `spec` and `status` derived from the types.
    public static func resource<R: Resource>(_ kind: R.Type) -> OpenAPISchema {
        var schema = OpenAPISchema(type: "object", description: "\(kind.kind) (\(API.apiVersion)).")
        schema.properties = [
            ("apiVersion", .string),
            ("kind", .string),
            ("metadata", OpenAPISchema(type: "object")),
            ("spec", of(R.Spec.self)),
            ("status", of(R.Status.self)),
        ]
        schema.required = ["spec"]
        schema.validations = R.metadataRules
        return schema
    }

    /// The schema of a Decodable type, found by decoding it from a probe that records what the
    /// type asks for: each key, its type, and whether it is optional.
    public static func of<T: Decodable>(_ type: T.Type) -> OpenAPISchema {
        if let described = type as? any OpenAPIDescribed.Type { return described.openAPISchema }
        let recorder = SchemaRecorder()
        _ = try? T(from: SchemaProbe(recorder: recorder))
        var schema = recorder.schema
        if let constrained = type as? any FieldConstrained.Type {
            let constraints = constrained.fieldConstraints
            schema.properties = schema.properties.map { property in
                guard let constraint = constraints[property.name] else { return property }
                return (property.name, property.schema.constrained(by: constraint))
            }
            schema.validations += constrained.crossFieldRules
        }
        return schema
    }

    /// The field names of a type, for "did you mean" suggestions; empty when it has no fixed fields.
    /// Derived on each call: it is asked only for an error's message.
    public static func fieldNames(of type: Any.Type) -> [String] {
        if let kind = type as? any Resource.Type { return kind.schema.properties.map(\.name) }
        if let decodable = type as? any Decodable.Type { return of(decodable).properties.map(\.name) }
        return []
    }

    /// Any valid value of a type (zeros, empty strings, the first case), which a decoder can
    /// stand in for a missing field so that it reads on and reports every other problem too.
    public static func placeholder<T: Decodable>(of type: T.Type) -> T? {
        try? Model.placeholder(type)
    }
}

private final class SchemaRecorder {
    enum Shape {
        case unknown
        case object
        case array(OpenAPISchema?)
        case scalar(OpenAPISchema)
    }

    var shape = Shape.unknown
    var properties: [(name: String, schema: OpenAPISchema)] = []
    var required: [String] = []
    /// Keys asked about with `contains`, which is how optional primitives are decoded.
    var optionalKeys: Set<String> = []

    func record(_ key: String, _ schema: OpenAPISchema, required isRequired: Bool) {
        guard !properties.contains(where: { $0.name == key }) else { return }
        properties.append((key, schema))
        if isRequired && !optionalKeys.contains(key) { required.append(key) }
    }

    var schema: OpenAPISchema {
        switch shape {
        case .unknown, .object:
            var schema = OpenAPISchema(type: "object")
            schema.properties = properties
            schema.required = required
            return schema
        case .array(let items):
            return .array(of: items ?? JSONValue.openAPISchema)
        case .scalar(let schema):
            return schema
        }
    }
}

private struct ProbeStop: Error {}

/// A value of any type, made by decoding it from a probe that records nothing.
private func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
    if let described = type as? any OpenAPIDescribed.Type {
        guard let value = described.schemaPlaceholder as? T else { throw ProbeStop() }
        return value
    }
    return try T(from: SchemaProbe(recorder: SchemaRecorder()))
}

private struct SchemaProbe: Decoder {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        recorder.shape = .object
        return KeyedDecodingContainer(KeyedProbe<Key>(recorder: recorder))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        recorder.shape = .array(nil)
        return UnkeyedProbe(recorder: recorder)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleProbe(recorder: recorder)
    }
}

private struct KeyedProbe<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool {
        recorder.optionalKeys.insert(key.stringValue)
        return true
    }

    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        recorder.record(key.stringValue, OpenAPISchema.of(type), required: true)
        return try placeholder(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        recorder.record(key.stringValue, OpenAPISchema.of(type), required: false)
        return nil
    }

    private func primitive<T>(_ key: Key, _ schema: OpenAPISchema, _ value: T) -> T {
        recorder.record(key.stringValue, schema, required: true)
        return value
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { primitive(key, .boolean, false) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { primitive(key, .string, "") }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { primitive(key, .number, 0) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { primitive(key, .number, 0) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { primitive(key, .integer, 0) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { primitive(key, .integer, 0) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { primitive(key, .integer, 0) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { primitive(key, .integer, 0) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { primitive(key, .integer, 0) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { primitive(key, .integer, 0) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { primitive(key, .integer, 0) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { primitive(key, .integer, 0) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { primitive(key, .integer, 0) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { primitive(key, .integer, 0) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw ProbeStop()
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw ProbeStop() }
    func superDecoder() throws -> any Decoder { throw ProbeStop() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw ProbeStop() }
}

private struct UnkeyedProbe: UnkeyedDecodingContainer {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { [] }
    var count: Int? { nil }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    init(recorder: SchemaRecorder) { self.recorder = recorder }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        currentIndex += 1
        recorder.shape = .array(OpenAPISchema.of(type))
        return try placeholder(type)
    }

    private mutating func primitive<T>(_ schema: OpenAPISchema, _ value: T) -> T {
        currentIndex += 1
        recorder.shape = .array(schema)
        return value
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { primitive(.boolean, false) }
    mutating func decode(_ type: String.Type) throws -> String { primitive(.string, "") }
    mutating func decode(_ type: Double.Type) throws -> Double { primitive(.number, 0) }
    mutating func decode(_ type: Int.Type) throws -> Int { primitive(.integer, 0) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> { throw ProbeStop() }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw ProbeStop() }
    mutating func superDecoder() throws -> any Decoder { throw ProbeStop() }
}

private struct SingleProbe: SingleValueDecodingContainer {
    let recorder: SchemaRecorder
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { false }

    private func primitive<T>(_ schema: OpenAPISchema, _ value: T) -> T {
        recorder.shape = .scalar(schema)
        return value
    }

    func decode(_ type: Bool.Type) throws -> Bool { primitive(.boolean, false) }
    func decode(_ type: String.Type) throws -> String { primitive(.string, "") }
    func decode(_ type: Double.Type) throws -> Double { primitive(.number, 0) }
    func decode(_ type: Int.Type) throws -> Int { primitive(.integer, 0) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        recorder.shape = .scalar(OpenAPISchema.of(type))
        return try placeholder(type)
    }
}

extension WireEnum {
    public static var openAPISchema: OpenAPISchema {
        var schema = OpenAPISchema.string
        schema.enumValues = allCases.map(\.rawValue)
        return schema
    }

    public static var schemaPlaceholder: Self? { allCases.first }
}
