import JSON

/// Decodes any `Decodable` from a YAML document, keeping the position of every node: each
/// problem names its line, column and field path, as a compiler's error does.
///
/// `.strict` (manifests, `hmsctl autoscale recommend` inputs) reads YAML as the Kubernetes API
/// server reads JSON, and refuses what tools would read differently: a field the type does not
/// have, an unquoted `10` where a string belongs or `"10"` where a number does, an unquoted `yes`
/// or `no` where a string belongs (YAML 1.1 tools such as kubectl read it as a boolean), a key
/// that is not a string. A problem in an optional field is collected and the field reads as
/// absent, so one pass reports every problem, not just the first.
///
/// `.lenient` reads as Go's encoding/json does after kubectl turned YAML into JSON (a
/// kubeconfig): fields the type does not ask for are ignored, null reads as the empty value (an
/// empty string, false, an empty list or mapping), and the first problem ends decoding.
public struct YAMLDecoder: Sendable {
    public enum Strictness: Sendable {
        case strict, lenient
    }

    public var strictness: Strictness
    /// What the decoded types tell a strict reader; nil: plain messages, no stand-ins.
    public var schema: (any YAMLSchema)?

    public init(strictness: Strictness = .strict, schema: (any YAMLSchema)? = nil) {
        self.strictness = strictness
        self.schema = schema
    }

    /// Decodes the document's root; throws every problem found, in the order of the document.
    public func decode<T: Decodable>(_ type: T.Type, from document: YAMLDocument) throws(YAMLDecodingErrors) -> T {
        let state = DecodingState(document: document, decoder: self)
        let value: T
        do throws(NodeProblem) {
            value = try state.decodeRoot(T.self)
        } catch {
            throw YAMLDecodingErrors(state.rendered(state.problems + [error]))
        }
        guard state.problems.isEmpty else { throw YAMLDecodingErrors(state.rendered(state.problems)) }
        return value
    }
}

extension YAMLDocument {
    /// The JSON the document means, as the API server reads a YAML body: scalars by the core
    /// schema, every scalar key as its text.
    public var jsonValue: JSONValue {
        // Lenient reading of JSON values has nothing to refuse.
        (try? YAMLDecoder(strictness: .lenient).decode(JSONValue.self, from: self)) ?? .null
    }
}

/// What a strict reader learns from the types it decodes, for better messages and to read on
/// past a problem.
public protocol YAMLSchema: Sendable {
    /// The fields a mapping read as `type` may have, in order; empty when it has no fixed fields.
    func fieldNames(of type: Any.Type) -> [String]
    /// What to say of a field `type` does not have: `unknown field "replica"; did you mean "replicas"?`.
    func unknownField(_ name: String, of type: Any.Type) -> String
    /// A value to stand in for a required field that is missing or bad, once the problem is
    /// recorded, so that the fields after it are checked too (as the API server reports them all);
    /// nil: the problem ends the value that holds the field.
    func placeholder<T: Decodable>(of type: T.Type) -> T?
    /// Whether `type` is a closed set of words, where an unquoted `yes` or `no` is one of the words
    /// (a `catchUp: no` that says which no), not a YAML 1.1 boolean.
    func isClosedSet(_ type: Any.Type) -> Bool
}

/// One problem in a document.
public struct YAMLDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: Mark
    /// The field the problem is about; empty for the document itself.
    public var path: FieldPath
    public var message: String

    public init(mark: Mark, path: FieldPath, message: String) {
        self.mark = mark
        self.path = path
        self.message = message
    }

    /// `12:5: spec.replicas: expected an integer, found "three"`.
    public var description: String {
        path.components.isEmpty ? "\(mark): \(message)" : "\(mark): \(path): \(message)"
    }
}

/// Every problem that kept a document from decoding, in the order of the document.
public struct YAMLDecodingErrors: Error, Sendable, Equatable {
    public var errors: [YAMLDecodingError]

    public init(_ errors: [YAMLDecodingError]) {
        self.errors = errors
    }
}
