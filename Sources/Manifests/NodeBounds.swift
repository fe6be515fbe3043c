import JSON
import Model
import Synchronization
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

    /// The bounds of a kind's spec, pruned to the branches that hold one, built once per kind.
    static func tree(_ kind: any Resource.Type) -> BoundsTree? {
        let id = ObjectIdentifier(kind)
        if let cached = trees.withLock({ $0[id] }) { return cached }
        let tree = kind.schema.property("spec").flatMap(BoundsTree.init)
        trees.withLock { $0[id] = tree }
        return tree
    }

    private static let trees = Mutex<[ObjectIdentifier: BoundsTree?]>([:])

    mutating func check(_ tree: BoundsTree, at node: YAMLDocument.NodeID, below component: FieldPath.Component) {
        path.append(component)
        defer { path.removeLast() }
        if let constraint = tree.constraint, let problem = self.problem(constraint, node) {
            found.append(FieldIssue(FieldPath(path), problem))
            return
        }
        switch document.kind(of: node) {
        case .mapping:
            for (name, child) in tree.properties {
                if let value = document.value(of: node, at: name) { check(child, at: value, below: .key(name)) }
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
    private func problem(_ constraint: FieldConstraint, _ node: YAMLDocument.NodeID) -> String? {
        switch document.kind(of: node) {
        case .sequence: return constraint.countProblem(document.items(of: node).count)
        case .mapping: return nil
        case .scalar:
            switch document.value(of: node) {
            case .int(let number)?: return constraint.problem(with: .int(number))
            case .float(let number)?: return constraint.problem(with: .double(number))
            case .string?:
                if constraint.quantity != nil { return constraint.problem(with: .string(document.text(of: node))) }
                guard let maxLength = constraint.maxLength, document.textCount(of: node) > maxLength else { return nil }
                return constraint.lengthProblem(document.text(of: node))
            default: return nil
            }
        }
    }
}

/// A schema reduced to its bounds: only the branches that hold one.
final class BoundsTree: Sendable {
    let constraint: FieldConstraint?
    let properties: [(name: String, tree: BoundsTree)]
    let items: BoundsTree?
    let values: BoundsTree?

    /// Nil when nothing at or below `schema` has a bound.
    init?(_ schema: OpenAPISchema) {
        constraint = schema.constraint
        properties = schema.properties.compactMap { property in BoundsTree(property.schema).map { (property.name, $0) } }
        items = schema.items.first.flatMap(BoundsTree.init)
        values = schema.additionalProperties.first.flatMap(BoundsTree.init)
        if constraint == nil, properties.isEmpty, items == nil, values == nil { return nil }
    }
}
