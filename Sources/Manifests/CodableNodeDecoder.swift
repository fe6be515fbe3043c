import Model
import YAML

// The Codable decoder over YAML node trees, for values that are not resources (an autoscale
// situation read by `hmsctl autoscale recommend`). Resources decode through `NodeReader`, which
// is faster and reads field by field; this one serves any `Decodable` with the same strictness.

/// A decoding problem at a node; the caller adds the file. Decoding tries and discards many
/// errors (a quantity is tried as an integer before a string), so a type mismatch keeps the node
/// and its message is written only when the error is reported.
struct CodableNodeError: Error, @unchecked Sendable {  // coding keys are not Sendable; these never leave a decode
    enum Problem {
        case message(String)
        case mismatch(expected: String, found: Node, hint: String)
    }

    var mark: Mark
    var codingPath: [any CodingKey]
    var problem: Problem

    init(mark: Mark, codingPath: [any CodingKey], _ problem: Problem) {
        self.mark = mark
        self.codingPath = codingPath
        self.problem = problem
    }

    init(mark: Mark, path: FieldPath, message: String) {
        self.init(mark: mark, codingPath: path.components.map(PathKey.init), .message(message))
    }

    var path: FieldPath { FieldPath(codingPath: codingPath) }

    var message: String {
        switch problem {
        case .message(let text): text
        case .mismatch(let expected, let node, let hint): "expected \(expected), found \(describe(node))\(hint)"
        }
    }
}

/// Collects the problems of one document. Problems in optional fields are recorded and decoding
/// goes on (the field reads as absent), so one pass reports many errors, not just the first.
final class ProblemSink {
    var problems: [CodableNodeError] = []
}

/// Decodes any `Decodable` from a YAML node tree, strictly: no unknown fields, no type coercion
/// (an unquoted `10` is not a string, `"10"` is not an integer), every error at its node.
struct NodeDecoder: Decoder {
    let node: Node
    let path: [any CodingKey]
    let sink: ProblemSink
    /// The type being decoded, to suggest field names when a key is unknown.
    let type: Any.Type
    /// Where errors about the node as a whole point.
    let mark: Mark

    init(node: Node, path: [any CodingKey], sink: ProblemSink, type: Any.Type, key: Node? = nil) {
        self.node = node
        self.path = path
        self.sink = sink
        self.type = type
        self.mark = errorMark(of: node, key: key)
    }

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from node: Node, path: [any CodingKey], sink: ProblemSink, key: Node? = nil) throws -> T {
        do {
            return try T(from: NodeDecoder(node: node, path: path, sink: sink, type: type, key: key))
        } catch let error as CodableNodeError {
            throw error
        } catch let error as DecodingError {
            // Thrown by a type's own init(from:) (a quantity, a cron expression): place it.
            throw NodeDecoder.place(error, under: node, at: path, mark: errorMark(of: node, key: key))
        }
    }

    func container<Key: CodingKey>(keyedBy: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let pairs = node.mapping else { throw mismatch("a mapping") }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(node: node, mark: mark, pairs: pairs, path: path, sink: sink, type: type))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let items = node.sequence else { throw mismatch("a list") }
        return UnkeyedNodeContainer(items: items, path: path, sink: sink)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ScalarContainer(node: node, path: path, sink: sink, type: type)
    }

    private func mismatch(_ expected: String) -> CodableNodeError {
        CodableNodeError(mark: mark, codingPath: path, .mismatch(expected: expected, found: node, hint: ""))
    }

    static func place(_ error: DecodingError, under node: Node, at path: [any CodingKey], mark: Mark) -> CodableNodeError {
        let context: DecodingError.Context
        switch error {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c): context = c
        @unknown default: return CodableNodeError(mark: mark, codingPath: path, .message("\(error)"))
        }
        // The error may name a key below `node`: walk down to it for the best position.
        var target = node
        var targetMark = mark
        for key in context.codingPath.dropFirst(path.count) {
            if let index = key.intValue, let items = target.sequence, items.indices.contains(index) {
                target = items[index]
                targetMark = target.mark
            } else if let pair = target.mapping?.first(where: { $0.key.scalar?.string == key.stringValue }) {
                target = pair.value
                targetMark = errorMark(of: pair.value, key: pair.key)
            }
        }
        return CodableNodeError(mark: targetMark, codingPath: context.codingPath, .message(context.debugDescription))
    }
}

extension FieldPath {
    init(codingPath: [any CodingKey]) {
        self.init(codingPath.map { key in key.intValue.map(Component.index) ?? .key(key.stringValue) })
    }
}

/// Errors about a block collection point at its key (`spec:`), not at its first child, which is
/// where libyaml marks it; scalars and flow collections point at themselves.
func errorMark(of node: Node, key: Node?) -> Mark {
    guard let key, node.mark.line > key.mark.line else { return node.mark }
    return key.mark
}

/// How a node reads in a message: `"three"`, `the number 3`, `a mapping`.
func describe(_ node: Node) -> String {
    switch node.content {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .scalar(let scalar):
        switch node.resolved {
        case .null?, nil: return "nothing (null)"
        case .bool(let value)?: return "the boolean \(value)"
        case .int?, .float?: return "the number \(scalar.string)"
        case .string(let value)?: return "\"\(value)\""
        }
    }
}

/// A primitive seen as a generic Decodable, so that it takes the generic code paths.
private struct Wrapped<Value: Decodable>: Decodable {
    let value: Value
    init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Value.self)
    }
}

/// A coding key made from a path component: a field name or a list index.
struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ name: String) { stringValue = name }
    init(_ index: Int) {
        stringValue = "\(index)"
        intValue = index
    }
    init(_ component: FieldPath.Component) {
        switch component {
        case .key(let name): self.init(name)
        case .index(let index): self.init(index)
        }
    }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: Node
    let mark: Mark
    let pairs: [Node.Pair]
    let path: [any CodingKey]
    let sink: ProblemSink
    let allKeys: [Key]
    /// The key of each pair as a string (nil where it is not one), looked up without copying nodes.
    let names: [String?]

    var codingPath: [any CodingKey] { path }

    init(node: Node, mark: Mark, pairs: [Node.Pair], path: [any CodingKey], sink: ProblemSink, type: Any.Type) {
        self.node = node
        self.mark = mark
        self.pairs = pairs
        self.path = path
        self.sink = sink
        var keys: [Key] = []
        keys.reserveCapacity(pairs.count)
        names = pairs.map { $0.key.scalar?.string }
        for pair in pairs {
            guard let name = pair.key.scalar?.string, case .string? = pair.key.resolved else {
                sink.problems.append(CodableNodeError(mark: pair.key.mark, codingPath: path, .message("keys must be strings, found \(describe(pair.key))")))
                continue
            }
            if let key = Key(stringValue: name) {
                keys.append(key)
            } else {
                sink.problems.append(CodableNodeError(mark: pair.key.mark, codingPath: path + [PathKey(name)], .message(unknownField(name, of: type))))
            }
        }
        allKeys = keys
    }

    private func pair(_ key: Key) -> Node.Pair? {
        // Mappings are small; a scan beats building a dictionary for each.
        names.firstIndex(of: key.stringValue).map { pairs[$0] }
    }

    private func required(_ key: Key) throws -> Node.Pair {
        guard let pair = pair(key) else {
            throw CodableNodeError(mark: mark, codingPath: path, .message("missing required field \"\(key.stringValue)\""))
        }
        return pair
    }

    func contains(_ key: Key) -> Bool { pair(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        pair(key).map { isNull($0.value) } ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let pair = try required(key)
        return try NodeDecoder.decode(type, from: pair.value, path: path + [key], sink: sink, key: pair.key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let pair = pair(key), !isNull(pair.value) else { return nil }
        do {
            return try NodeDecoder.decode(type, from: pair.value, path: path + [key], sink: sink, key: pair.key)
        } catch let error as CodableNodeError {
            sink.problems.append(error)
            return nil
        }
    }

    // Optional primitives would otherwise go through contains/decodeNil/decode, which throws
    // instead of recording: route them through the recording path above.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(Wrapped<Bool>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(Wrapped<String>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(Wrapped<Double>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(Wrapped<Int>.self, forKey: key)?.value }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try scalar(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try scalar(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try scalar(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try scalar(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try scalar(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try scalar(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try scalar(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(key).decode(type) }

    private func scalar(_ key: Key) throws -> ScalarContainer {
        let pair = try required(key)
        return ScalarContainer(node: pair.value, path: path + [key], sink: sink, type: Any.self)
    }

    private func nested(_ key: Key) throws -> NodeDecoder {
        let pair = try required(key)
        return NodeDecoder(node: pair.value, path: path + [key], sink: sink, type: Any.self, key: pair.key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try nested(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nested(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        NodeDecoder(node: node, path: path, sink: sink, type: Any.self)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try nested(key)
    }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let items: [Node]
    let path: [any CodingKey]
    let sink: ProblemSink
    var currentIndex = 0

    init(items: [Node], path: [any CodingKey], sink: ProblemSink) {
        self.items = items
        self.path = path
        self.sink = sink
    }

    var codingPath: [any CodingKey] { path }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> (Node, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: path, debugDescription: "no more items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], path + [PathKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, isNull(items[currentIndex]) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, path) = try next()
        return try NodeDecoder.decode(type, from: node, path: path, sink: sink)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try scalar().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try scalar().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try scalar().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try scalar().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try scalar().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try scalar().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try scalar().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try scalar().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar().decode(type) }

    private mutating func scalar() throws -> ScalarContainer {
        let (node, path) = try next()
        return ScalarContainer(node: node, path: path, sink: sink, type: Any.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, path) = try next()
        return try NodeDecoder(node: node, path: path, sink: sink, type: Any.self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (node, path) = try next()
        return try NodeDecoder(node: node, path: path, sink: sink, type: Any.self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (node, path) = try next()
        return NodeDecoder(node: node, path: path, sink: sink, type: Any.self)
    }
}

private func isNull(_ node: Node) -> Bool {
    node.resolved == .null
}

/// Reads one scalar as the type asked for, refusing anything YAML would not call that type.
private struct ScalarContainer: SingleValueDecodingContainer {
    let node: Node
    let path: [any CodingKey]
    let sink: ProblemSink
    /// The type asking; a closed set of values (an enum) gives better advice than "quote it".
    let type: Any.Type

    var codingPath: [any CodingKey] { path }

    private func mismatch(_ expected: String, hint: String = "") -> CodableNodeError {
        CodableNodeError(mark: node.mark, codingPath: path, .mismatch(expected: expected, found: node, hint: hint))
    }

    func decodeNil() -> Bool { isNull(node) }

    /// `"no"` where a boolean belongs: say which boolean YAML 1.1 meant.
    private static func booleanHint(_ node: Node) -> String {
        guard let scalar = node.scalar, Scalar(scalar.string, style: .plain).isYAML11Boolean else { return "" }
        return ["y", "yes", "on"].contains(scalar.string.lowercased()) ? "; write true" : "; write false"
    }

    /// `"4"` where a number belongs: say how to write it.
    private static func quotedNumberHint(_ node: Node) -> String {
        guard let scalar = node.scalar, scalar.style != .plain else { return "" }
        switch Scalar(scalar.string, style: .plain).resolved {
        case .int, .float: return "; remove the quotes: \(scalar.string)"
        default: return ""
        }
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let value)? = node.resolved else {
            throw mismatch("a boolean (true or false)", hint: Self.booleanHint(node))
        }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        guard let scalar = node.scalar else { throw mismatch("a string") }
        guard case .string(let value)? = node.resolved else {
            throw mismatch("a string", hint: node.resolved == .null ? "" : "; quote it to make it a string: \"\(scalar.string)\"")
        }
        if scalar.isYAML11Boolean && node.tag == nil && !(self.type is any WireEnum.Type) {
            throw CodableNodeError(mark: node.mark, codingPath: path, .message("\"\(value)\" is a boolean to YAML 1.1 tools such as kubectl; quote it to make it a string: \"\(value)\""))
        }
        return value
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch node.resolved {
        case .int(let value)?: return Double(value)
        case .float(let value)? where value.isFinite: return value
        default: throw mismatch("a number", hint: Self.quotedNumberHint(node))
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .int(let value)? = node.resolved else {
            throw mismatch("an integer", hint: Self.quotedNumberHint(node))
        }
        guard let exact = I(exactly: value) else {
            throw CodableNodeError(mark: node.mark, codingPath: path, .message("\(value) is out of range for this field"))
        }
        return exact
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try NodeDecoder.decode(type, from: node, path: path, sink: sink)
    }
}

/// `unknown field "replica"; did you mean "replicas"?`, or the list of known fields.
private func unknownField(_ name: String, of type: Any.Type) -> String {
    let known = OpenAPISchema.fieldNames(of: type)
    guard !known.isEmpty else { return "unknown field \"\(name)\"" }
    if let suggestion = Spelling.closest(to: name, in: known) {
        return "unknown field \"\(name)\"; did you mean \"\(suggestion)\"?"
    }
    return "unknown field \"\(name)\"; known fields: \(known.joined(separator: ", "))"
}

extension Node {
    /// The position of the deepest node that exists along a field path: the field itself, or the
    /// mapping that lacks it.
    func mark(at path: FieldPath) -> Mark {
        var node = self
        for component in path.components {
            switch component {
            case .key(let key):
                guard let pair = node.mapping?.first(where: { $0.key.scalar?.string == key }) else { return node.mark }
                node = pair.value
            case .index(let index):
                guard let items = node.sequence, items.indices.contains(index) else { return node.mark }
                node = items[index]
            }
        }
        return node.mark
    }
}
