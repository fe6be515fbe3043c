import Model

/// The kind of an object a plan, a cache or the journal names, by its wire name (`Deployment`).
/// Typed so that kinds are compared as values (`ref.kind == .deployment`), never as text; a kind
/// this code has no constant for (one a cache or the journal reads) keeps its name.
public struct ObjectKind: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// As the API spells it in `kind`.
    public let name: String

    /// The kind of this wire name, as the API, a manifest or the journal spells it.
    public init(_ name: String) { self.name = name }

    /// The kind of one of our resource types.
    public init<R: Resource>(_ type: R.Type) { name = R.kind }

    public static let deployment = ObjectKind("Deployment")
    public static let service = ObjectKind("Service")
    public static let pod = ObjectKind("Pod")
    public static let job = ObjectKind("Job")
    public static let serviceSpec = ObjectKind(ServiceSpec.self)
    public static let autoscaleRule = ObjectKind(AutoscaleRule.self)
    public static let budget = ObjectKind(Budget.self)
    public static let directive = ObjectKind(Directive.self)
    public static let governancePolicy = ObjectKind(GovernancePolicy.self)
    public static let approval = ObjectKind(Approval.self)

    public static func < (left: ObjectKind, right: ObjectKind) -> Bool { left.name < right.name }

    public var description: String { name }

    /// Encoded as its name alone, as a reference's `kind` reads on the wire.
    public init(from decoder: any Decoder) throws {
        name = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
