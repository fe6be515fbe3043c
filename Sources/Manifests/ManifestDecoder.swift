import Dispatch
import Foundation
import JSON
import Model
import Synchronization
import YAML

/// A resource read from a manifest, with where it came from.
public struct Manifest: Sendable, Equatable {
    public var resource: AnyResource {
        get { box.resource }
        set { box = Box(newValue) }
    }
    public var file: String
    /// Where the document starts.
    public var mark: Mark
    /// The resource lives in a box: a long stream's manifests are copied from the slices that read
    /// them into one list, and a copy of a resource retains every string and list it holds.
    private var box: Box

    private final class Box: Sendable {
        let resource: AnyResource

        init(_ resource: AnyResource) {
            self.resource = resource
        }
    }

    public init(resource: AnyResource, file: String, mark: Mark) {
        box = Box(resource)
        self.file = file
        self.mark = mark
    }

    public static func == (a: Manifest, b: Manifest) -> Bool {
        a.resource == b.resource && a.file == b.file && a.mark == b.mark
    }
}

/// Where a valid resource is defined, and what makes two definitions the same resource: all the
/// check for resources defined twice reads, kept whether or not the resources are.
public struct Definition: Sendable {
    var identity: Identity
    public var file: String
    public var mark: Mark

    init(_ resource: AnyResource, file: String, mark: Mark) {
        let metadata = resource.metadata
        identity = Identity(kind: resource.kind, namespace: metadata.namespace ?? "", name: metadata.name)
        self.file = file
        self.mark = mark
    }

    /// Hashed once, on the thread that decoded the resource: the check for resources defined
    /// twice then runs on one thread over a long stream without hashing a string.
    struct Identity: Hashable, Sendable {
        let kind: String
        let namespace: String
        let name: String
        let digest: Int

        init(kind: String, namespace: String, name: String) {
            (self.kind, self.namespace, self.name) = (kind, namespace, name)
            var hasher = Hasher()
            hasher.combine(kind)
            hasher.combine(namespace)
            hasher.combine(name)
            digest = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(digest)
        }

        static func == (a: Identity, b: Identity) -> Bool {
            a.digest == b.digest && a.kind == b.kind && a.namespace == b.namespace && a.name == b.name
        }
    }
}

/// What decoding a source found: the resources that are valid and a diagnostic for every problem.
public struct DecodeResult: Sendable {
    /// The valid resources, when the decoder keeps them (`ManifestDecoder.keepsResources`).
    public var manifests: [Manifest] = []
    public var diagnostics: [Diagnostic] = []
    /// Every valid resource's definition, in order, kept or not.
    public var definitions: [Definition] = []

    public init(manifests: [Manifest] = [], diagnostics: [Diagnostic] = []) {
        self.manifests = manifests
        self.diagnostics = diagnostics
        definitions = manifests.map { Definition($0.resource, file: $0.file, mark: $0.mark) }
    }

    /// How many resources are valid, kept or not.
    public var validCount: Int { definitions.count }

    public mutating func append(_ other: DecodeResult) {
        manifests += other.manifests
        diagnostics += other.diagnostics
        definitions += other.definitions
    }
}

/// Decodes YAML streams into resources of our kinds: strictly, with every error placed at its node,
/// and then validated (ranges, names, cross-field rules).
public struct ManifestDecoder: Sendable {
    public var parser: YAMLParser
    /// How many slices of a long stream are read at once.
    public var threads: Int
    /// False: each resource is checked and dropped, and only its definition kept (`validate`,
    /// which needs no more, then holds a fraction of the memory and frees each resource on the
    /// thread that decoded it, while it is still in the cache).
    public var keepsResources: Bool

    public init(parser: YAMLParser = YAMLParser(), threads: Int = ProcessInfo.processInfo.activeProcessorCount, keepsResources: Bool = true) {
        self.parser = parser
        self.threads = threads
        self.keepsResources = keepsResources
    }

    public func decode(_ bytes: [UInt8], file: String) -> DecodeResult {
        var result = DecodeResult()
        decode(bytes, file: file, into: &result)
        return result
    }

    /// Appends what `bytes` hold to `result`, which saves copying the resources of a long stream.
    /// A long stream is read in slices on all cores (documents do not depend on each other); the
    /// result is the same as reading it in one piece, in the same order.
    public func decode(_ bytes: [UInt8], file: String, into result: inout DecodeResult) {
        // Many slices a thread: one that finishes early, or has a core to itself, takes the next,
        // and the last slice, which may run alone, is short.
        let slices = StreamSlice.cut(bytes, into: threads * 16)
        guard slices.count > 1 else {
            decode(bytes, slice: .whole(bytes), file: file, into: &result)
            return
        }
        let outcomes = Mutex<[(result: DecodeResult, broken: Bool)?]>(Array(repeating: nil, count: slices.count))
        DispatchQueue.concurrentPerform(iterations: slices.count) { index in
            var part = DecodeResult()
            let broken = decode(bytes, slice: slices[index], file: file, into: &part)
            outcomes.withLock { $0[index] = (part, broken) }
        }
        // Taken out, not copied: each part is released as soon as it has been appended.
        var parts = outcomes.withLock { outcomes in
            defer { outcomes = [] }
            return outcomes.compactMap { $0 }
        }
        // A syntax error may lie across a cut, and it ends the stream where it is: read it whole.
        guard parts.allSatisfy({ !$0.broken }) else {
            parts = []
            decode(bytes, slice: .whole(bytes), file: file, into: &result)
            return
        }
        result.manifests.reserveCapacity(result.manifests.count + parts.reduce(0) { $0 + $1.result.manifests.count })
        result.definitions.reserveCapacity(result.definitions.count + parts.reduce(0) { $0 + $1.result.definitions.count })
        for index in parts.indices {
            result.append(parts[index].result)
            parts[index].result = DecodeResult()
        }
    }

    /// Decodes one slice; true when a syntax error stopped it.
    @discardableResult
    private func decode(_ bytes: [UInt8], slice: StreamSlice, file: String, into result: inout DecodeResult) -> Bool {
        let lines = SourceLines(bytes: bytes)
        func diagnostic(_ mark: Mark?, _ path: FieldPath?, _ message: String) -> Diagnostic {
            Diagnostic(file: file, mark: mark, path: path, message: message, lines: lines)
        }
        do {
            try parser.forEachDocument(bytes, in: slice.range, firstLine: slice.firstLine) { document in
                if document.isNull(document.root) { return }  // an empty document
                switch decodeDocument(document) {
                case .resource(let resource):
                    let mark = document.mark(of: document.root)
                    result.definitions.append(Definition(resource, file: file, mark: mark))
                    if keepsResources { result.manifests.append(Manifest(resource: resource, file: file, mark: mark)) }
                case .problems(let problems):
                    result.diagnostics += problems.map { diagnostic($0.mark, $0.path, $0.message) }
                }
            }
            return false
        } catch {
            result.diagnostics.append(diagnostic(error.mark, nil, error.message))
            return true
        }
    }

    private func decodeDocument(_ document: YAMLDocument) -> DocumentOutcome {
        let root = document.root
        guard document.kind(of: root) == .mapping else {
            return .problems([YAMLDecodingError(mark: document.mark(of: root), path: FieldPath(), message: "a manifest must be a mapping with apiVersion, kind, metadata and spec; found \(document.describe(root))")])
        }
        do {
            return decodeResource(try resolveKind(document), from: document)
        } catch {
            return .problems([error])
        }
    }

    private func decodeResource<R: ManifestKind>(_ kind: R.Type, from document: YAMLDocument) -> DocumentOutcome {
        let resource: R
        do {
            resource = try YAMLDecoder(schema: ModelSchema()).decode(R.self, from: document)
        } catch {
            // Cross-field rules only mean something once every field decoded; the bounds of each
            // field are checked anyway, as the API server checks them.
            return .problems(sorted(error.errors + boundProblems(R.self, in: document, besides: error.errors)))
        }
        // Bounds from the nodes (as `validate()` would find them, faster), then the rules.
        let issues = bounds(R.self, in: document) + resource.ruleIssues()
        guard issues.isEmpty else {
            return .problems(sorted(issues.map { YAMLDecodingError(mark: document.mark(at: $0.path), path: $0.path, message: $0.message) }))
        }
        return .resource(resource.wrapped)
    }

    /// The spec's fields out of their schema bounds, read from the document's nodes.
    private func bounds<R: ManifestKind>(_ kind: R.Type, in document: YAMLDocument) -> [FieldIssue] {
        guard let spec = document.value(of: document.root, at: "spec"), let tree = R.boundsTree else { return [] }
        var walk = NodeBounds(document: document)
        walk.check(tree, at: spec, below: .key("spec"))
        return walk.found
    }

    /// The bounds where the resource did not decode, except where a problem was already found.
    private func boundProblems<R: ManifestKind>(_ kind: R.Type, in document: YAMLDocument, besides problems: [YAMLDecodingError]) -> [YAMLDecodingError] {
        let known = Set(problems.map { $0.path })
        return bounds(kind, in: document)
            .filter { !known.contains($0.path) }
            .map { YAMLDecodingError(mark: document.mark(at: $0.path), path: $0.path, message: $0.message) }
    }

    /// In the order of the document; problems at one place keep their order.
    private func sorted(_ problems: [YAMLDecodingError]) -> [YAMLDecodingError] {
        problems.enumerated().sorted { ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset) }.map(\.element)
    }

    private func resolveKind(_ document: YAMLDocument) throws(YAMLDecodingError) -> any ManifestKind.Type {
        var known: String { manifestKinds.map { $0.kind }.joined(separator: ", ") }
        let apiVersion = try header("apiVersion", of: document, expecting: API.apiVersion)
        let kind = try header("kind", of: document, expecting: "one of \(known)")
        guard document.text(of: apiVersion, equals: API.apiVersion) else {
            throw YAMLDecodingError(mark: document.mark(of: apiVersion), path: FieldPath("apiVersion"), message: "hmsctl reads \(API.apiVersion) resources, found \"\(document.text(of: apiVersion))\" (kind \(document.text(of: kind)))")
        }
        guard let type = manifestKinds.first(where: { document.text(of: kind, equals: $0.kind) }) else {
            let name = document.text(of: kind)
            let hint = Spelling.closest(to: name, in: manifestKinds.map { $0.kind }).map { "did you mean \"\($0)\"?" } ?? "expected one of \(known)"
            throw YAMLDecodingError(mark: document.mark(of: kind), path: FieldPath("kind"), message: "unknown kind \"\(name)\"; \(hint)")
        }
        return type
    }

    /// The node under `apiVersion` or `kind`, a string, or an error saying what belongs there.
    private func header(_ key: String, of document: YAMLDocument, expecting: @autoclosure () -> String) throws(YAMLDecodingError) -> YAMLDocument.NodeID {
        let root = document.root
        guard let node = document.value(of: root, at: key) else {
            throw YAMLDecodingError(mark: document.mark(of: root), path: FieldPath(key), message: "missing required field (\(expecting()))")
        }
        guard document.isString(node) else {
            throw YAMLDecodingError(mark: document.mark(of: node), path: FieldPath(key), message: "expected a string (\(expecting())), found \(document.describe(node))")
        }
        return node
    }
}

private enum DocumentOutcome {
    case resource(AnyResource)
    case problems([YAMLDecodingError])
}
