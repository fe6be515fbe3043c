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

    /// Every document of the stream, in order, as trees. Empty documents (`---` alone) come back as
    /// null scalars; a stream of nothing but comments has no documents.
    public func parse(_ bytes: [UInt8]) throws(YAMLError) -> [Node] {
        var documents: [Node] = []
        try forEachDocument(bytes) { documents.append($0.node($0.root)) }
        return documents
    }

    /// Hands over each document as soon as it is complete, so that a long stream never holds more
    /// than one. The document's storage is reused for the next one: copy out what you keep.
    /// Documents before a syntax error have been handed over when it is thrown.
    public func forEachDocument(_ bytes: [UInt8], _ body: (YAMLDocument) -> Void) throws(YAMLError) {
        try forEachDocument(bytes, in: bytes.indices, firstLine: 1, body)
    }

    /// The documents of `bytes[range]`, a slice that starts where a document starts, on line
    /// `firstLine` of the whole stream: marks count from there, so that the slices of one long
    /// stream can be read on threads of their own and still point into the whole file.
    public func forEachDocument(_ bytes: [UInt8], in range: Range<Int>, firstLine: Int, _ body: (YAMLDocument) -> Void) throws(YAMLError) {
        let failure: YAMLError? = bytes.withUnsafeBufferPointer { whole in
            let buffer = UnsafeBufferPointer(rebasing: whole[range])
            // Local to the closure, not captured by it: no box, no dynamic exclusivity checks.
            var builder = TreeBuilder(limits: self, lineOffset: firstLine - 1)
            let events = EventReader(buffer, lineOffset: firstLine - 1)
            var event = yaml_event_t()
            do throws(YAMLError) {
                while true {
                    try events.next(&event)
                    defer { yaml_event_delete(&event) }
                    if event.type == YAML_STREAM_END_EVENT { return nil }
                    if try builder.consume(&event) {
                        body(builder.document)
                        builder.startNextDocument()
                    }
                }
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Every document of the stream, each with storage of its own: for files of a few
    /// documents (a kubeconfig, a request body) read whole.
    public func documents(_ bytes: [UInt8]) throws(YAMLError) -> [YAMLDocument] {
        var documents: [YAMLDocument] = []
        try forEachDocument(bytes) { documents.append($0) }
        return documents
    }

    public func parse(_ text: String) throws(YAMLError) -> [Node] {
        try parse(Array(text.utf8))
    }
}

/// Owns one `yaml_parser_t` for the life of a parse; the input buffer must outlive it.
private final class EventReader {
    // Behind a pointer, not a stored struct: handing a stored property to C as `inout` costs a
    // dynamic exclusivity check, once per event.
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let input: UnsafeBufferPointer<UInt8>
    /// Lines of the stream before `input`.
    private let lineOffset: Int

    init(_ input: UnsafeBufferPointer<UInt8>, lineOffset: Int) {
        self.input = input
        self.lineOffset = lineOffset
        parser.initialize(to: yaml_parser_t())
        yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, input.baseAddress ?? UnsafePointer(emptyBuffer), input.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// The next event, in place: libyaml fills `event`, which the caller deletes.
    func next(_ event: inout yaml_event_t) throws(YAMLError) {
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
    }

    private func error() -> YAMLError {
        let parser = self.parser.pointee
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
            var mark = Mark(parser.problem_mark, lineOffset: lineOffset)
            if let context = parser.context, problem != Self.tabProblem {
                let contextMark = Mark(parser.context_mark, lineOffset: lineOffset)
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
        var line = 1 + lineOffset, column = 1
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
    init(_ mark: yaml_mark_t, lineOffset: Int) {
        self.init(line: mark.line + 1 + lineOffset, column: mark.column + 1)
    }
}

/// Turns events into a `YAMLDocument`, one document at a time, with an explicit stack so that
/// nesting depth never reaches the machine stack.
private struct TreeBuilder {
    private typealias NodeID = YAMLDocument.NodeID

    private struct Frame {
        var mark: Mark
        var tag: Int
        var anchor: String?
        var isMapping: Bool
        /// Where this collection's children start in `pending`.
        var start: Int
        /// `document.records.count` and `aliasSurplus` when the collection started, which give its
        /// size when it ends.
        var records: Int
        var aliasSurplus: Int
    }

    let limits: YAMLParser
    /// Lines of the stream before the slice being read.
    let lineOffset: Int
    private(set) var document = YAMLDocument()
    private var stack: [Frame] = []
    /// The children of every open collection, innermost last; a mapping's keys and values alternate.
    private var pending: [NodeID] = []
    private var hasRoot = false
    /// Anchored nodes and the size of their subtrees, aliases expanded: what an alias to them costs.
    private var anchors: [String: (node: NodeID, size: Int)] = [:]
    /// How many nodes aliases have added beyond their own: the size of a subtree is the number of
    /// records made while it was read, plus what this grew by meanwhile.
    private var aliasSurplus = 0
    private var expanded = 0

    init(limits: YAMLParser, lineOffset: Int) {
        self.limits = limits
        self.lineOffset = lineOffset
    }

    mutating func startNextDocument() {
        document.removeAll()
        hasRoot = false
        anchors.removeAll(keepingCapacity: true)
        aliasSurplus = 0
        expanded = 0
    }

    /// Takes one event; true when it completes a document, which is then in `document`.
    mutating func consume(_ event: inout yaml_event_t) throws(YAMLError) -> Bool {
        let mark = Mark(event.start_mark, lineOffset: lineOffset)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
            let style = Scalar.Style(data.style)
            let tag = tagIndex(data.tag)
            let value = Scalar.resolve(bytes, style: style, tag: tag < 0 ? nil : document.tags[tag])
            let start = document.text.count
            document.text.append(contentsOf: bytes)
            let isASCII = Self.isASCII(bytes)
            add(append(.init(kind: .scalar(style), value: value, mark: mark, tag: tag, start: start, count: bytes.count, isASCII: isASCII)), size: 1, anchor: string(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(.undefinedAlias, "unknown anchor \"\(name)\" (an alias must follow its anchor in the same document)", at: mark)
            }
            expanded += target.size
            if expanded > limits.maxAliasExpansion {
                throw YAMLError(.aliasExpansion, "aliases expand this document to more than \(limits.maxAliasExpansion) nodes; refusing it (a \"billion laughs\" document?)", at: mark)
            }
            // The same node, storage shared, at the alias's position.
            var record = document.records[target.node.index]
            record.mark = mark
            aliasSurplus += target.size - 1
            add(append(record), size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < limits.maxDepth else {
                throw YAMLError(.depth, "nested deeper than \(limits.maxDepth) levels", at: mark)
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tag = tagIndex(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
            let anchor = string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
            stack.append(Frame(mark: mark, tag: tag, anchor: anchor, isMapping: isMapping, start: pending.count, records: document.records.count, aliasSurplus: aliasSurplus))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return false }
            let start = document.children.count
            if frame.isMapping {
                try appendPairs(pending[frame.start...])
            } else {
                document.children.append(contentsOf: pending[frame.start...])
            }
            pending.removeLast(pending.count - frame.start)
            let kind: YAMLDocument.Kind = frame.isMapping ? .mapping : .sequence
            let node = append(.init(kind: kind, value: .string, mark: frame.mark, tag: frame.tag, start: start, count: document.children.count - start))
            let size = document.records.count - frame.records + aliasSurplus - frame.aliasSurplus
            add(node, size: size, anchor: frame.anchor)
        case YAML_DOCUMENT_END_EVENT:
            if !hasRoot {  // libyaml gives even an empty document a node; this is a safety net
                let start = document.text.count
                document.text.append(contentsOf: "null".utf8)
                document.root = append(.init(kind: .scalar(.plain), value: .null, mark: Mark(line: 0, column: 0), tag: -1, start: start, count: 4))
            }
            return true
        default:
            break
        }
        return false
    }

    /// Whether no byte has its high bit set, tested eight at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var bits: UInt64 = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            bits |= UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            bits |= UInt64(bytes[offset])
            offset += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    private mutating func append(_ record: YAMLDocument.Record) -> NodeID {
        document.records.append(record)
        return NodeID(index: document.records.count - 1)
    }

    private mutating func add(_ node: NodeID, size: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (node, size) }
        if stack.isEmpty {
            document.root = node
            hasRoot = true
        } else {
            pending.append(node)
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private mutating func tagIndex(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> Int {
        guard let tag = string(pointer) else { return -1 }
        document.tags.append(tag)
        return document.tags.count - 1
    }

    /// Writes the pairs of a mapping to `document.children`, refusing duplicate keys and applying
    /// merge keys (`<<: *base`): keys written in the mapping win over merged ones, earlier merged
    /// mappings over later ones.
    private mutating func appendPairs(_ items: ArraySlice<NodeID>) throws(YAMLError) {
        let start = document.children.count
        var merges: [NodeID] = []
        var index = items.startIndex
        while index + 1 < items.endIndex {
            let key = items[index], value = items[index + 1]
            index += 2
            if isMergeKey(key) {
                merges.append(value)
            } else {
                document.children.append(key)
                document.children.append(value)
            }
        }
        try checkDuplicates(from: start)
        guard !merges.isEmpty else { return }
        var seen = Set(document.pairs(from: start).compactMap { scalarText($0.key) })
        for merge in merges {
            let sources: [NodeID]
            switch document.kind(of: merge) {
            case .mapping: sources = [merge]
            case .sequence where document.items(of: merge).allSatisfy({ document.kind(of: $0) == .mapping }): sources = Array(document.items(of: merge))
            default:
                throw YAMLError(.merge, "a merge key (<<) needs a mapping or a list of mappings, found \(document.describe(merge))", at: document.mark(of: merge))
            }
            for source in sources {
                for pair in document.pairs(of: source) {
                    guard let key = scalarText(pair.key) else { continue }
                    if seen.insert(key).inserted {
                        document.children.append(pair.key)
                        document.children.append(pair.value)
                    }
                }
            }
        }
    }

    private func scalarText(_ node: NodeID) -> String? {
        guard case .scalar = document.kind(of: node) else { return nil }
        return document.text(of: node)
    }

    private func isMergeKey(_ key: NodeID) -> Bool {
        guard case .scalar(let style) = document.kind(of: key) else { return false }
        guard let tag = document.tag(of: key) else { return style == .plain && document.text(of: key, equalsASCII: "<<") }
        return tag == "tag:yaml.org,2002:merge"
    }

    private func checkDuplicates(from start: Int) throws(YAMLError) {
        let keys = document.pairs(from: start).lazy.map(\.key)
        func duplicate(_ key: NodeID, first: NodeID) -> YAMLError {
            let firstMark = document.mark(of: first)
            return YAMLError(.duplicateKey, "duplicate key \"\(document.text(of: key))\" (first defined at line \(firstMark.line), column \(firstMark.column))", at: document.mark(of: key))
        }
        if keys.count <= 16 {
            for i in keys.indices {
                guard case .scalar = document.kind(of: keys[i]) else { continue }
                for j in 0..<i where document.sameText(keys[i], keys[j]) {
                    throw duplicate(keys[i], first: keys[j])
                }
            }
            return
        }
        var firstIndex: [String: Int] = [:]
        for (i, key) in keys.enumerated() {
            guard let text = scalarText(key) else { continue }
            if let j = firstIndex[text] { throw duplicate(key, first: keys[j]) }
            firstIndex[text] = i
        }
    }
}

extension YAMLDocument {
    /// The pairs written to `children` from `start` on, before their mapping has a record.
    fileprivate func pairs(from start: Int) -> Pairs {
        Pairs(children: children, start: start, count: (children.count - start) / 2)
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
