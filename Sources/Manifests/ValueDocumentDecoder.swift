import Model
import YAML

/// Every problem that kept a document from decoding.
public struct DecodeFailure: Error, Sendable {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }
}

/// Decodes one YAML document into any Decodable value that is not a resource (an autoscale
/// situation, say), with the strictness and the file:line:column errors of manifests: unknown
/// fields, wrong types and failed checks each point at their node. JSON is YAML too, so a JSON
/// file reads the same way, positions included.
public struct ValueDocumentDecoder: Sendable {
    public var parser: YAMLParser

    public init(parser: YAMLParser = YAMLParser()) {
        self.parser = parser
    }

    public func decode<Value: Decodable>(
        _ type: Value.Type, from bytes: [UInt8], file: String,
        validate: (Value) -> [FieldIssue] = { _ in [] }
    ) throws(DecodeFailure) -> Value {
        let lines = SourceLines(bytes: bytes)
        func diagnostic(_ mark: Mark?, _ path: FieldPath?, _ message: String) -> Diagnostic {
            Diagnostic(file: file, mark: mark, path: path, message: message, lines: lines)
        }
        let documents: [YAMLDocument]
        do {
            documents = try parser.documents(bytes)
        } catch {
            throw DecodeFailure(diagnostics: [diagnostic(error.mark, nil, error.message)])
        }
        guard let document = documents.first, !document.isNull(document.root) else {
            throw DecodeFailure(diagnostics: [diagnostic(nil, nil, "the file is empty; expected one document")])
        }
        guard documents.count == 1 else {
            let second = documents[1]
            throw DecodeFailure(diagnostics: [diagnostic(second.mark(of: second.root), nil, "expected one document, found \(documents.count)")])
        }
        let value: Value
        do {
            value = try YAMLDecoder(schema: ModelSchema()).decode(Value.self, from: document)
        } catch {
            throw DecodeFailure(diagnostics: error.errors.map { diagnostic($0.mark, $0.path, $0.message) })
        }
        // Checks across fields only mean something once every field decoded.
        let issues = validate(value)
        guard issues.isEmpty else {
            let placed = issues.map { (mark: document.mark(at: $0.path), issue: $0) }
            // In file order, as a reader meets them; issues at one place keep their order.
            let ordered = placed.enumerated().sorted { ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset) }
            throw DecodeFailure(diagnostics: ordered.map { diagnostic($0.element.mark, $0.element.issue.path, $0.element.issue.message) })
        }
        return value
    }
}
