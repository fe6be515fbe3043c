import Foundation
import JSON

/// The API group and version every kind of ours lives in.
public enum API {
    public static let group = "ops.hms.gov"
    public static let version = "v1alpha1"
    public static let apiVersion = "\(group)/\(version)"
}

/// A kind of ours: the type fixes `apiVersion` and `kind`, which are always encoded from it.
public protocol Resource: Codable, Sendable, Equatable {
    associatedtype Spec: Codable & Sendable & Equatable
    associatedtype Status: Codable & Sendable & Equatable

    static var kind: String { get }
    /// The REST resource name (`servicespecs`).
    static var plural: String { get }
    static var shortNames: [String] { get }
    /// The kind's OpenAPI schema. Each kind derives it once, as a constant:
    /// `public static let schema = OpenAPISchema.resource(Self.self)`.
    static var schema: OpenAPISchema { get }

    var metadata: ObjectMeta { get set }
    var spec: Spec { get set }
    var status: Status? { get set }

    init(metadata: ObjectMeta, spec: Spec, status: Status?)

    /// Every problem found after decoding: the fields' bounds (`FieldConstraint`) and the rules
    /// across fields. Paths are relative to the resource: `spec.minReplicas`.
    func validate() -> [FieldIssue]

    /// The rules a field's bound cannot express (names, ranges that depend on each other,
    /// uniqueness); `validate()` adds the bounds.
    func ruleIssues() -> [FieldIssue]

    /// Rules on the name beyond the API server's own (a DNS-1123 subdomain), in CEL at the root
    /// of the CRD schema; `validate()` holds the same rule in Swift.
    static var metadataRules: [CELRule] { get }
}

private enum EnvelopeKeys: String, CodingKey {
    case apiVersion, kind, metadata, spec, status
}

extension Resource {
    public static var singular: String { kind.lowercased() }
    public static var metadataRules: [CELRule] { [] }

    public func validate() -> [FieldIssue] { boundIssues() + ruleIssues() }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeKeys.self)
        let apiVersion = try container.decode(String.self, forKey: .apiVersion)
        guard apiVersion == API.apiVersion else {
            throw DecodingError.dataCorruptedError(forKey: .apiVersion, in: container, debugDescription: "expected \"\(API.apiVersion)\", found \"\(apiVersion)\"")
        }
        let kind = try container.decode(String.self, forKey: .kind)
        guard kind == Self.kind else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "expected \"\(Self.kind)\", found \"\(kind)\"")
        }
        self.init(
            metadata: try container.decode(ObjectMeta.self, forKey: .metadata),
            spec: try container.decode(Spec.self, forKey: .spec),
            status: try container.decodeIfPresent(Status.self, forKey: .status)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: EnvelopeKeys.self)
        try container.encode(API.apiVersion, forKey: .apiVersion)
        try container.encode(Self.kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(spec, forKey: .spec)
        try container.encodeIfPresent(status, forKey: .status)
    }

    /// Name rules every kind shares; kinds add their own on top.
    func validateMetadata() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let problem = Names.dns1123SubdomainProblem(metadata.name) {
            issues.append(FieldIssue("metadata.name", problem))
        }
        if let namespace = metadata.namespace, let problem = Names.dns1123LabelProblem(namespace) {
            issues.append(FieldIssue("metadata.namespace", problem))
        }
        // Issues are listed in key order; the sort is paid only when there is one.
        let labels = metadata.labels ?? [:]
        let valid = labels.allSatisfy { Names.labelKeyProblem($0.key) == nil && Names.labelValueProblem($0.value) == nil }
        for key in valid ? [] : labels.keys.sorted() {
            if let problem = Names.labelKeyProblem(key) {
                issues.append(FieldIssue(FieldPath("metadata.labels").key(key), problem))
            } else if let value = metadata.labels?[key], let problem = Names.labelValueProblem(value) {
                issues.append(FieldIssue(FieldPath("metadata.labels").key(key), problem))
            }
        }
        return issues
    }
}

/// Standard object metadata: what users write, and what the API server adds.
public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var finalizers: [String]?

    public init(
        name: String, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil,
        uid: String? = nil, resourceVersion: String? = nil, generation: Int? = nil, creationTimestamp: String? = nil,
        deletionTimestamp: String? = nil, finalizers: [String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.finalizers = finalizers
    }
}

/// A status condition, as `metav1.Condition`.
public struct Condition: Codable, Sendable, Equatable {
    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?
    public var observedGeneration: Int?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: String? = nil, observedGeneration: Int? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.observedGeneration = observedGeneration
    }
}

/// Selects objects by their labels, as `metav1.LabelSelector`.
public struct LabelSelector: Codable, Sendable, Equatable {
    public struct Requirement: Codable, Sendable, Equatable {
        public enum Operator: String, WireEnum {
            case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
        }
        public var key: String
        public var `operator`: Operator
        public var values: [String]?

        public init(key: String, `operator`: Operator, values: [String]? = nil) {
            self.key = key
            self.`operator` = `operator`
            self.values = values
        }
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] {
            let value = labels[requirement.key]
            let values = requirement.values ?? []
            switch requirement.operator {
            case .in: guard let value, values.contains(value) else { return false }
            case .notIn: if let value, values.contains(value) { return false }
            case .exists: if value == nil { return false }
            case .doesNotExist: if value != nil { return false }
            }
        }
        return true
    }

    func validate(at path: @autoclosure () -> FieldPath) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        for (i, requirement) in (matchExpressions ?? []).enumerated() {
            func here() -> FieldPath { path().key("matchExpressions").index(i).key("values") }
            let count = requirement.values?.count ?? 0
            switch requirement.operator {
            case .in, .notIn:
                if count == 0 { issues.append(FieldIssue(here(), "operator \(requirement.operator.rawValue) needs at least one value")) }
            case .exists, .doesNotExist:
                if count > 0 { issues.append(FieldIssue(here(), "operator \(requirement.operator.rawValue) takes no values")) }
            }
        }
        return issues
    }
}

/// An environment variable given to a container.
public struct EnvVar: Codable, Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

/// CPU and memory requested per replica (or per job); the cost model prices these.
public struct ResourceRequests: Codable, Sendable, Equatable {
    public var cpu: Quantity?
    public var memory: Quantity?

    public init(cpu: Quantity? = nil, memory: Quantity? = nil) {
        self.cpu = cpu
        self.memory = memory
    }
}

func validateEnv(_ env: [EnvVar]?, at path: @autoclosure () -> FieldPath) -> [FieldIssue] {
    var issues: [FieldIssue] = []
    var seen: Set<String> = []
    for (i, variable) in (env ?? []).enumerated() {
        func here() -> FieldPath { path().index(i).key("name") }
        if variable.name.isEmpty || variable.name.contains(ascii: "=") {
            issues.append(FieldIssue(here(), "\"\(variable.name)\" is not a valid environment variable name"))
        } else if !seen.insert(variable.name).inserted {
            issues.append(FieldIssue(here(), "duplicate environment variable \"\(variable.name)\""))
        }
    }
    return issues
}

