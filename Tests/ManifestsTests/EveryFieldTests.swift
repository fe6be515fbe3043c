import Foundation
import JSON
import Manifests
import Model
import Testing
import YAML

/// A fixture that sets every field of every kind: it decodes, reads back the same after
/// `hmsctl get -o yaml` wrote it, and an unknown key in any of its mappings is reported with the
/// fields the schema (and so the CRD) knows there.
@Suite(.tags(.unit)) struct EveryFieldTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("every-field/every-field.yaml")

    static func fixtureBytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixture))
    }

    @Test func everyFieldReadsBackAsWritten() throws {
        let result = ManifestDecoder().decode(try Self.fixtureBytes(), file: "every-field.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(Set(result.manifests.map(\.resource.kind)) == Set(AnyResource.kinds.map { $0.kind }))
        let written = try ResourceWriter.yaml(result.manifests.map(\.resource))
        let back = ManifestDecoder().decode(Array(written.utf8), file: "written.yaml")
        #expect(back.diagnostics.isEmpty, "\(back.diagnostics.map(\.description))")
        #expect(back.manifests.map(\.resource) == result.manifests.map(\.resource))
    }

    @Test func theFixtureSetsEveryFieldOfEverySchema() throws {
        let result = ManifestDecoder().decode(try Self.fixtureBytes(), file: "every-field.yaml")
        var expected: Set<String> = [], seen: Set<String> = []
        for kind in AnyResource.kinds {
            let schema = Self.schema(of: kind)
            Self.paths(in: schema, at: kind.kind, into: &expected)
            for manifest in result.manifests where manifest.resource.kind == kind.kind {
                let json = try JSONValue(parsing: ResourceWriter.json(manifest.resource.resource))
                Self.paths(in: schema, at: kind.kind, of: json, into: &seen)
            }
        }
        #expect(expected.subtracting(seen).sorted() == [], "add these fields to every-field.yaml")
    }

    /// An unknown key in every mapping of the fixture: each is reported with the fields the decoder
    /// knows there, which must be the schema's (and so Codable's) fields, in the same order.
    @Test func theDecoderKnowsExactlyTheSchemasFieldsEverywhere() throws {
        let stranger = String(repeating: "z", count: 28)  // far from every field name: no "did you mean"
        for tree in try YAMLParser().parse(try Self.fixtureBytes()) {
            let kind = try #require(tree["kind"]?.scalar.flatMap { AnyResource.kind(named: $0.string) })
            var expected: [String: [String]] = [:]
            let marked = Self.addingKey(stranger, to: tree, schema: Self.schema(of: kind), at: FieldPath(), expected: &expected)
            let yaml = try YAMLEmitter().emit([marked])
            let diagnostics = ManifestDecoder().decode(Array(yaml.utf8), file: "marked.yaml").diagnostics
            var known: [String: [String]] = [:]
            for diagnostic in diagnostics {
                let prefix = "unknown field \"\(stranger)\"; known fields: "
                guard diagnostic.message.hasPrefix(prefix), var path = diagnostic.path else {
                    Issue.record("unexpected: \(diagnostic)")
                    continue
                }
                path.components.removeLast()
                known[path.description] = diagnostic.message.dropFirst(prefix.count).components(separatedBy: ", ")
            }
            #expect(known == expected, "\(kind.kind)")
        }
    }

    // MARK: Helpers

    /// The resource schema, with `metadata` spelled out (the CRD leaves it to the API server).
    static func schema(of kind: any Resource.Type) -> OpenAPISchema {
        var schema = OpenAPISchema.resource(kind)
        if let index = schema.properties.firstIndex(where: { $0.name == "metadata" }) {
            schema.properties[index].schema = OpenAPISchema.of(ObjectMeta.self)
        }
        return schema
    }

    /// Every field path the schema describes: `Budget.spec.selector.matchLabels{}`.
    static func paths(in schema: OpenAPISchema, at path: String, into paths: inout Set<String>) {
        for (name, property) in schema.properties {
            paths.insert("\(path).\(name)")
            Self.paths(in: property, at: "\(path).\(name)", into: &paths)
        }
        if let items = schema.items.first { Self.paths(in: items, at: path + "[]", into: &paths) }
        if let values = schema.additionalProperties.first { Self.paths(in: values, at: path + "{}", into: &paths) }
    }

    /// The field paths of the schema that `value` sets.
    static func paths(in schema: OpenAPISchema, at path: String, of value: JSONValue, into paths: inout Set<String>) {
        switch value {
        case .object(let object):
            for (name, property) in schema.properties {
                guard let field = object[name] else { continue }
                paths.insert("\(path).\(name)")
                Self.paths(in: property, at: "\(path).\(name)", of: field, into: &paths)
            }
            if let values = schema.additionalProperties.first {
                for field in object.values { Self.paths(in: values, at: path + "{}", of: field, into: &paths) }
            }
        case .array(let items):
            if let schema = schema.items.first {
                for item in items { Self.paths(in: schema, at: path + "[]", of: item, into: &paths) }
            }
        default:
            break
        }
    }

    /// `node` with `key: 0` added to every mapping whose schema has fixed fields; `expected` gets
    /// those fields, by path.
    static func addingKey(_ key: String, to node: Node, schema: OpenAPISchema, at path: FieldPath, expected: inout [String: [String]]) -> Node {
        var node = node
        switch node.content {
        case .mapping(var pairs) where !schema.properties.isEmpty:
            for index in pairs.indices {
                guard let name = pairs[index].key.scalar?.string, let property = schema.property(name) else { continue }
                pairs[index].value = addingKey(key, to: pairs[index].value, schema: property, at: path.key(name), expected: &expected)
            }
            expected[path.description] = schema.properties.map(\.name)
            node.content = .mapping(pairs + [Node.Pair(key: .plain(key), value: .plain("0"))])
        case .sequence(let items):
            guard let schema = schema.items.first else { break }
            node.content = .sequence(items.enumerated().map { addingKey(key, to: $1, schema: schema, at: path.index($0), expected: &expected) })
        default:
            break
        }
        return node
    }
}
