/// One resource of any of our kinds.
public enum AnyResource: Sendable, Equatable {
    case serviceSpec(ServiceSpec)
    case autoscaleRule(AutoscaleRule)
    case budget(Budget)
    case directive(Directive)
    case governancePolicy(GovernancePolicy)
    case approval(Approval)

    /// Every kind, in the order resources are applied (policies before what they govern).
    public static let kinds: [any Resource.Type] = [
        GovernancePolicy.self, Budget.self, ServiceSpec.self, AutoscaleRule.self, Directive.self, Approval.self,
    ]

    public static func kind(named name: String) -> (any Resource.Type)? {
        kinds.first { $0.kind == name }
    }

    /// Finds a kind the way kubectl does: by kind, plural, singular or short name, any case.
    public static func kind(matching word: String) -> (any Resource.Type)? {
        let word = word.lowercased()
        return kinds.first { $0.kind.lowercased() == word || $0.plural == word || $0.shortNames.contains(word) }
    }

    public init(_ resource: any Resource) {
        switch resource {
        case let r as ServiceSpec: self = .serviceSpec(r)
        case let r as AutoscaleRule: self = .autoscaleRule(r)
        case let r as Budget: self = .budget(r)
        case let r as Directive: self = .directive(r)
        case let r as GovernancePolicy: self = .governancePolicy(r)
        case let r as Approval: self = .approval(r)
        default: preconditionFailure("\(type(of: resource)) is not one of AnyResource.kinds")
        }
    }

    public var resource: any Resource {
        switch self {
        case .serviceSpec(let r): r
        case .autoscaleRule(let r): r
        case .budget(let r): r
        case .directive(let r): r
        case .governancePolicy(let r): r
        case .approval(let r): r
        }
    }

    // Switches rather than `resource`, which would copy the value into an existential box.
    public var kind: String {
        switch self {
        case .serviceSpec: ServiceSpec.kind
        case .autoscaleRule: AutoscaleRule.kind
        case .budget: Budget.kind
        case .directive: Directive.kind
        case .governancePolicy: GovernancePolicy.kind
        case .approval: Approval.kind
        }
    }

    public var metadata: ObjectMeta {
        switch self {
        case .serviceSpec(let r): r.metadata
        case .autoscaleRule(let r): r.metadata
        case .budget(let r): r.metadata
        case .directive(let r): r.metadata
        case .governancePolicy(let r): r.metadata
        case .approval(let r): r.metadata
        }
    }
}
