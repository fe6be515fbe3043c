/// What the services it selects may cost in a month.
public struct Budget: Resource {
    public static let kind = "Budget"
    public static let plural = "budgets"
    public static let shortNames = ["bud"]
    public static let schema = OpenAPISchema.resource(Budget.self)

    public enum Enforcement: String, WireEnum {
        case enforce, warn
    }

    public struct Spec: Codable, Sendable, Equatable {
        /// ServiceSpecs in this namespace it covers.
        public var selector: LabelSelector
        public var monthlyLimitUSD: Double
        public var pricing: Pricing
        /// Above this percent of the limit, scale-ups need approval (default 90).
        public var softLimitPercent: Double?
        public var alertPercents: [Double]?
        public var enforcement: Enforcement?

        public init(selector: LabelSelector, monthlyLimitUSD: Double, pricing: Pricing, softLimitPercent: Double? = nil, alertPercents: [Double]? = nil, enforcement: Enforcement? = nil) {
            self.selector = selector
            self.monthlyLimitUSD = monthlyLimitUSD
            self.pricing = pricing
            self.softLimitPercent = softLimitPercent
            self.alertPercents = alertPercents
            self.enforcement = enforcement
        }
    }

    public struct Pricing: Codable, Sendable, Equatable {
        public var cpuCoreHourUSD: Double
        public var memoryGiBHourUSD: Double

        public init(cpuCoreHourUSD: Double, memoryGiBHourUSD: Double) {
            self.cpuCoreHourUSD = cpuCoreHourUSD
            self.memoryGiBHourUSD = memoryGiBHourUSD
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        /// The month the figures are for, `2026-11`.
        public var month: String?
        public var spentUSD: Double?
        public var projectedUSD: Double?
        public var costUSDPerHour: Double?
        public var lastUpdated: String?
        public var alertsRaised: [Double]?
        public var conditions: [Condition]?

        public init(month: String? = nil, spentUSD: Double? = nil, projectedUSD: Double? = nil, costUSDPerHour: Double? = nil, lastUpdated: String? = nil, alertsRaised: [Double]? = nil, conditions: [Condition]? = nil) {
            self.month = month
            self.spentUSD = spentUSD
            self.projectedUSD = projectedUSD
            self.costUSDPerHour = costUSDPerHour
            self.lastUpdated = lastUpdated
            self.alertsRaised = alertsRaised
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
        issues += spec.selector.validate(at: FieldPath("spec.selector"))
        if spec.selector.matchLabels?.isEmpty ?? true, spec.selector.matchExpressions?.isEmpty ?? true {
            issues.append(FieldIssue("spec.selector", "an empty selector would cover every service in the namespace; name the labels it covers"))
        }
        var seen: Set<Double> = []
        for (i, percent) in (spec.alertPercents ?? []).enumerated() {
            func here() -> FieldPath { FieldPath("spec.alertPercents").index(i) }
            if percent > 0 && percent <= 100, !seen.insert(percent).inserted {
                issues.append(FieldIssue(here(), "duplicate alert at \(percent.compactDescription)%"))
            }
        }
        return issues
    }
}
