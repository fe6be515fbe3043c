import JSON

/// Scalars, collections and free-form values as the strictness asks: strict refuses any other type
/// (an unquoted `10` is not a string, `"10"` is not an integer); lenient reads null as empty.
extension DecodingState {
    /// The string at a scalar. Strict refuses an unquoted `yes`, `no`, `on` or `off` unless the
    /// value is read as `closedSet` and the schema says it is a closed set of words.
    func string(_ node: NodeID, _ frame: Int, _ component: FieldPath.Component?, closedSet: Any.Type?) throws(NodeProblem) -> String {
        guard case .scalar = document.kind(of: node) else {
            throw mismatch(node, frame, component, expected: "a string", hint: .none)
        }
        switch document.value(of: node) {
        case .string?: break
        case .null? where !strict: return ""
        case .null?: throw mismatch(node, frame, component, expected: "a string", hint: .none)
        default: throw mismatch(node, frame, component, expected: "a string", hint: .quoteToMakeAString)
        }
        let text = document.text(of: node)
        if strict && document.isYAML11Boolean(node) && !(closedSet.map { schema?.isClosedSet($0) ?? false } ?? false) {
            throw problem("\"\(text)\" is a boolean to YAML 1.1 tools such as kubectl; quote it to make it a string: \"\(text)\"",
                          at: document.mark(of: node), frame, component)
        }
        return text
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, _ node: NodeID, _ frame: Int, _ component: FieldPath.Component?) throws(NodeProblem) -> I {
        guard case .int(let value)? = document.value(of: node) else {
            throw mismatch(node, frame, component, expected: "an integer", hint: .removeTheQuotes)
        }
        guard let exact = I(exactly: value) else {
            throw problem("\(value) is out of range for this field", at: document.mark(of: node), frame, component)
        }
        return exact
    }

    func double(_ node: NodeID, _ frame: Int, _ component: FieldPath.Component?) throws(NodeProblem) -> Double {
        switch document.value(of: node) {
        case .int(let value)?: return Double(value)
        case .float(let value)? where value.isFinite: return value
        default: throw mismatch(node, frame, component, expected: "a number", hint: .removeTheQuotes)
        }
    }

    func bool(_ node: NodeID, _ frame: Int, _ component: FieldPath.Component?) throws(NodeProblem) -> Bool {
        switch document.value(of: node) {
        case .bool(let value)?: return value
        case .null? where !strict: return false
        default: throw mismatch(node, frame, component, expected: "a boolean (true or false)", hint: .whichBoolean)
        }
    }

    /// The pairs of the mapping at `frame`, the first time it is read as one: keys that are not
    /// strings are refused (strict), and no key is asked for yet.
    func openMapping(_ frame: Int) throws(NodeProblem) -> YAMLDocument.Pairs {
        let node = frames[frame].node
        guard document.kind(of: node) == .mapping else {
            if !strict && document.isNull(node) { return document.pairs(of: node) }
            throw NodeProblem(mark: errorMark(frame), message: .mismatch(expected: "a mapping", node: node, hint: .none), frame: frame)
        }
        let pairs = document.pairs(of: node)
        guard !frames[frame].isMapping else { return pairs }
        frames[frame].isMapping = true
        var keyLengths: UInt64 = 0
        for pair in 0..<pairs.count {
            claimed[pairs.start + 2 * pair] = false
            let key = pairs[pair].key
            if strict && !document.isString(key) {
                record(problem("keys must be strings, found \(document.describe(key))", at: document.mark(of: key), frame))
            }
            // Non-ASCII text may be canonically equivalent to a name of another length.
            keyLengths |= document.records[key.index].isASCII ? Self.lengthBit(document.textCount(of: key)) : .max
        }
        frames[frame].keyLengths = keyLengths
        return pairs
    }

    func openSequence(_ frame: Int) throws(NodeProblem) -> YAMLDocument.Items {
        let node = frames[frame].node
        guard document.kind(of: node) == .sequence else {
            if !strict && document.isNull(node) { return document.items(of: node) }
            throw NodeProblem(mark: errorMark(frame), message: .mismatch(expected: "a list", node: node, hint: .none), frame: frame)
        }
        return document.items(of: node)
    }

    /// The pair whose key is `name` in the mapping of `frame`, which is marked as asked for.
    func pair(_ name: String, in frame: Int) -> (key: NodeID, value: NodeID)? {
        let pairs = document.pairs(of: frames[frame].node)
        guard !pairs.isEmpty else { return nil }
        let found = name.utf8.withContiguousStorageIfAvailable { keyIndex($0, in: pairs, frame: frame) } ?? {
            var name = name
            return name.withUTF8 { keyIndex($0, in: pairs, frame: frame) }
        }()
        guard let index = found else { return nil }
        frames[frame].cursor = index + 1
        claimed[pairs.start + 2 * index] = true
        return pairs[index]
    }

    /// Where the key spelled `bytes` is among `pairs`, searched from where the last one was found:
    /// types mostly ask for their fields in the order they are written.
    private func keyIndex(_ bytes: UnsafeBufferPointer<UInt8>, in pairs: YAMLDocument.Pairs, frame: Int) -> Int? {
        let isASCII = YAMLDocument.isASCII(bytes)
        guard !isASCII || frames[frame].keyLengths & Self.lengthBit(bytes.count) != 0 else { return nil }
        let first = frames[frame].cursor < pairs.count ? frames[frame].cursor : 0
        // Read in place: these lookups are most of decoding, and each array access would check.
        return document.records.withUnsafeBufferPointer { records in
            document.text.withUnsafeBufferPointer { text in
                var index = first
                for _ in 0..<pairs.count {
                    let key = pairs[index].key
                    let record = records[key.index]
                    if record.isASCII && isASCII {
                        if record.count == bytes.count, isKey(key), (0..<bytes.count).allSatisfy({ bytes[$0] == text[record.start + $0] }) {
                            return index
                        }
                    } else if isKey(key) && document.text(of: key, equalsUTF8: bytes, isASCII: isASCII) {
                        return index
                    }
                    index = index + 1 == pairs.count ? 0 : index + 1
                }
                return nil
            }
        }
    }

    private static func lengthBit(_ count: Int) -> UInt64 {
        1 << UInt64(min(count, 63))
    }

    /// Every key of the mapping of `frame`, all marked as asked for (a dictionary's).
    func keys(in frame: Int) -> [String] {
        let pairs = document.pairs(of: frames[frame].node)
        var names: [String] = []
        names.reserveCapacity(pairs.count)
        for index in 0..<pairs.count where isKey(pairs[index].key) {
            claimed[pairs.start + 2 * index] = true
            names.append(document.text(of: pairs[index].key))
        }
        return names
    }

    /// Strict reads string keys only (the others are refused once); lenient any scalar's text.
    private func isKey(_ key: NodeID) -> Bool {
        strict ? document.isString(key) : document.kind(of: key) != .mapping && document.kind(of: key) != .sequence
    }

    /// A mapping of strings to strings (labels, annotations), as Codable's dictionary reads it:
    /// a key that reads as an integer is an index in a problem's path.
    func labels(_ node: NodeID, key: NodeID?, parent: Int, component: FieldPath.Component?) throws(NodeProblem) -> [String: String] {
        let frame = Frame(type: [String: String].self, node: node, key: key, parent: parent, component: component, problemCount: problems.count)
        return try inFrame(frame) { index throws(NodeProblem) in
            let pairs = try openMapping(index)
            var labels = [String: String](minimumCapacity: pairs.count)
            for pair in pairs where isKey(pair.key) {
                let name = document.text(of: pair.key)
                do throws(NodeProblem) {
                    labels[name] = try string(pair.value, index, nil, closedSet: nil)
                } catch {
                    var problem = error
                    problem.component = Int(name).map(FieldPath.Component.index) ?? .key(name)
                    labels[name] = try standIn(String.self, for: problem)
                }
            }
            return labels
        }
    }

    /// Free-form values (a directive job's payload; any YAML body, to the mock cluster) as JSON
    /// means them. Strict still refuses what YAML 1.1 tools would read differently, and JSON's
    /// missing infinities; lenient reads every scalar key as its text.
    func jsonValue(_ node: NodeID, key: NodeID?, parent: Int, component: FieldPath.Component?) throws(NodeProblem) -> JSONValue {
        switch document.kind(of: node) {
        case .scalar:
            switch document.value(of: node) {
            case .null?, nil: return .null
            case .bool(let value)?: return .bool(value)
            case .int(let value)?: return .int(value)
            case .float(let value)? where value.isFinite || !strict: return .double(value)
            case .float?, .string?: return .string(try string(node, parent, component, closedSet: nil))
            }
        case .sequence:
            let frame = Frame(type: JSONValue.self, node: node, key: key, parent: parent, component: component, problemCount: problems.count)
            return try inFrame(frame) { index throws(NodeProblem) in
                var values: [JSONValue] = []
                for (position, item) in document.items(of: node).enumerated() {
                    values.append(try jsonValue(item, key: nil, parent: index, component: .index(position)))
                }
                return .array(values)
            }
        case .mapping:
            let frame = Frame(type: JSONValue.self, node: node, key: key, parent: parent, component: component, problemCount: problems.count)
            return try inFrame(frame) { index throws(NodeProblem) in
                let pairs = try openMapping(index)
                var members: [String: JSONValue] = [:]
                for pair in pairs where strict ? document.isString(pair.key) : true {
                    let name = isKey(pair.key) ? document.text(of: pair.key) : ""
                    members[name] = try jsonValue(pair.value, key: pair.key, parent: index, component: .key(name))
                }
                return .object(members)
            }
        }
    }
}
