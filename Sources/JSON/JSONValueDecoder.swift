import Foundation

/// Decodes any `Decodable` straight from a `JSONValue`, as `JSONDecoder` would from the value's
/// bytes, without writing them and parsing them again: every object a list or a watch delivers is
/// parsed once (`JSONValue(parsing:)`) and decoded from the tree. A `JSONValue` asked for is
/// handed over as it is.
///
/// Errors are `DecodingError`s with the coding path, as `JSONDecoder` throws them: a missing
/// field is `keyNotFound`, a null where a value belongs `valueNotFound`, a wrong type
/// `typeMismatch`. Integers read from whole numbers only; `Data` is base64, `URL` a string.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let state = DecodingState(root: value)
        return try state.decode(T.self, at: 0)
    }

    /// Parses a JSON text and decodes it; a text that is not JSON throws `JSONParseError`.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON bytes: some Collection<UInt8>) throws -> T {
        try decode(T.self, from: JSONValue(parsing: bytes))
    }
}

/// The values being decoded, outermost first, with the key each sits under: decoders and
/// containers hold an index into it, which keeps them small enough to pass without allocating,
/// and makes a coding path only when one is asked for (an error).
private final class DecodingState {
    struct Level {
        var value: JSONValue
        var key: (any CodingKey)?
    }

    var levels: [Level]

    init(root: JSONValue) {
        levels = [Level(value: root, key: nil)]
    }

    func codingPath(to depth: Int) -> [any CodingKey] {
        levels[1..<(depth + 1)].compactMap(\.key)
    }

    /// Decodes `value` one level below `depth`, under `key`.
    func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, below depth: Int, key: any CodingKey) throws -> T {
        if let primitive = try primitive(T.self, value, path: { self.codingPath(to: depth) + [key] }) { return primitive }
        let decoder = descend(to: value, below: depth, key: key)
        defer { levels.removeLast() }
        return try decode(T.self, at: decoder.depth)
    }

    /// A decoder for `value`, one level below `depth`, under `key`; it reads right while no other
    /// value is decoded at that level.
    func descend(to value: JSONValue, below depth: Int, key: any CodingKey) -> ValueDecoder {
        levels.removeSubrange((depth + 1)...)
        levels.append(Level(value: value, key: key))
        return ValueDecoder(state: self, depth: depth + 1)
    }

    func decode<T: Decodable>(_ type: T.Type, at depth: Int) throws -> T {
        if let primitive = try primitive(T.self, levels[depth].value, path: { self.codingPath(to: depth) }) { return primitive }
        return try T(from: ValueDecoder(state: self, depth: depth))
    }

    /// The types read without a decoder of their own: the JSON scalars, the tree itself, and
    /// those `JSONDecoder` reads specially (`Data` as base64, `URL` as a string). The type is
    /// compared before any cast: a failed dynamic cast costs more than the comparison.
    private func primitive<T>(_ type: T.Type, _ value: JSONValue, path: () -> [any CodingKey]) throws -> T? {
        if T.self == JSONValue.self { return (value as! T) }
        if T.self == String.self { return try Scalar.string(value, path()) as? T }
        if T.self == Int.self { return try Scalar.integer(Int.self, value, path()) as? T }
        if T.self == Bool.self { return try Scalar.bool(value, path()) as? T }
        if T.self == Double.self { return try Scalar.double(value, path()) as? T }
        if T.self == Data.self {
            guard let data = Data(base64Encoded: try Scalar.string(value, path())) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "expected base64-encoded data"))
            }
            return (data as! T)
        }
        if T.self == URL.self {
            let text = try Scalar.string(value, path())
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "invalid URL \"\(text)\""))
            }
            return (url as! T)
        }
        return nil
    }
}

/// Reads JSON scalars as Swift's, refusing what `JSONDecoder` refuses.
private enum Scalar {
    static func mismatch(_ type: Any.Type, _ expected: String, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(value.kindDescription)")
        return value == .null ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    static func string(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, "a string", value, path()) }
        return text
    }

    static func bool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, "a boolean", value, path()) }
        return flag
    }

    static func double(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw mismatch(Double.self, "a number", value, path())
        }
    }

    static func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> I {
        let exact: I?
        switch value {
        case .int(let number): exact = I(exactly: number)
        case .double(let number): exact = I(exactly: number)
        default: throw mismatch(I.self, "an integer", value, path())
        }
        guard let exact else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "\(value.jsonText) does not fit in \(I.self)"))
        }
        return exact
    }
}

extension JSONValue {
    /// What a value is, for messages: `a string`, `the number 3`, `an object`.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool(let flag): "the boolean \(flag)"
        case .int, .double: "the number \(jsonText)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

private struct ValueDecoder: Decoder {
    let state: DecodingState
    let depth: Int

    var value: JSONValue { state.levels[depth].value }
    var codingPath: [any CodingKey] { state.codingPath(to: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw Scalar.mismatch([String: JSONValue].self, "an object", value, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(state: state, depth: depth, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw Scalar.mismatch([JSONValue].self, "an array", value, codingPath) }
        return UnkeyedContainer(state: state, depth: depth, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(state: state, depth: depth)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: DecodingState
    let depth: Int
    let members: [String: JSONValue]

    var codingPath: [any CodingKey] { state.codingPath(to: depth) }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for the key \"\(key.stringValue)\""))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try state.decode(T.self, try value(key), below: depth, key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try state.decode(T.self, value, below: depth, key: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalar.bool(value(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalar.string(value(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalar.double(value(key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Scalar.integer(type, value(key), codingPath + [key]) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try Scalar.bool($0, codingPath + [key]) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { try Scalar.string($0, codingPath + [key]) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try Scalar.double($0, codingPath + [key]) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try Scalar.integer(type, $0, codingPath + [key]) } }

    /// The value under `key` unless it is absent or null.
    private func present(_ key: Key) -> JSONValue? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return value
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try superDecoder(forKey: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try superDecoder(forKey: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(state: state, depth: depth) }

    /// A decoder of its own for the value under `key`, which stays valid while this container is read.
    func superDecoder(forKey key: Key) throws -> any Decoder {
        state.descend(to: try value(key), below: depth, key: key)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let state: DecodingState
    let depth: Int
    let items: [JSONValue]
    var currentIndex = 0

    init(state: DecodingState, depth: Int, items: [JSONValue]) {
        self.state = state
        self.depth = depth
        self.items = items
    }

    var codingPath: [any CodingKey] { state.codingPath(to: depth) }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> (JSONValue, IndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "no more items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (item, key) = try next()
        return try state.decode(T.self, item, below: depth, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try superDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try superDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (item, key) = try next()
        return state.descend(to: item, below: depth, key: key)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let state: DecodingState
    let depth: Int

    var value: JSONValue { state.levels[depth].value }
    var codingPath: [any CodingKey] { state.codingPath(to: depth) }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try Scalar.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalar.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalar.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Scalar.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalar.integer(type, value, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try state.decode(T.self, at: depth)
    }
}
