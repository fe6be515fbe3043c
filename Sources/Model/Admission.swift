import JSON

/// An object of one of our kinds that the cluster holds but that does not decode or validate: a
/// finding about that object (an Event, a condition, a metric), never an error of the list, cache
/// or pass that read it. The API server admits what its CRD schema allows, which is looser than
/// `hmsctl validate`, and anyone who may write the kind in a namespace can store anything the
/// schema lets through.
public struct InvalidObject: Sendable, Equatable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String?
    public var generation: Int?
    public var issues: [FieldIssue]

    public init(kind: String, namespace: String, name: String, uid: String? = nil, generation: Int? = nil, issues: [FieldIssue]) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.generation = generation
        self.issues = issues
    }

    /// Every issue, `path: message`, joined; cut to `limit` characters, since the text goes into
    /// Events, conditions and log lines, and a hostile object can carry megabytes of errors.
    public func summary(limit: Int = 1_024) -> String {
        let text = issues.map(\.description).joined(separator: "; ")
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + " … (\(issues.count) \(issues.count == 1 ? "issue" : "issues"))"
    }
}

/// One object of kind `R` as read from the cluster: decoded and valid by the same rules as
/// `hmsctl validate`, or refused with every reason found.
public enum Admitted<R: Resource>: Sendable, Equatable {
    case valid(R)
    case invalid(InvalidObject)

    public var value: R? {
        if case .valid(let resource) = self { resource } else { nil }
    }

    public var invalid: InvalidObject? {
        if case .invalid(let object) = self { object } else { nil }
    }

    /// Decodes and validates one object. Never throws: whatever the object holds, the answer is
    /// a value or a finding about it.
    public static func admit(_ object: JSONValue) -> Admitted<R> {
        let metadata = object["metadata"]
        func invalid(_ issues: [FieldIssue]) -> Admitted<R> {
            .invalid(InvalidObject(
                kind: R.kind, namespace: metadata?["namespace"]?.stringValue ?? "", name: metadata?["name"]?.stringValue ?? "",
                uid: metadata?["uid"]?.stringValue, generation: metadata?["generation"]?.intValue, issues: issues))
        }
        do {
            return validated(try JSONValueDecoder().decode(R.self, from: object))
        } catch let error as DecodingError {
            return invalid([FieldIssue(decoding: error)])
        } catch {
            return invalid([FieldIssue(FieldPath(), "\(error)")])
        }
    }

    /// A decoded resource, judged by `validate()`.
    public static func validated(_ resource: R) -> Admitted<R> {
        let issues = resource.validate()
        guard !issues.isEmpty else { return .valid(resource) }
        let metadata = resource.metadata
        return .invalid(InvalidObject(
            kind: R.kind, namespace: metadata.namespace ?? "", name: metadata.name, uid: metadata.uid, generation: metadata.generation, issues: issues))
    }
}

extension FieldIssue {
    /// A decoder's complaint as a field path and a sentence, not a dump of its context.
    init(decoding error: DecodingError) {
        let path = FieldPath.init(codingPath:)
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path(context.codingPath + [key]), "required field is missing")
        case .valueNotFound(_, let context):
            self.init(path(context.codingPath), "expected a value, found null")
        case .typeMismatch(let type, let context):
            self.init(path(context.codingPath), Self.sentence(context.debugDescription, otherwise: "expected \(type)"))
        case .dataCorrupted(let context):
            self.init(path(context.codingPath), Self.sentence(context.debugDescription, otherwise: "invalid value"))
        @unknown default:
            self.init(FieldPath(), "\(error)")
        }
    }

    private static func sentence(_ description: String, otherwise: String) -> String {
        description.isEmpty ? otherwise : description
    }
}
