/// One YAML document as the parser builds it: every node in one array, addressed by `NodeID`,
/// scalar text in one byte buffer and the children of collections in one shared array.
///
/// Nothing is allocated per node, storage is reused from one document to the next and scalars are
/// resolved once, as they are read: building a document costs about a third of libyaml's own
/// parse of it. `node(_:)` gives the same document as a `Node` tree, for emitting and for tests.
public struct YAMLDocument: Sendable {
    public struct NodeID: Hashable, Sendable {
        @usableFromInline let index: Int

        @usableFromInline init(index: Int) { self.index = index }
    }

    public enum Kind: Sendable, Equatable {
        case scalar(Scalar.Style)
        case sequence
        case mapping
    }

    /// A scalar's type under the YAML 1.2 core schema, explicit tags honoured; its text is `text(of:)`.
    public enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string
    }

    /// 40 bytes, not 72: a 100 MB flow sequence is millions of records, so the fields are ordered
    /// to pack and the mark and tag are kept narrow (clamped, never trapping, on absurd input).
    @usableFromInline struct Record: Sendable {
        /// Scalars only; `.string` for collections, which never read it.
        @usableFromInline var value: Value
        @usableFromInline var kind: Kind
        /// Scalars whose text is all ASCII compare byte for byte; others as Strings, which compare
        /// by canonical equivalence ("\u{212A}" is "K").
        @usableFromInline var isASCII: Bool
        @usableFromInline var tagIndex: Int32
        @usableFromInline var line: UInt32
        @usableFromInline var column: UInt32
        /// Scalars: a range of `text`. Collections: a range of `children`, where a mapping's keys and
        /// values alternate.
        @usableFromInline var start: Int
        @usableFromInline var count: Int

        @usableFromInline init(kind: Kind, value: Value, mark: Mark, tag: Int, start: Int, count: Int, isASCII: Bool = true) {
            self.value = value
            self.kind = kind
            self.isASCII = isASCII
            tagIndex = Int32(clamping: tag)
            line = UInt32(clamping: mark.line)
            column = UInt32(clamping: mark.column)
            self.start = start
            self.count = count
        }

        @inlinable var mark: Mark {
            get { Mark(line: Int(line), column: Int(column)) }
            set {
                line = UInt32(clamping: newValue.line)
                column = UInt32(clamping: newValue.column)
            }
        }

        /// An index into `tags`, or -1.
        @inlinable var tag: Int { Int(tagIndex) }
    }

    @usableFromInline var records: [Record] = []
    @usableFromInline var text: [UInt8] = []
    @usableFromInline var children: [NodeID] = []
    @usableFromInline var tags: [String] = []
    public internal(set) var root = NodeID(index: 0)

    /// Forgets the nodes but keeps the storage, for the next document of a stream.
    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
        children.removeAll(keepingCapacity: true)
        tags.removeAll(keepingCapacity: true)
    }

    // MARK: Reading

    @inlinable
    public func kind(of node: NodeID) -> Kind { records[node.index].kind }

    @inlinable
    public func mark(of node: NodeID) -> Mark { records[node.index].mark }

    /// The explicit tag as written and expanded (`tag:yaml.org,2002:str` for `!!str`), if any.
    @inlinable
    public func tag(of node: NodeID) -> String? {
        let tag = records[node.index].tag
        return tag < 0 ? nil : tags[tag]
    }

    /// The scalar's resolved type; nil for a mapping or a list.
    @inlinable
    public func value(of node: NodeID) -> Value? {
        let record = records[node.index]
        guard case .scalar = record.kind else { return nil }
        return record.value
    }

    @inlinable
    public func isNull(_ node: NodeID) -> Bool {
        if case .null? = value(of: node) { return true }
        return false
    }

    /// Whether the node is a scalar that reads as a string.
    @inlinable
    public func isString(_ node: NodeID) -> Bool {
        if case .string? = value(of: node) { return true }
        return false
    }

    /// The scalar's text as written (quotes and escapes already undone); empty for a collection.
    public func text(of node: NodeID) -> String {
        let record = records[node.index]
        guard case .scalar = record.kind else { return "" }
        return text.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[record.start..<record.start + record.count]), as: UTF8.self)
        }
    }

    /// The length of a scalar's text in UTF-8 bytes.
    @inlinable
    public func textCount(of node: NodeID) -> Int {
        let record = records[node.index]
        guard case .scalar = record.kind else { return 0 }
        return record.count
    }

    /// Whether a scalar's text is all ASCII: then only text of the same length in bytes equals it
    /// (other text may be canonically equivalent to text of another length).
    @inlinable
    public func isASCII(_ node: NodeID) -> Bool { records[node.index].isASCII }

    /// Whether a scalar's text is `string` (as Strings compare), without making a String of it
    /// when both are ASCII.
    public func text(of node: NodeID, equals string: String) -> Bool {
        var string = string
        return string.withUTF8 { text(of: node, equalsUTF8: $0, isASCII: Self.isASCII($0)) }
    }

    /// Whether a scalar's text is the UTF-8 `bytes`, which are all ASCII when `isASCII` (found
    /// when nil): byte for byte when both are ASCII; otherwise as Strings, which also finds a
    /// canonically equivalent spelling ("\u{212A}" is "K").
    @inlinable
    public func text(of node: NodeID, equalsUTF8 bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool? = nil) -> Bool {
        let isASCII = isASCII ?? Self.isASCII(bytes)
        let record = records[node.index]
        guard case .scalar = record.kind else { return false }
        guard record.isASCII && isASCII else { return text(of: node) == String(decoding: bytes, as: UTF8.self) }
        guard record.count == bytes.count else { return false }
        return text.withUnsafeBufferPointer { buffer in
            for i in 0..<bytes.count where bytes[i] != buffer[record.start + i] { return false }
            return true
        }
    }

    @inlinable
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var bits: UInt8 = 0
        for byte in bytes { bits |= byte }
        return bits < 0x80
    }

    /// Whether a scalar's text is `ascii`, which must be ASCII (a field name).
    @inlinable
    public func text(of node: NodeID, equalsASCII ascii: StaticString) -> Bool {
        ascii.withUTF8Buffer { text(of: node, equalsUTF8: $0, isASCII: true) }
    }

    /// Whether two nodes are scalars with the same text (as Strings compare).
    public func sameText(_ a: NodeID, _ b: NodeID) -> Bool {
        let x = records[a.index], y = records[b.index]
        guard case .scalar = x.kind, case .scalar = y.kind else { return false }
        guard x.isASCII && y.isASCII else { return text(of: a) == text(of: b) }
        return x.count == y.count && text.withUnsafeBufferPointer { buffer in
            buffer[x.start..<x.start + x.count].elementsEqual(buffer[y.start..<y.start + y.count])
        }
    }

    /// The items of a list; empty for anything else.
    @inlinable
    public func items(of node: NodeID) -> Items {
        let record = records[node.index]
        guard record.kind == .sequence else { return Items(children: [], start: 0, count: 0) }
        return Items(children: children, start: record.start, count: record.count)
    }

    /// The keys and values of a mapping, in order, merged keys last; empty for anything else.
    @inlinable
    public func pairs(of node: NodeID) -> Pairs {
        let record = records[node.index]
        guard record.kind == .mapping else { return Pairs(children: [], start: 0, count: 0) }
        return Pairs(children: children, start: record.start, count: record.count / 2)
    }

    public struct Items: RandomAccessCollection, Sendable {
        @usableFromInline let children: [NodeID]
        @usableFromInline let start: Int
        public let count: Int

        @usableFromInline init(children: [NodeID], start: Int, count: Int) {
            self.children = children
            self.start = start
            self.count = count
        }

        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { count }

        @inlinable public subscript(position: Int) -> NodeID { children[start + position] }
    }

    public struct Pairs: RandomAccessCollection, Sendable {
        @usableFromInline let children: [NodeID]
        @usableFromInline let start: Int
        public let count: Int

        @usableFromInline init(children: [NodeID], start: Int, count: Int) {
            self.children = children
            self.start = start
            self.count = count
        }

        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { count }

        @inlinable public subscript(position: Int) -> (key: NodeID, value: NodeID) {
            (children[start + 2 * position], children[start + 2 * position + 1])
        }
    }

    /// The value under a string key of a mapping.
    public func value(of mapping: NodeID, at key: String) -> NodeID? {
        var key = key
        return key.withUTF8 { bytes in
            let isASCII = Self.isASCII(bytes)
            return pairs(of: mapping).first { text(of: $0.key, equalsUTF8: bytes, isASCII: isASCII) }?.value
        }
    }

    // MARK: Trees

    /// The subtree at `node` as a `Node` tree (aliases and merges expanded, as they were read).
    public func node(_ node: NodeID) -> Node {
        let record = records[node.index]
        let content: Node.Content
        switch record.kind {
        case .scalar(let style): content = .scalar(Scalar(text(of: node), style: style))
        case .sequence: content = .sequence(items(of: node).map(self.node))
        case .mapping: content = .mapping(pairs(of: node).map { Node.Pair(key: self.node($0.key), value: self.node($0.value)) })
        }
        return Node(content, mark: record.mark, tag: tag(of: node))
    }
}

extension YAMLDocument.Value {
    /// With the text the type omits, for messages.
    public func resolved(text: String) -> Scalar.Resolved {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .float(let d): .float(d)
        case .string: .string(text)
        }
    }
}
