import JSON
import Model
import YAML

/// The schema's field bounds checked on a document's nodes: what `Resource.boundIssues()`
/// finds, without encoding the resource (the decoder's speed is a target), and also when the
/// resource did not decode at all (a missing field does not hide a value out of range).
struct NodeBounds {
    let document: YAMLDocument
    /// Where the walk is; a `FieldPath` is made only for an issue.
    private var path: [FieldPath.Component] = []
    private(set) var found: [FieldIssue] = []

    init(document: YAMLDocument) {
        self.document = document
    }

    mutating func check(_ tree: BoundsTree, at node: YAMLDocument.NodeID, below component: FieldPath.Component) {
        path.append(component)
        defer { path.removeLast() }
        // The constraint is read where it lies in the tree: a copy of it costs more than the check
        // (and `constraint != nil` would copy it).
        if tree.hasConstraint, let problem = self.problem(tree, node) {
            found.append(FieldIssue(FieldPath(path), problem))
            return
        }
        switch document.kind(of: node) {
        case .mapping:
            // Each key once, against the few properties that hold a bound.
            if !tree.properties.isEmpty {
                for pair in document.pairs(of: node) {
                    guard let property = tree.property(named: pair.key, in: document) else { continue }
                    check(property.tree, at: pair.value, below: .key(property.name))
                }
            }
            if let values = tree.values {
                for pair in document.pairs(of: node) where document.isString(pair.key) {
                    check(values, at: pair.value, below: .key(document.text(of: pair.key)))
                }
            }
        case .sequence:
            if let items = tree.items {
                for (index, item) in document.items(of: node).enumerated() {
                    check(items, at: item, below: .index(index))
                }
            }
        case .scalar:
            break
        }
    }

    /// The node as `FieldConstraint.problem(with:)` judges it; a string is read only when it
    /// must be (a quantity, or more bytes than the length allows).
    private func problem(_ tree: BoundsTree, _ node: YAMLDocument.NodeID) -> String? {
        switch document.kind(of: node) {
        case .sequence: return tree.constraint?.countProblem(document.items(of: node).count)
        case .mapping: return nil
        case .scalar:
            switch document.value(of: node) {
            case .int(let number)?: return tree.constraint?.problem(with: .int(number))
            case .float(let number)?: return tree.constraint?.problem(with: .double(number))
            case .string?:
                if tree.constraint?.quantity != nil { return tree.constraint?.problem(with: .string(document.text(of: node))) }
                guard let maxLength = tree.constraint?.maxLength, document.textCount(of: node) > maxLength else { return nil }
                return tree.constraint?.lengthProblem(document.text(of: node))
            default: return nil
            }
        }
    }
}

/// A schema reduced to its bounds: only the branches that hold one.
final class BoundsTree: Sendable {
    struct Property: Sendable {
        let name: String
        /// The name's bytes, compared with a key's without making a String of the key.
        let utf8: [UInt8]
        let isASCII: Bool
        let tree: BoundsTree
    }

    let constraint: FieldConstraint?
    let hasConstraint: Bool
    let properties: [Property]
    let items: BoundsTree?
    let values: BoundsTree?

    /// The property that `key` names, if it has a bound.
    func property(named key: YAMLDocument.NodeID, in document: YAMLDocument) -> Property? {
        // Most keys have no bound: an ASCII key of another length is told apart without reading it.
        let length = document.isASCII(key) ? document.textCount(of: key) : -1
        for property in properties where length < 0 || !property.isASCII || property.utf8.count == length {
            if property.utf8.withUnsafeBufferPointer({ document.text(of: key, equalsUTF8: $0, isASCII: property.isASCII) }) {
                return property
            }
        }
        return nil
    }

    /// Nil when nothing at or below `schema` has a bound.
    init?(_ schema: OpenAPISchema) {
        constraint = schema.constraint
        hasConstraint = schema.constraint != nil
        properties = schema.properties.compactMap { property in
            BoundsTree(property.schema).map {
                Property(name: property.name, utf8: Array(property.name.utf8), isASCII: property.name.utf8.allSatisfy { $0 < 0x80 }, tree: $0)
            }
        }
        items = schema.items.first.flatMap(BoundsTree.init)
        values = schema.additionalProperties.first.flatMap(BoundsTree.init)
        if constraint == nil, properties.isEmpty, items == nil, values == nil { return nil }
    }
}
