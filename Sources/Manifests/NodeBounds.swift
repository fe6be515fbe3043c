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

    mutating func check(_ schema: OpenAPISchema, at node: NodeID, below component: FieldPath.Component) {
        path.append(component)
        defer { path.removeLast() }
        if let constraint = schema.constraint, let value = judged(node), let problem = constraint.problem(with: value) {
            found.append(FieldIssue(FieldPath(path), problem))
            return
        }
        switch document.kind(of: node) {
        case .mapping:
            for (name, property) in schema.properties {
                if let child = document.value(of: node, at: name) { check(property, at: child, below: .key(name)) }
            }
            if let values = schema.additionalProperties.first {
                for pair in document.pairs(of: node) where document.isString(pair.key) {
                    check(values, at: pair.value, below: .key(document.text(of: pair.key)))
                }
            }
        case .sequence:
            if let items = schema.items.first {
                for (index, item) in document.items(of: node).enumerated() {
                    check(items, at: item, below: .index(index))
                }
            }
        case .scalar:
            break
        }
    }

    /// The node as `FieldConstraint.problem(with:)` judges it: scalars as they read, a list by
    /// its length. A mapping or a boolean is not a bound's business.
    private func judged(_ node: NodeID) -> JSONValue? {
        switch document.kind(of: node) {
        case .sequence: return .array(Array(repeating: .null, count: document.items(of: node).count))
        case .mapping: return nil
        case .scalar:
            switch document.value(of: node) {
            case .int(let number)?: return .int(number)
            case .float(let number)?: return .double(number)
            case .string?: return .string(document.text(of: node))
            default: return nil
            }
        }
    }
}
