/// One node of a YAML document. Every node keeps the mark where it starts, so that decoding
/// errors can point at the source like a compiler does.
public struct Node: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([Pair])
    }

    public struct Pair: Sendable, Equatable {
        public var key: Node
        public var value: Node

        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    public var mark: Mark
    /// The explicit tag as written and expanded (`tag:yaml.org,2002:str` for `!!str`), if any.
    public var tag: String?

    public init(_ content: Content, mark: Mark = Mark(line: 0, column: 0), tag: String? = nil) {
        self.content = content
        self.mark = mark
        self.tag = tag
    }

    /// Equality of content only: two documents that say the same thing in different places are equal.
    public static func == (a: Node, b: Node) -> Bool {
        a.content == b.content
    }
}

extension Node {
    public var scalar: Scalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value under a string key of a mapping.
    public subscript(key: String) -> Node? {
        mapping?.first { $0.key.scalar?.string == key }?.value
    }

    /// The scalar's type under the YAML 1.2 core schema, honouring an explicit tag; nil for a
    /// mapping or a list.
    public var resolved: Scalar.Resolved? {
        guard case .scalar(let s) = content else { return nil }
        return Scalar.resolve(s.string, style: s.style, tag: tag).resolved(text: s.string)
    }

    public static func string(_ s: String) -> Node { Node(.scalar(.quotedIfNeeded(s))) }
    public static func plain(_ s: String) -> Node { Node(.scalar(Scalar(s, style: .plain))) }
    public static var null: Node { plain("null") }
}
