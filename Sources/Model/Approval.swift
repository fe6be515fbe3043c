/// Releases (or refuses) exactly one held action, named by its id, until it expires.
public struct Approval: Resource {
    public static let kind = "Approval"
    public static let plural = "approvals"
    public static let shortNames = ["appr"]
    public static let schema = OpenAPISchema.resource(Approval.self)

    public enum Decision: String, WireEnum {
        case approve, reject
    }

    public struct Spec: Codable, Sendable, Equatable {
        /// The held action's id, as the plan prints it.
        public var action: String
        /// The user who approved, as the cluster authenticated them (the API server's admission
        /// policy admits no other name).
        public var approvedBy: String
        /// Their groups, as the cluster authenticated them when they approved (each one must be
        /// among the writer's groups): the controller asks whether this user, in these groups,
        /// may still approve before the Approval releases anything.
        public var approverGroups: [String]?
        /// RFC 3339 time after which the approval no longer counts.
        public var expiresAt: String
        /// Default approve.
        public var decision: Decision?
        public var comment: String?

        public init(action: String, approvedBy: String, approverGroups: [String]? = nil, expiresAt: String, decision: Decision? = nil, comment: String? = nil) {
            self.action = action
            self.approvedBy = approvedBy
            self.approverGroups = approverGroups
            self.expiresAt = expiresAt
            self.decision = decision
            self.comment = comment
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        /// When the action it released was carried out.
        public var usedAt: String?
        public var conditions: [Condition]?

        public init(usedAt: String? = nil, conditions: [Condition]? = nil) {
            self.usedAt = usedAt
            self.conditions = conditions
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public func ruleIssues() -> [FieldIssue] {
        var issues = validateMetadata()
        if spec.action.isEmpty {
            issues.append(FieldIssue("spec.action", "names no action; use the id the plan prints"))
        }
        if spec.approvedBy.isEmpty {
            issues.append(FieldIssue("spec.approvedBy", "must name who approved"))
        }
        if RFC3339.date(from: spec.expiresAt) == nil {
            issues.append(FieldIssue("spec.expiresAt", "\"\(spec.expiresAt)\" is not an RFC 3339 time like 2026-11-26T18:00:00Z"))
        }
        return issues
    }
}
