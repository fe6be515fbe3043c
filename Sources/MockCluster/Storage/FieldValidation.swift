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
            throw Self.unsupported(other, method: request.method)
        }
    }

    /// The options' own validation: a 422 on `CreateOptions`, `UpdateOptions` or `PatchOptions`.
    private static func unsupported(_ value: String, method: String) -> APIError {
        let kind = method == "POST" ? "CreateOptions" : method == "PUT" ? "UpdateOptions" : "PatchOptions"
        let problem = FieldError(.notSupported, "fieldValidation", .json(.string(value)), FieldError.supportedValues(["", "Ignore", "Strict", "Warn"]))
        return APIError(
            code: 422, reason: "Invalid", message: "\(kind).meta.k8s.io \"\" is invalid: \(problem.description)",
            details: [
                "group": "meta.k8s.io", "kind": .string(kind),
                "causes": [problem.cause],
            ])
    }
}

extension MockCluster {
    /// The object as decoding into the kind's Go type leaves it: unknown fields refused or dropped
    /// (with a warning under Warn), nulls and empty maps and lists gone.
    mutating func decodedAsStored(_ object: JSONValue, type: ResourceType, request: APIRequest) throws(APIError) -> JSONValue {
        let directive = try FieldValidation(request)
        guard let shape = KnownFields.shape(of: type.id) else { return object }
        var findings = FieldShape.Findings()
        let stored = shape.normalized(object, at: "", findings: &findings) ?? [:]
        let cannotDecode = "\(type.kind) in version \(goQuoted(type.version)) cannot be handled as a \(type.kind): "
        // A type's own decoder stops decoding at once; a value of the wrong JSON type fails it at
        // the end; both whatever fieldValidation says, as in Go.
        if let failure = findings.undecodable.first { throw .badRequest(cannotDecode + failure) }
        if let mismatch = findings.mismatched.first { throw .badRequest(cannotDecode + "json: " + mismatch) }
        let unknown = findings.unknown
        guard !unknown.isEmpty else { return stored }
        let problems = unknown.sorted().map { "unknown field \(goQuoted($0))" }
        switch directive {
        case .strict:
            throw .badRequest(cannotDecode + "strict decoding error: " + problems.joined(separator: ", "))
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
