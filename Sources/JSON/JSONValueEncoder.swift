import Foundation

/// Encodes any `Encodable` straight into a `JSONValue`, as `JSONValue(parsing: JSONEncoder().encode(value))`
/// would give, without writing bytes and parsing them again: request bodies are built this way
/// thousands of times per apply. Whole doubles become `.int`, as they do written and read back.
public struct JSONValueEncoder {
    public init() {}

    public func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Slot()
        try Self.encode(value, into: root, at: [])
        return root.value
    }

    /// `path` is made only for values that encode through an encoder of their own. The type is
    /// compared before any cast: a failed dynamic cast costs more than encoding a string, and most
    /// values that come through here are nested structures.
    fileprivate static func encode<Value: Encodable>(_ value: Value, into slot: Slot, at path: @autoclosure () -> [any CodingKey]) throws {
        if Value.self == String.self {
            slot.set(.string(value as! String))
        } else if Value.self == Int.self {
            slot.set(.int(value as! Int))
        } else if Value.self == Bool.self {
            slot.set(.bool(value as! Bool))
        } else if Value.self == Double.self {
            slot.set(number(value as! Double))
        } else if Value.self == JSONValue.self {
            slot.set(value as! JSONValue)
        } else if Value.self == URL.self {
            slot.set(.string((value as! URL).absoluteString))
        } else if Value.self == Data.self {
            slot.set(.string((value as! Data).base64EncodedString()))
        } else {
            try value.encode(to: NodeEncoder(slot: slot, codingPath: path()))
        }
    }

    fileprivate static func number(_ double: Double) -> JSONValue {
        double.rounded() == double && abs(double) < 1e15 ? .int(Int(double)) : .double(double)
    }
}

/// Where an encoded value goes: filled in by containers, read once everything is encoded. Members
/// and items wait in the order they were encoded, so that an object's dictionary is made once at
/// its final size; those still being encoded (nested containers) have a slot of their own until then.
/// A name encoded twice keeps its last value.
private final class Slot {
    enum Kind { case empty, value, object, array }

    private var kind = Kind.empty
    private var scalar = JSONValue.null
    private var members: [(name: String, value: JSONValue)] = []
    private var items: [JSONValue] = []
    private var open: [(index: Int, slot: Slot)] = []

    var count: Int { items.count }

    var value: JSONValue {
        switch kind {
        case .empty: return .object([:])  // an Encodable that encodes nothing is `{}`, as with JSONEncoder
        case .value: return scalar
        case .object:
            for (index, slot) in open { members[index].value = slot.value }
            var object = [String: JSONValue](minimumCapacity: members.count)
            for (name, value) in members { object[name] = value }
            return .object(object)
        case .array:
            for (index, slot) in open { items[index] = slot.value }
            return .array(items)
        }
    }

    func set(_ value: JSONValue) {
        kind = .value
        scalar = value
    }

    func set(_ value: JSONValue, forKey name: String) {
        kind = .object
        members.append((name, value))
    }

    func child(_ name: String) -> Slot {
        kind = .object
        let slot = Slot()
        open.append((members.count, slot))
        members.append((name, .null))
        return slot
    }

    func append(_ value: JSONValue) {
        kind = .array
        items.append(value)
    }

    func appended() -> Slot {
        kind = .array
        let slot = Slot()
        open.append((items.count, slot))
        items.append(.null)
        return slot
    }

    func becomeObject() { kind = .object }

    func becomeArray() { kind = .array }
}

/// The coding key of a list item.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct NodeEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.becomeObject()
        return KeyedEncodingContainer(KeyedSlots<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.becomeArray()
        return ArraySlots(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { ValueSlot(slot: slot, codingPath: codingPath) }
}

private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) { slot.set(value, forKey: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(JSONValueEncoder.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(JSONValueEncoder.number(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.int(Int(value)), key) }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try JSONValueEncoder.encode(value, into: slot.child(key.stringValue), at: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.child(key.stringValue)
        child.becomeObject()
        return KeyedEncodingContainer(KeyedSlots<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot.child(key.stringValue)
        child.becomeArray()
        return ArraySlots(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(slot: slot.child("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(slot: slot.child(key.stringValue), codingPath: codingPath + [key]) }
}

private struct ArraySlots: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int { slot.count }

    private func append(_ value: JSONValue) { slot.append(value) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(JSONValueEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { append(JSONValueEncoder.number(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int(value)) }
    mutating func encode(_ value: Int8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { append(.int(Int(value))) }

    mutating func encode(_ value: some Encodable) throws {
        let index = count
        try JSONValueEncoder.encode(value, into: slot.appended(), at: codingPath + [IndexKey(index)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let index = count
        let child = slot.appended()
        child.becomeObject()
        return KeyedEncodingContainer(KeyedSlots<NestedKey>(slot: child, codingPath: codingPath + [IndexKey(index)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = count
        let child = slot.appended()
        child.becomeArray()
        return ArraySlots(slot: child, codingPath: codingPath + [IndexKey(index)])
    }

    mutating func superEncoder() -> any Encoder {
        let index = count
        return NodeEncoder(slot: slot.appended(), codingPath: codingPath + [IndexKey(index)])
    }
}

private struct ValueSlot: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue) { slot.set(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(JSONValueEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { set(JSONValueEncoder.number(Double(value))) }
    mutating func encode(_ value: Int) throws { set(.int(value)) }
    mutating func encode(_ value: Int8) throws { set(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { set(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { set(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt8) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { set(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { set(.int(Int(value))) }

    mutating func encode(_ value: some Encodable) throws {
        try JSONValueEncoder.encode(value, into: slot, at: codingPath)
    }
}
