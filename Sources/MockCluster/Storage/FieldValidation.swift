import JSON

/// What to do with fields a built-in kind does not declare (`?fieldValidation=`): refuse them
/// (Strict, kubectl's default), drop them with a warning (Warn, the apiserver's default since
/// 1.27 when a client sends none), or drop them silently (Ignore).
enum FieldValidation: Equatable {
    case strict, warn, ignore

    init(_ request: APIRequest) throws(APIError) {
        switch request.query["fieldValidation"] ?? "" {
        case "", "Warn": self = .warn
        case "Strict": self = .strict
        case "Ignore": self = .ignore
        case let other:
            throw .badRequest("fieldValidation parameter unsupported: \(other); must be one of Ignore, Warn or Strict")
        }
    }
}

extension MockCluster {
    /// The object as decoding into the kind's Go type leaves it: unknown fields refused or dropped
    /// (with a warning under Warn), nulls and empty maps and lists gone.
    mutating func decodedAsStored(_ object: JSONValue, type: ResourceType, request: APIRequest) throws(APIError) -> JSONValue {
        guard let shape = BuiltInSchemas.shape(of: type.id) else { return object }
        var unknown: [String] = []
        let stored = shape.normalized(object, at: "", unknown: &unknown) ?? [:]
        guard !unknown.isEmpty else { return stored }
        let problems = unknown.sorted().map { "unknown field \(goQuoted($0))" }
        switch try FieldValidation(request) {
        case .strict:
            throw .badRequest(
                "\(type.kind) in version \(goQuoted(type.version)) cannot be handled as a \(type.kind): strict decoding error: "
                    + problems.joined(separator: ", "))
        case .warn: warnings += problems
        case .ignore: break
        }
        return stored
    }
}

extension APIResponse {
    /// The `Warning` header values, as the apiserver writes them: code 299, no agent, quoted text.
    public var warningHeaders: [String] { warnings.map { "299 - " + goQuoted($0) } }
}
