/// Where in a resource a value sits: `spec.metrics[1].targetUtilization`.
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

/// A problem with one field, found after decoding. The manifest layer turns the path into a
/// file position.
public struct FieldIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String

    public init(_ path: FieldPath, _ message: String) {
        self.path = path
        self.message = message
    }

    public init(_ dotted: String, _ message: String) {
        self.init(FieldPath(dotted), message)
    }

    public var description: String { "\(path): \(message)" }
}

extension Double {
    /// `90` rather than `90.0` in messages.
    var compactDescription: String {
        rounded() == self && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
