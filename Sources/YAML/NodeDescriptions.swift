import JSON

// How nodes read in messages, and where a message about a node points.

extension YAMLDocument {
    /// How a node reads in a message: `"three"`, `the number 3`, `a mapping`.
    public func describe(_ node: NodeID) -> String {
        switch kind(of: node) {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch value(of: node) {
            case .null?, nil: return "nothing (null)"
            case .bool(let value)?: return "the boolean \(value)"
            case .int?, .float?: return "the number \(text(of: node))"
            case .string?: return "\"\(text(of: node))\""
            }
        }
    }

    /// Errors about a block collection point at its key (`spec:`), not at its first child, which
    /// is where libyaml marks it; scalars and flow collections point at themselves.
    public func errorMark(_ node: NodeID, key: NodeID?) -> Mark {
        let mark = mark(of: node)
        guard let key else { return mark }
        let keyMark = self.mark(of: key)
        return mark.line > keyMark.line ? keyMark : mark
    }

    /// The position of the deepest node that exists along `path` from the root: the field itself,
    /// or the mapping or list that lacks it.
    public func mark(at path: FieldPath) -> Mark {
        mark(of: deepestNode(along: path.components[...], from: root).node)
    }

    /// The deepest node that exists along `path` from `node`, and the key it sits under.
    func deepestNode(along path: ArraySlice<FieldPath.Component>, from node: NodeID) -> (node: NodeID, key: NodeID?) {
        var found: (node: NodeID, key: NodeID?) = (node, nil)
        for component in path {
            switch component {
            case .key(let name):
                guard let pair = pairs(of: found.node).first(where: { text(of: $0.key, equals: name) }) else { return found }
                found = (pair.value, pair.key)
            case .index(let index):
                let items = items(of: found.node)
                guard items.indices.contains(index) else { return found }
                found = (items[index], nil)
            }
        }
        return found
    }

    /// An unquoted, untagged `yes`, `no`, `on` or `off`, which YAML 1.1 readers (go-yaml v2,
    /// which kubectl uses) take as booleans.
    func isYAML11Boolean(_ node: NodeID) -> Bool {
        // All of them are one to three letters long.
        guard kind(of: node) == .scalar(.plain), tag(of: node) == nil, isString(node), textCount(of: node) <= 3 else { return false }
        return Scalar.yaml11Booleans.contains(text(of: node))
    }

    /// `"4"` where a number belongs: say how to write it.
    func quotedNumberHint(_ node: NodeID) -> String {
        guard case .scalar(let style) = kind(of: node), style != .plain else { return "" }
        let text = text(of: node)
        switch Scalar.resolve(text, style: .plain, tag: nil) {
        case .int, .float: return "; remove the quotes: \(text)"
        default: return ""
        }
    }

    /// `"no"` where a boolean belongs: say which boolean YAML 1.1 meant.
    func booleanHint(_ node: NodeID) -> String {
        guard case .scalar = kind(of: node) else { return "" }
        let text = text(of: node)
        guard Scalar.yaml11Booleans.contains(text) else { return "" }
        return ["y", "yes", "on"].contains(text.lowercased()) ? "; write true" : "; write false"
    }
}
