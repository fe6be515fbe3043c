/// Where in a document (a resource, a kubeconfig) a value sits: `spec.metrics[1].targetUtilization`.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// A dotted path of keys, for writing paths in code: `FieldPath("spec.minReplicas")`.
    public init(_ dotted: String) {
        self.components = dotted.split(separator: ".").map { .key(String($0)) }
    }

    public func key(_ key: String) -> FieldPath { FieldPath(components + [.key(key)]) }
    public func index(_ index: Int) -> FieldPath { FieldPath(components + [.index(index)]) }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
                if plain {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    text += "[\"\(key)\"]"
                }
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}

extension FieldPath {
    /// The path a `Decoder` reports: integer keys (list items, and dictionary keys that read as
    /// integers) are indexes.
    public init(codingPath: [any CodingKey]) {
        self.init(codingPath.map { key in key.intValue.map(Component.index) ?? .key(key.stringValue) })
    }
}
