import Model

/// One direction of an AutoscaleRule's `behavior` with the HPA's defaults filled in, field by
/// field, as the API server defaults autoscaling/v2 (`GenerateHPAScaleUpRules`,
/// `GenerateHPAScaleDownRules`) and the controller fills the scale-down window.
public struct ScalingRulesInEffect: Sendable, Equatable {
    public typealias SelectPolicy = AutoscaleRule.ScalingRules.SelectPolicy

    public struct Policy: Sendable, Equatable, CustomStringConvertible {
        public typealias Kind = AutoscaleRule.ScalingPolicy.Kind

        public var kind: Kind
        public var value: Int
        public var periodSeconds: Int

        public init(_ kind: Kind, value: Int, periodSeconds: Int) {
            self.kind = kind
            self.value = value
            self.periodSeconds = periodSeconds
        }

        /// `Percent 100% per 15s`, `Pods 4 per 60s`.
        public var description: String {
            switch kind {
            case .percent: "Percent \(value)% per \(periodSeconds)s"
            case .pods: "Pods \(value) per \(periodSeconds)s"
            }
        }
    }

    public var stabilizationWindowSeconds: Int
    public var selectPolicy: SelectPolicy
    public var policies: [Policy]

    public init(stabilizationWindowSeconds: Int, selectPolicy: SelectPolicy, policies: [Policy]) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
    }

    /// Window 0; the larger of Pods 4 and Percent 100 per 15 s.
    public static func scaleUp(_ rules: AutoscaleRule.ScalingRules?) -> ScalingRulesInEffect {
        filling(rules, window: 0, policies: [Policy(.pods, value: 4, periodSeconds: 15), Policy(.percent, value: 100, periodSeconds: 15)])
    }

    /// Window 300 s (the controller's `--horizontal-pod-autoscaler-downscale-stabilization`);
    /// Percent 100 per 15 s.
    public static func scaleDown(_ rules: AutoscaleRule.ScalingRules?) -> ScalingRulesInEffect {
        filling(rules, window: Int(LegacyReplicaNormalization.downscaleStabilizationSeconds), policies: [Policy(.percent, value: 100, periodSeconds: 15)])
    }

    private static func filling(_ rules: AutoscaleRule.ScalingRules?, window: Int, policies: [Policy]) -> ScalingRulesInEffect {
        ScalingRulesInEffect(
            stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? window,
            selectPolicy: rules?.selectPolicy ?? .max,
            // An empty list is kept as given (upstream copies any non-nil list).
            policies: rules?.policies.map { $0.map { Policy($0.type, value: $0.value, periodSeconds: $0.periodSeconds) } } ?? policies)
    }
}
