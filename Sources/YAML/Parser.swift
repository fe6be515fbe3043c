internal import CLibYAML

/// Reads a stream of YAML documents into node trees through libyaml's event API.
///
/// Aliases are resolved as the stream is read. They share storage with the anchored node, so memory
/// stays bounded, but a consumer walking the tree pays for every expansion: `maxAliasExpansion`
/// caps the nodes that aliases add to one document, which refuses "billion laughs" documents early.
public struct YAMLParser: Sendable {
    public var maxDepth: Int
    public var maxAliasExpansion: Int

    public init(maxDepth: Int = 256, maxAliasExpansion: Int = 100_000) {
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }

    /// Every document of the stream, in order. Empty documents (`---` alone) come back as null
    /// scalars; a stream of nothing but comments has no documents.
    public func parse(_ bytes: [UInt8]) throws(YAMLError) -> [Node] {
        var documents: [Node] = []
        try forEachDocument(bytes) { documents.append($0) }
        return documents
    }

    /// Hands over each document as soon as it is complete, so that a long stream never holds more
    /// than one tree. Documents before a syntax error have been handed over when it is thrown.
    public func forEachDocument(_ bytes: [UInt8], _ body: (Node) -> Void) throws(YAMLError) {
        var builder = TreeBuilder(limits: self)
        let failure: YAMLError? = bytes.withUnsafeBufferPointer { buffer in
            let events = EventReader(buffer)
            do throws(YAMLError) {
                while true {
                    var event = try events.next()
                    defer { yaml_event_delete(&event) }
                    if event.type == YAML_STREAM_END_EVENT { return nil }
                    if let document = try builder.consume(&event) { body(document) }
                }
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    public func parse(_ text: String) throws(YAMLError) -> [Node] {
        try parse(Array(text.utf8))
    }
}

/// Owns one `yaml_parser_t` for the life of a parse; the input buffer must outlive it.
private final class EventReader {
    private var parser = yaml_parser_t()
    private let input: UnsafeBufferPointer<UInt8>

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, input.baseAddress ?? UnsafePointer(emptyBuffer), input.count)
    }

    deinit { yaml_parser_delete(&parser) }

    func next() throws(YAMLError) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { throw error() }
        return event
    }

    private func error() -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_READER_ERROR:
            // The reader reports a byte offset, not a mark: count lines up to it ourselves.
            var detail = problem
            if parser.problem_value != -1 { detail += " (byte 0x\(String(parser.problem_value, radix: 16)))" }
            return YAMLError(.reader, detail, at: mark(atOffset: parser.problem_offset))
        case YAML_MEMORY_ERROR:
            return YAMLError(.memory, "out of memory while parsing", at: nil)
        default:
            var message = problem
            var mark = Mark(parser.problem_mark)
            if let context = parser.context, problem != Self.tabProblem {
                let contextMark = Mark(parser.context_mark)
                message += " (\(String(cString: context)) at line \(contextMark.line), column \(contextMark.column))"
                // At the end of the input there is no line to show: point where the construct began.
                if parser.problem_mark.index >= input.count { mark = contextMark }
            }
            if let hint = Self.hints[problem] { message += "; \(hint)" }
            return YAMLError(.syntax, message, at: mark)
        }
    }

    private static let tabProblem = "found a tab character that violates indentation"

    /// Plain words for libyaml's most common complaints, added after its own.
    private static let hints: [String: String] = [
        tabProblem: "YAML indents with spaces only",
        "found unexpected end of stream": "it is never closed",
        "did not find expected ',' or '}'": "a flow mapping {...} is not closed, or a comma is missing",
        "did not find expected ',' or ']'": "a flow list [...] is not closed, or a comma is missing",
        "did not find expected key": "check the indentation: the keys of one mapping must line up",
        "mapping values are not allowed in this context": "quote a value that contains \": \"",
        "could not find expected ':'": "a key needs a colon, or a multi-line value needs quotes",
    ]

    private func mark(atOffset offset: Int) -> Mark {
        var line = 1, column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count characters, not continuation bytes
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}

/// libyaml refuses null buffers: an empty input or scalar points here instead.
nonisolated(unsafe) let emptyBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

extension Mark {
    init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}

/// Turns events into trees, one document at a time, with an explicit stack so that nesting depth
/// never reaches the machine stack.
private struct TreeBuilder {
    private struct Frame {
        var mark: Mark
        var tag: String?
        var anchor: String?
        var isMapping: Bool
        /// Sequence items, or mapping keys and values alternating.
        var items: [Node] = []
        /// Nodes in this subtree, aliases expanded; used to price later aliases to it.
        var size = 1
    }

    let limits: YAMLParser
    private var stack: [Frame] = []
    private var root: Node?
    private var anchors: [String: (node: Node, size: Int)] = [:]
    private var expanded = 0

    init(limits: YAMLParser) { self.limits = limits }

    /// Takes one event; returns the document it completes, if any.
    mutating func consume(_ event: inout yaml_event_t) throws(YAMLError) -> Node? {
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let scalar = Scalar(text, style: Scalar.Style(data.style))
            add(Node(.scalar(scalar), mark: mark, tag: string(data.tag)), size: 1, anchor: string(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(.undefinedAlias, "unknown anchor \"\(name)\" (an alias must follow its anchor in the same document)", at: mark)
            }
            expanded += target.size
            if expanded > limits.maxAliasExpansion {
                throw YAMLError(.aliasExpansion, "aliases expand this document to more than \(limits.maxAliasExpansion) nodes; refusing it (a \"billion laughs\" document?)", at: mark)
            }
            var node = target.node
            node.mark = mark
            add(node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < limits.maxDepth else {
                throw YAMLError(.depth, "nested deeper than \(limits.maxDepth) levels", at: mark)
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tag = isMapping ? string(event.data.mapping_start.tag) : string(event.data.sequence_start.tag)
            let anchor = isMapping ? string(event.data.mapping_start.anchor) : string(event.data.sequence_start.anchor)
            stack.append(Frame(mark: mark, tag: tag, anchor: anchor, isMapping: isMapping))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return nil }
            let content: Node.Content = frame.isMapping
                ? .mapping(try Self.pairs(frame.items))
                : .sequence(frame.items)
            add(Node(content, mark: frame.mark, tag: frame.tag), size: frame.size, anchor: frame.anchor)
        case YAML_DOCUMENT_END_EVENT:
            defer {
                root = nil
                anchors.removeAll(keepingCapacity: true)
                expanded = 0
            }
            return root ?? .null
        default:
            break
        }
        return nil
    }

    private mutating func add(_ node: Node, size: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (node, size) }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].items.append(node)
            stack[stack.count - 1].size += size
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Pairs the items of a mapping, refusing duplicate keys and applying merge keys (`<<: *base`):
    /// keys written in the mapping win over merged ones, earlier merged mappings over later ones.
    private static func pairs(_ items: [Node]) throws(YAMLError) -> [Node.Pair] {
        var pairs: [Node.Pair] = []
        pairs.reserveCapacity(items.count / 2)
        var merges: [Node] = []
        var index = 0
        while index + 1 < items.count {
            let pair = Node.Pair(key: items[index], value: items[index + 1])
            index += 2
            if isMergeKey(pair.key) { merges.append(pair.value) } else { pairs.append(pair) }
        }
        try checkDuplicates(pairs)
        guard !merges.isEmpty else { return pairs }
        var seen = Set(pairs.compactMap { $0.key.scalar?.string })
        for merge in merges {
            let sources: [Node]
            switch merge.content {
            case .mapping: sources = [merge]
            case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }): sources = items
            default:
                throw YAMLError(.merge, "a merge key (<<) needs a mapping or a list of mappings, found \(merge.kindDescription)", at: merge.mark)
            }
            for source in sources {
                for pair in source.mapping ?? [] {
                    guard let key = pair.key.scalar?.string else { continue }
                    if seen.insert(key).inserted { pairs.append(pair) }
                }
            }
        }
        return pairs
    }

    private static func isMergeKey(_ key: Node) -> Bool {
        guard let scalar = key.scalar else { return false }
        return key.tag == "tag:yaml.org,2002:merge" || (scalar.style == .plain && scalar.string == "<<" && key.tag == nil)
    }

    private static func checkDuplicates(_ pairs: [Node.Pair]) throws(YAMLError) {
        func duplicate(_ key: Node, first: Node) -> YAMLError {
            YAMLError(.duplicateKey, "duplicate key \"\(key.scalar?.string ?? "")\" (first defined at line \(first.mark.line), column \(first.mark.column))", at: key.mark)
        }
        if pairs.count <= 16 {
            for i in pairs.indices {
                guard let key = pairs[i].key.scalar?.string else { continue }
                for j in 0..<i where pairs[j].key.scalar?.string == key {
                    throw duplicate(pairs[i].key, first: pairs[j].key)
                }
            }
            return
        }
        var firstIndex: [String: Int] = [:]
        for (i, pair) in pairs.enumerated() {
            guard let key = pair.key.scalar?.string else { continue }
            if let j = firstIndex[key] { throw duplicate(pair.key, first: pairs[j].key) }
            firstIndex[key] = i
        }
    }
}

extension Scalar.Style {
    init(_ style: yaml_scalar_style_t) {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: self = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: self = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: self = .literal
        case YAML_FOLDED_SCALAR_STYLE: self = .folded
        default: self = .plain
        }
    }
}
