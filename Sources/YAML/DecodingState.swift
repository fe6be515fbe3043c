import JSON

/// A problem found while decoding, before it is kept. Many are thrown and discarded (a quantity
/// is tried as an integer before a string), so the message is written and the path made only for
/// those that are kept.
struct NodeProblem: Error {
    enum Message {
        case text(String)
        /// `expected an integer, found "three"`, and what to do about it.
        case mismatch(expected: String, node: YAMLDocument.NodeID, hint: Hint)
    }

    enum Hint {
        case none, quoteToMakeAString, removeTheQuotes, whichBoolean
    }

    var mark: Mark
    var message: Message
    /// Where it is, until `path` is made: a frame, and the field or item below it.
    var frame: Int
    var component: FieldPath.Component?
    var path: FieldPath?
}

/// One document being decoded: its problems, and the values being read, outermost first
/// ("frames"). Decoders and containers hold the index of their frame, which keeps them small
/// enough to pass without allocating; a path is made from the frames only for a problem.
final class DecodingState {
    typealias NodeID = YAMLDocument.NodeID

    struct Frame {
        var type: Any.Type
        var node: NodeID
        /// The key the node sits under, if any: errors about a block collection point at it.
        var key: NodeID?
        var parent: Int
        var component: FieldPath.Component?
        /// `problems.count` when the frame began: its unknown fields are reported there, before
        /// the problems of its fields, as a reader meets them.
        var problemCount: Int
        /// Where the next key lookup starts: fields are mostly asked for in the order written.
        var cursor = 0
        /// A bit for each length of the mapping's keys (64 and more share the last bit): most
        /// fields a type asks for and the mapping lacks are found absent without a search.
        var keyLengths: UInt64 = 0
        var isMapping = false
    }

    let document: YAMLDocument
    let strict: Bool
    let schema: (any YAMLSchema)?
    // Only the decoder that owns the state touches it, one call at a time: the dynamic
    // exclusivity checks of class properties would cost a tenth of decoding.
    @exclusivity(unchecked) private(set) var problems: [NodeProblem] = []
    @exclusivity(unchecked) var frames: [Frame] = []
    /// For each mapping key (by its place in `document.children`): whether the type reading the
    /// mapping asked for it. The keys nobody asked for are the unknown fields.
    @exclusivity(unchecked) var claimed: [Bool]

    init(document: YAMLDocument, decoder: YAMLDecoder) {
        self.document = document
        strict = decoder.strictness == .strict
        schema = decoder.schema
        claimed = Array(repeating: false, count: document.children.count)
        frames.reserveCapacity(32)
    }

    func decodeRoot<T: Decodable>(_ type: T.Type) throws(NodeProblem) -> T {
        try decode(T.self, document.root, key: nil, parent: -1, component: nil)
    }

    /// Decodes `node`, which sits at `component` below frame `parent`.
    func decode<T: Decodable>(_ type: T.Type, _ node: NodeID, key: NodeID?, parent: Int, component: FieldPath.Component?) throws(NodeProblem) -> T {
        // Scalars need no frame: their component joins a path only if there is a problem. The
        // type is compared first, so the casts cannot fail; a dynamic cast would cost more.
        if T.self == String.self { return unsafeBitCast(try string(node, parent, component, closedSet: nil), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, node, parent, component), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(node, parent, component), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(node, parent, component), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(try jsonValue(node, key: key, parent: parent, component: component), to: T.self) }
        // Labels and annotations: read pair by pair, not key by key as Codable's dictionary reads.
        if T.self == [String: String].self { return unsafeBitCast(try labels(node, key: key, parent: parent, component: component), to: T.self) }
        if Self.mayBeList(T.self), let list = T.self as? any DecodableList.Type { return try decodeList(T.self, as: list, node, key: key, parent: parent, component: component) }
        let frame = Frame(type: T.self, node: node, key: key, parent: parent, component: component, problemCount: problems.count)
        return try inFrame(frame) { index throws(NodeProblem) in
            let value: T
            do {
                value = try T(from: NodeDecoder(state: self, frame: index))
            } catch {
                if frames[index].isMapping { reportUnknownKeys(index, complete: false) }
                throw problem(from: error, frame: index)
            }
            if frames[index].isMapping { reportUnknownKeys(index, complete: true) }
            return value
        }
    }

    /// Runs `body` with `frame` pushed; a problem leaving it gets its path while the frame is there.
    func inFrame<R>(_ frame: Frame, _ body: (Int) throws(NodeProblem) -> R) throws(NodeProblem) -> R {
        let index = frames.count
        frames.append(frame)
        defer {
            if index + 1 == frames.count { frames.removeLast() } else { frames.removeSubrange(index...) }
        }
        do throws(NodeProblem) {
            return try body(index)
        } catch {
            throw withPath(error)
        }
    }

    // MARK: Problems

    func record(_ problem: NodeProblem) {
        problems.append(withPath(problem))
    }

    /// Strict: a problem in an optional field is recorded and the field reads as absent.
    func recordOrThrow(_ problem: NodeProblem) throws(NodeProblem) {
        guard strict else { throw problem }
        record(problem)
    }

    /// A required field with a problem: the schema's stand-in, once the problem is recorded.
    func standIn<T: Decodable>(_ type: T.Type, for problem: NodeProblem) throws(NodeProblem) -> T {
        guard strict, let placeholder = schema?.placeholder(of: T.self) else { throw problem }
        record(problem)
        return placeholder
    }

    func missing(_ name: String, in frame: Int) -> NodeProblem {
        NodeProblem(mark: errorMark(frame), message: .text("missing required field \"\(name)\""), frame: frame)
    }

    func problem(_ message: String, at mark: Mark, _ frame: Int, _ component: FieldPath.Component? = nil) -> NodeProblem {
        NodeProblem(mark: mark, message: .text(message), frame: frame, component: component)
    }

    func mismatch(_ node: NodeID, _ frame: Int, _ component: FieldPath.Component?, expected: String, hint: NodeProblem.Hint) -> NodeProblem {
        NodeProblem(mark: document.mark(of: node), message: .mismatch(expected: expected, node: node, hint: hint), frame: frame, component: component)
    }

    func errorMark(_ frame: Int) -> Mark {
        document.errorMark(frames[frame].node, key: frames[frame].key)
    }

    func withPath(_ problem: NodeProblem) -> NodeProblem {
        guard problem.path == nil else { return problem }
        var problem = problem
        problem.path = FieldPath(components(to: problem.frame) + (problem.component.map { [$0] } ?? []))
        return problem
    }

    func components(to frame: Int) -> [FieldPath.Component] {
        var components: [FieldPath.Component] = []
        var index = frame
        while index >= 0 {
            if let component = frames[index].component { components.append(component) }
            index = frames[index].parent
        }
        return components.reversed()
    }

    func codingPath(to frame: Int) -> [any CodingKey] {
        components(to: frame).map(PathKey.init)
    }

    /// What a type's own `init(from:)` threw (a cron expression that does not parse, a value
    /// out of a closed set), placed at the node it names; a missing key, at the mapping.
    private func problem(from error: any Error, frame: Int) -> NodeProblem {
        if let problem = error as? NodeProblem { return problem }
        guard let error = error as? DecodingError else { return problem("\(error)", at: errorMark(frame), frame) }
        let context: DecodingError.Context
        var missing: FieldPath.Component?
        switch error {
        case .keyNotFound(let key, let found):
            (context, missing) = (found, FieldPath.Component(key))
        case .dataCorrupted(let found), .typeMismatch(_, let found), .valueNotFound(_, let found):
            context = found
        @unknown default:
            return problem("\(error)", at: errorMark(frame), frame)
        }
        let base = components(to: frame)
        let located = FieldPath(codingPath: context.codingPath).components
        guard located.starts(with: base) else { return problem(context.debugDescription, at: errorMark(frame), frame) }
        let found = document.deepestNode(along: located[base.count...], from: frames[frame].node)
        let mark = found.node == frames[frame].node ? errorMark(frame) : document.errorMark(found.node, key: found.key)
        return NodeProblem(mark: mark, message: .text(context.debugDescription), frame: frame, path: FieldPath(located + (missing.map { [$0] } ?? [])))
    }

    /// Unknown fields of the mapping of frame `index`: the keys its type did not ask for. When the
    /// type stopped at a problem, only keys the schema does not know are sure to be unknown.
    private func reportUnknownKeys(_ index: Int, complete: Bool) {
        guard strict else { return }
        let frame = frames[index]
        let pairs = document.pairs(of: frame.node)
        var unknown: [NodeProblem] = []
        for pair in 0..<pairs.count where !claimed[pairs.start + 2 * pair] {
            let key = pairs[pair].key
            guard document.isString(key) else { continue }  // reported when the mapping was opened
            let name = document.text(of: key)
            if !complete {
                guard let schema, !schema.fieldNames(of: frame.type).contains(name) else { continue }
            }
            let message = schema?.unknownField(name, of: frame.type) ?? "unknown field \"\(name)\""
            unknown.append(withPath(problem(message, at: document.mark(of: key), index, .key(name))))
        }
        problems.insert(contentsOf: unknown, at: frame.problemCount)
    }

    /// Every problem kept, with its message, in the order of the document.
    func rendered(_ problems: [NodeProblem]) -> [YAMLDecodingError] {
        let errors = problems.map { problem in
            YAMLDecodingError(mark: problem.mark, path: withPath(problem).path ?? FieldPath(), message: message(problem.message))
        }
        return errors.enumerated().sorted { ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset) }.map(\.element)
    }

    private func message(_ message: NodeProblem.Message) -> String {
        switch message {
        case .text(let text): return text
        case .mismatch(let expected, let node, let hint):
            let advice: String
            switch hint {
            case .none: advice = ""
            case .quoteToMakeAString: advice = "; quote it to make it a string: \"\(document.text(of: node))\""
            case .removeTheQuotes: advice = document.quotedNumberHint(node)
            case .whichBoolean: advice = document.booleanHint(node)
            }
            return "expected \(expected), found \(document.describe(node))\(advice)"
        }
    }
}

/// A coding key made from a path component: a field name or a list index.
struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ component: FieldPath.Component) {
        switch component {
        case .key(let name): stringValue = name
        case .index(let index): (stringValue, intValue) = ("\(index)", index)
        }
    }

    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { (stringValue, self.intValue) = ("\(intValue)", intValue) }
}

extension FieldPath.Component {
    /// The component a coding key names: integer keys (list items, and dictionary keys that read
    /// as integers) are indexes.
    init(_ key: some CodingKey) {
        self = key.intValue.map(Self.index) ?? .key(key.stringValue)
    }
}
