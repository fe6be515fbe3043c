import JSON

// The `Decoder` and its containers: each holds the decoding state and the index of its frame.

struct NodeDecoder: Decoder {
    let state: DecodingState
    let frame: Int

    var codingPath: [any CodingKey] { state.codingPath(to: frame) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        _ = try state.openMapping(frame)
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(state: state, frame: frame))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let items = try state.openSequence(frame)
        return UnkeyedNodeContainer(state: state, frame: Int32(frame), start: Int32(items.start), count: Int32(items.count))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueNodeContainer(state: state, frame: frame)
    }
}

extension Decoder {
    /// Where the value being decoded starts, when it is decoded from YAML (a kubeconfig entry
    /// remembers it for later errors); nil for other decoders.
    public var yamlMark: Mark? {
        guard let decoder = self as? NodeDecoder else { return nil }
        return decoder.state.document.mark(of: decoder.state.frames[decoder.frame].node)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: DecodingState
    let frame: Int

    var codingPath: [any CodingKey] { state.codingPath(to: frame) }
    var allKeys: [Key] { state.keys(in: frame).compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { state.pair(key.stringValue, in: frame) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        state.pair(key.stringValue, in: frame).map { state.document.isNull($0.value) } ?? true
    }

    /// A required field: a missing or bad one is recorded and the schema's stand-in read
    /// instead, where it has one, so that the fields after it are still checked.
    private func required<T: Decodable>(_ type: T.Type, _ key: Key) throws(NodeProblem) -> T {
        guard let pair = state.pair(key.stringValue, in: frame) else { return try state.standIn(T.self, for: state.missing(key.stringValue, in: frame)) }
        do throws(NodeProblem) {
            return try state.decode(T.self, pair.value, key: pair.key, parent: frame, component: .init(key))
        } catch {
            return try state.standIn(T.self, for: error)
        }
    }

    /// Absent and null read as nil; so does a value with a problem, which is recorded (strict).
    private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws(NodeProblem) -> T? {
        guard let pair = state.pair(key.stringValue, in: frame), !state.document.isNull(pair.value) else { return nil }
        do throws(NodeProblem) {
            return try state.decode(T.self, pair.value, key: pair.key, parent: frame, component: .init(key))
        } catch {
            try state.recordOrThrow(error)
            return nil
        }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try required(type, key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try required(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try required(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try required(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try required(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try required(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try required(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try required(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try required(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try required(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try required(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try required(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try required(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try required(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try required(type, key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optional(type, key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }

    /// A decoder of its own for the value under `key`; its frame lasts as long as this one.
    private func child(_ key: Key) throws(NodeProblem) -> NodeDecoder {
        guard let pair = state.pair(key.stringValue, in: frame) else { throw state.missing(key.stringValue, in: frame) }
        state.frames.append(.init(type: Any.self, node: pair.value, key: pair.key, parent: frame, component: .init(key), problemCount: state.problems.count))
        return NodeDecoder(state: state, frame: state.frames.count - 1)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { NodeDecoder(state: state, frame: frame) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

/// The items of a list, read in order. Three words, so that it is passed without allocating.
private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let state: DecodingState
    let frame: Int32
    /// The items' place in `document.children`.
    let start: Int32
    let end: Int32
    var next: Int32

    init(state: DecodingState, frame: Int32, start: Int32, count: Int32) {
        self.state = state
        self.frame = frame
        self.start = start
        end = start + count
        next = start
    }

    var codingPath: [any CodingKey] { state.codingPath(to: Int(frame)) }
    var count: Int? { Int(end - start) }
    var isAtEnd: Bool { next >= end }
    var currentIndex: Int { Int(next - start) }

    private mutating func item<T: Decodable>(_ type: T.Type) throws(NodeProblem) -> T {
        guard !isAtEnd else {
            throw state.problem("no more items", at: state.errorMark(Int(frame)), Int(frame))
        }
        let node = state.document.children[Int(next)]
        let index = currentIndex
        next += 1
        return try state.decode(T.self, node, key: nil, parent: Int(frame), component: .index(index))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, state.document.isNull(state.document.children[Int(next)]) else { return false }
        next += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try item(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try item(type) }
    mutating func decode(_ type: String.Type) throws -> String { try item(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try item(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try item(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try item(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try item(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try item(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try item(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try item(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try item(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try item(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try item(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try item(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try item(type) }

    /// A decoder of its own for the next item; its frame lasts as long as the list's.
    mutating func superDecoder() throws -> any Decoder {
        guard !isAtEnd else { throw state.problem("no more items", at: state.errorMark(Int(frame)), Int(frame)) }
        let node = state.document.children[Int(next)]
        state.frames.append(.init(type: Any.self, node: node, key: nil, parent: Int(frame), component: .index(currentIndex), problemCount: state.problems.count))
        next += 1
        return NodeDecoder(state: state, frame: state.frames.count - 1)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try superDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try superDecoder().unkeyedContainer()
    }
}

private struct SingleValueNodeContainer: SingleValueDecodingContainer {
    let state: DecodingState
    let frame: Int

    var codingPath: [any CodingKey] { state.codingPath(to: frame) }
    private var node: YAMLDocument.NodeID { state.frames[frame].node }

    func decodeNil() -> Bool { state.document.isNull(node) }

    /// The value itself, read as another type (a wrapper reading what it wraps).
    private func value<T: Decodable>(_ type: T.Type) throws(NodeProblem) -> T {
        try state.decode(T.self, node, key: state.frames[frame].key, parent: frame, component: nil)
    }

    /// The type whose `init(from:)` asks: a closed set of words may be spelled `no`.
    func decode(_ type: String.Type) throws -> String { try state.string(node, frame, nil, closedSet: state.frames[frame].type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try value(type) }
    func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
    func decode(_ type: Double.Type) throws -> Double { try value(type) }
    func decode(_ type: Float.Type) throws -> Float { Float(try value(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try value(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try state.integer(type, node, frame, nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try state.integer(type, node, frame, nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try state.integer(type, node, frame, nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try state.integer(type, node, frame, nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try state.integer(type, node, frame, nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try state.integer(type, node, frame, nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try state.integer(type, node, frame, nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try state.integer(type, node, frame, nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try state.integer(type, node, frame, nil) }
}
