import Foundation
import Model
import YAML

/// Writes resources as the cluster stores them: JSON, or the same as YAML (`get -o yaml`).
public enum ResourceWriter {
    public static func json<R: Encodable>(_ value: R, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// YAML documents, keys sorted as kubectl prints them, strings quoted only where a plain
    /// scalar would read back as something else.
    public static func yaml(_ values: [any Encodable]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var documents: [Node] = []
        for value in values {
            // JSON is YAML: libyaml reads the encoder's output back as a tree we can restyle.
            let json = try encoder.encode(value)
            documents += try YAMLParser().parse([UInt8](json)).map(restyled)
        }
        return try YAMLEmitter().emit(documents)
    }

    public static func yaml(_ resources: [AnyResource]) throws -> String {
        try yaml(resources.map(\.resource))
    }

    private static func restyled(_ node: Node) -> Node {
        var node = node
        switch node.content {
        case .scalar(let scalar) where scalar.style != .plain:
            node.content = .scalar(.quotedIfNeeded(scalar.string))
        case .sequence(let items):
            node.content = .sequence(items.map(restyled))
        case .mapping(let pairs):
            node.content = .mapping(pairs.map { Node.Pair(key: restyled($0.key), value: restyled($0.value)) })
        default:
            break
        }
        return node
    }
}
