/// Rules every action must pass: approval thresholds, allowed registries, freeze windows.
public struct GovernancePolicy: Resource {
    public static let kind = "GovernancePolicy"
    public static let plural = "governancepolicies"
    public static let shortNames = ["gp"]
    public static let schema = OpenAPISchema.resource(GovernancePolicy.self)

    /// The kinds of action a freeze window can block.
    public enum ActionClass: String, WireEnum {
        case deploy, update, scaleUp = "scale-up", scaleDown = "scale-down", restart, delete, startJob = "start-job"
    }

    public struct Spec: Codable, Sendable, Equatable {
        /// ServiceSpecs and Directives it governs; absent: everything in its namespace.
        public var selector: LabelSelector?
        /// Above this many replicas an action is held for approval.
        public var maxReplicasWithoutApproval: Int?
        /// Image prefixes allowed (`registry.gov/`); absent: any.
        public var allowedRegistries: [String]?
        public var freezeWindows: [FreezeWindow]?

        public init(selector: LabelSelector? = nil, maxReplicasWithoutApproval: Int? = nil, allowedRegistries: [String]? = nil, freezeWindows: [FreezeWindow]? = nil) {
            self.selector = selector
            self.maxReplicasWithoutApproval = maxReplicasWithoutApproval
            self.allowedRegistries = allowedRegistries
            self.freezeWindows = freezeWindows
        }
    }

    public struct FreezeWindow: Codable, Sendable, Hashable {
        /// When each window opens (cron, in `timeZone`).
        public var schedule: CronSchedule
        public var durationMinutes: Int
        public var timeZone: TimeZoneID?
        public var blocks: [ActionClass]

        public init(schedule: CronSchedule, durationMinutes: Int, timeZone: TimeZoneID? = nil, blocks: [ActionClass]) {
            self.schedule = schedule
            self.durationMinutes = durationMinutes
            self.timeZone = timeZone
            self.blocks = blocks
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var observedGeneration: Int?
        public var activeFreezeWindow: String?
        public var conditions: [Condition]?

        public init(observedGeneration: Int? = nil, activeFreezeWindow: String? = nil, conditions: [Condition]? = nil) {
            self.observedGeneration = observedGeneration
            self.activeFreezeWindow = activeFreezeWindow
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
        if let selector = spec.selector { issues += selector.validate(at: FieldPath("spec.selector")) }
        for (i, registry) in (spec.allowedRegistries ?? []).enumerated() where registry.isEmpty || registry.containsWhitespace {
            issues.append(FieldIssue(FieldPath("spec.allowedRegistries").index(i), "\"\(registry)\" is not a registry prefix like registry.gov/"))
        }
        return issues
    }
}
