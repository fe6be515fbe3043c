import Model
import YAML

/// A resource read from a manifest, with where it came from.
public struct Manifest: Sendable, Equatable {
    public var resource: AnyResource
    public var file: String
    /// Where the document starts.
    public var mark: Mark

    public init(resource: AnyResource, file: String, mark: Mark) {
        self.resource = resource
        self.file = file
        self.mark = mark
    }
}

/// What decoding a source found: the resources that are valid and a diagnostic for every problem.
public struct DecodeResult: Sendable {
    public var manifests: [Manifest] = []
    public var diagnostics: [Diagnostic] = []

    public init(manifests: [Manifest] = [], diagnostics: [Diagnostic] = []) {
        self.manifests = manifests
        self.diagnostics = diagnostics
    }

    public mutating func append(_ other: DecodeResult) {
        manifests += other.manifests
        diagnostics += other.diagnostics
    }
}

/// Decodes YAML streams into resources of our kinds: strictly, with every error placed at its node,
/// and then validated (ranges, names, cross-field rules).
public struct ManifestDecoder: Sendable {
    public var parser: YAMLParser

    public init(parser: YAMLParser = YAMLParser()) {
        self.parser = parser
    }

    public func decode(_ bytes: [UInt8], file: String) -> DecodeResult {
        let lines = SourceLines(bytes: bytes)
        func diagnostic(_ mark: Mark?, _ path: FieldPath?, _ message: String) -> Diagnostic {
            Diagnostic(file: file, mark: mark, path: path, message: message, sourceLine: mark.flatMap { lines.line($0.line) })
        }
        var result = DecodeResult()
        do {
            try parser.forEachDocument(bytes) { document in
                if document.resolved == .null { return }  // an empty document
                switch decodeDocument(document) {
                case .resource(let resource):
                    result.manifests.append(Manifest(resource: resource, file: file, mark: document.mark))
                case .problems(let problems):
                    result.diagnostics += problems.map { diagnostic($0.mark, $0.path, $0.message) }
                }
            }
        } catch {
            result.diagnostics.append(diagnostic(error.mark, nil, error.message))
        }
        return result
    }

    private func decodeDocument(_ document: Node) -> DocumentOutcome {
        guard document.mapping != nil else {
            return .problems([NodeError(mark: document.mark, path: FieldPath(), message: "a manifest must be a mapping with apiVersion, kind, metadata and spec; found \(describe(document))")])
        }
        do {
            return decodeResource(try resolveKind(document), from: document)
        } catch {
            return .problems([error])
        }
    }

    private func decodeResource<R: Resource>(_ kind: R.Type, from document: Node) -> DocumentOutcome {
        let sink = ProblemSink()
        let resource: R
        do {
            resource = try NodeDecoder.decode(kind, from: document, path: [], sink: sink)
        } catch {
            let problem = error as? NodeError ?? NodeError(mark: document.mark, path: FieldPath(), message: "\(error)")
            return .problems(sorted(sink.problems + [problem]))
        }
        // Ranges and cross-field rules only mean something once every field decoded.
        guard sink.problems.isEmpty else { return .problems(sorted(sink.problems)) }
        let issues = resource.validate()
        guard issues.isEmpty else {
            return .problems(issues.map { NodeError(mark: document.mark(at: $0.path), path: $0.path, message: $0.message) })
        }
        return .resource(AnyResource(resource))
    }

    private func sorted(_ problems: [NodeError]) -> [NodeError] {
        problems.sorted { $0.mark < $1.mark }
    }

    private func resolveKind(_ document: Node) throws(NodeError) -> any Resource.Type {
        let known = AnyResource.kinds.map { $0.kind }.joined(separator: ", ")
        let (apiVersionNode, apiVersion) = try header("apiVersion", of: document, expecting: API.apiVersion)
        let (kindNode, kindName) = try header("kind", of: document, expecting: "one of \(known)")
        guard apiVersion == API.apiVersion else {
            throw NodeError(mark: apiVersionNode.mark, path: FieldPath("apiVersion"), message: "hmsctl reads \(API.apiVersion) resources, found \"\(apiVersion)\" (kind \(kindName))")
        }
        guard let kind = AnyResource.kind(named: kindName) else {
            let hint = Spelling.closest(to: kindName, in: AnyResource.kinds.map { $0.kind }).map { "did you mean \"\($0)\"?" } ?? "expected one of \(known)"
            throw NodeError(mark: kindNode.mark, path: FieldPath("kind"), message: "unknown kind \"\(kindName)\"; \(hint)")
        }
        return kind
    }

    /// The string under `apiVersion` or `kind`, or an error saying what belongs there.
    private func header(_ key: String, of document: Node, expecting: String) throws(NodeError) -> (Node, String) {
        guard let node = document[key] else {
            throw NodeError(mark: document.mark, path: FieldPath(key), message: "missing required field (\(expecting))")
        }
        guard case .string(let value)? = node.resolved else {
            throw NodeError(mark: node.mark, path: FieldPath(key), message: "expected a string (\(expecting)), found \(describe(node))")
        }
        return (node, value)
    }
}

private enum DocumentOutcome {
    case resource(AnyResource)
    case problems([NodeError])
}

extension Node {
    /// The position of the deepest node that exists along a field path: the field itself, or the
    /// mapping that lacks it.
    func mark(at path: FieldPath) -> Mark {
        var node = self
        for component in path.components {
            switch component {
            case .key(let key):
                guard let pair = node.mapping?.first(where: { $0.key.scalar?.string == key }) else { return node.mark }
                node = pair.value
            case .index(let index):
                guard let items = node.sequence, items.indices.contains(index) else { return node.mark }
                node = items[index]
            }
        }
        return node.mark
    }
}
