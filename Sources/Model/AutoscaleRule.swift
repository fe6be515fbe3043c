import JSON

/// How a ServiceSpec scales: the HPA's algorithm (autoscaling/v2), with budget and governance gates.
public struct AutoscaleRule: Resource {
    public static let kind = "AutoscaleRule"
    public static let plural = "autoscalerules"
    public static let shortNames = ["asr"]
    public static let schema = OpenAPISchema.resource(AutoscaleRule.self)

    public enum Mode: String, WireEnum {
        case enforce, recommend
    }

    public struct Spec: Codable, Sendable, Equatable {
        /// A ServiceSpec in the same namespace.
        public var target: String
        /// Default 1; 0 scales to zero, on object or external metrics only.
        public var minReplicas: Int?
        public var maxReplicas: Int
        public var metrics: [Metric]
        /// The dead band around the target (default 0.1); `behavior` may set one per direction.
        public var tolerance: Double?
        public var behavior: Behavior?
        public var mode: Mode?
        public var syncPeriodSeconds: Int?

        public init(target: String, minReplicas: Int? = nil, maxReplicas: Int, metrics: [Metric], tolerance: Double? = nil, behavior: Behavior? = nil, mode: Mode? = nil, syncPeriodSeconds: Int? = nil) {
            self.target = target
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
            self.metrics = metrics
            self.tolerance = tolerance
            self.behavior = behavior
            self.mode = mode
            self.syncPeriodSeconds = syncPeriodSeconds
        }
    }

    public struct Metric: Codable, Sendable, Equatable {
        public enum Source: String, WireEnum {
            case cpu, memory, pods, object, external
        }

        public var type: Source
        /// The metric's name (pods, object and external metrics).
        public var name: String?
        /// Percent of the requested resource (cpu, memory).
        public var targetUtilization: Int?
        /// Per pod (pods, external, object; or an absolute per-pod usage for cpu and memory).
        public var targetAverageValue: Quantity?
        /// The whole value compared to the target (object and external).
        public var targetValue: Quantity?
        /// Narrows an external metric to the series it means.
        public var selector: LabelSelector?
        /// The object an object metric describes.
        public var describedObject: ObjectReference?

        public init(type: Source, name: String? = nil, targetUtilization: Int? = nil, targetAverageValue: Quantity? = nil, targetValue: Quantity? = nil, selector: LabelSelector? = nil, describedObject: ObjectReference? = nil) {
            self.type = type
            self.name = name
            self.targetUtilization = targetUtilization
            self.targetAverageValue = targetAverageValue
            self.targetValue = targetValue
            self.selector = selector
            self.describedObject = describedObject
        }
    }

    public struct ObjectReference: Codable, Sendable, Equatable {
        public var apiVersion: String?
        public var kind: String
        public var name: String

        public init(apiVersion: String? = nil, kind: String, name: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
        }
    }

    public struct Behavior: Codable, Sendable, Equatable {
        public var scaleUp: ScalingRules?
        public var scaleDown: ScalingRules?

        public init(scaleUp: ScalingRules? = nil, scaleDown: ScalingRules? = nil) {
            self.scaleUp = scaleUp
            self.scaleDown = scaleDown
        }
    }

    public struct ScalingRules: Codable, Sendable, Equatable {
        public enum SelectPolicy: String, WireEnum {
            case max = "Max", min = "Min", disabled = "Disabled"
        }

        public var stabilizationWindowSeconds: Int?
        public var selectPolicy: SelectPolicy?
        public var policies: [ScalingPolicy]?
        public var tolerance: Double?

        public init(stabilizationWindowSeconds: Int? = nil, selectPolicy: SelectPolicy? = nil, policies: [ScalingPolicy]? = nil, tolerance: Double? = nil) {
            self.stabilizationWindowSeconds = stabilizationWindowSeconds
            self.selectPolicy = selectPolicy
            self.policies = policies
            self.tolerance = tolerance
        }
    }

    public struct ScalingPolicy: Codable, Sendable, Equatable {
        public enum Kind: String, WireEnum {
            case pods = "Pods", percent = "Percent"
        }

        public var type: Kind
        public var value: Int
        public var periodSeconds: Int

        public init(type: Kind, value: Int, periodSeconds: Int) {
            self.type = type
            self.value = value
            self.periodSeconds = periodSeconds
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public struct Recommendation: Codable, Sendable, Equatable {
            public var time: String
            public var replicas: Int

            public init(time: String, replicas: Int) {
                self.time = time
                self.replicas = replicas
            }
        }

        public struct ScaleEvent: Codable, Sendable, Equatable {
            public var time: String
            /// Positive for scale-ups, negative for scale-downs.
            public var change: Int

            public init(time: String, change: Int) {
                self.time = time
                self.change = change
            }
        }

        public struct MetricValue: Codable, Sendable, Equatable {
            public var name: String
            public var current: Double?
            public var target: Double

            public init(name: String, current: Double? = nil, target: Double) {
                self.name = name
                self.current = current
                self.target = target
            }
        }

        public var observedGeneration: Int?
        public var currentReplicas: Int?
        public var desiredReplicas: Int?
        /// What the metrics asked for before the gates; differs from `desiredReplicas` when clamped.
        public var recommendedReplicas: Int?
        public var currentMetrics: [MetricValue]?
        public var lastScaleTime: String?
        public var recommendations: [Recommendation]?
        public var scaleEvents: [ScaleEvent]?
        public var conditions: [Condition]?

        public init(observedGeneration: Int? = nil, currentReplicas: Int? = nil, desiredReplicas: Int? = nil, recommendedReplicas: Int? = nil, currentMetrics: [MetricValue]? = nil, lastScaleTime: String? = nil, recommendations: [Recommendation]? = nil, scaleEvents: [ScaleEvent]? = nil, conditions: [Condition]? = nil) {
            self.observedGeneration = observedGeneration
            self.currentReplicas = currentReplicas
            self.desiredReplicas = desiredReplicas
            self.recommendedReplicas = recommendedReplicas
            self.currentMetrics = currentMetrics
            self.lastScaleTime = lastScaleTime
            self.recommendations = recommendations
            self.scaleEvents = scaleEvents
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
        if let problem = Names.dns1035LabelProblem(spec.target) {
            issues.append(FieldIssue("spec.target", problem))
        }
        let minimum = spec.minReplicas ?? 1
        if spec.maxReplicas >= 1, minimum > spec.maxReplicas {
            issues.append(FieldIssue("spec.minReplicas", "minReplicas (\(minimum)) must not be greater than maxReplicas (\(spec.maxReplicas))"))
        }
        if minimum == 0, !spec.metrics.contains(where: { $0.type == .object || $0.type == .external }) {
            issues.append(FieldIssue("spec.minReplicas", "scaling to zero needs an object or external metric: with no pods, there is no per-pod metric to wake the service"))
        }
        for (i, metric) in spec.metrics.enumerated() {
            issues += metric.validate(at: FieldPath("spec.metrics").index(i))
        }
        if let behavior = spec.behavior {
            issues += behavior.scaleUp?.validate(at: FieldPath("spec.behavior.scaleUp")) ?? []
            issues += behavior.scaleDown?.validate(at: FieldPath("spec.behavior.scaleDown")) ?? []
        }
        return issues
    }
}

extension AutoscaleRule.Metric {
    func validate(at path: @autoclosure () -> FieldPath) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        // "an external metric", "a pods metric"; only worded for an issue.
        var metric: String { (type == .object || type == .external ? "an " : "a ") + "\(type.rawValue) metric" }
        func require(_ present: Bool, _ field: String, _ why: String) {
            if !present { issues.append(FieldIssue(path(), "\(metric) needs \(field)\(why)")) }
        }
        func forbid(_ present: Bool, _ field: String) {
            if present { issues.append(FieldIssue(path().key(field), "does not apply to \(metric)")) }
        }
        func oneOf(_ first: (String, Bool), _ second: (String, Bool)) {
            switch (first.1, second.1) {
            case (false, false):
                require(false, "one of \(first.0) and \(second.0)", "")
            case (true, true):
                issues.append(FieldIssue(path().key(second.0), "\(metric) takes only one of \(first.0) and \(second.0); both are set"))
            default:
                break
            }
        }
        switch type {
        case .cpu, .memory:
            forbid(name != nil, "name")
            forbid(targetValue != nil, "targetValue")
            oneOf(("targetUtilization", targetUtilization != nil), ("targetAverageValue", targetAverageValue != nil))
        case .pods:
            require(name != nil, "a name", " (the custom metric, e.g. http_rps)")
            require(targetAverageValue != nil, "targetAverageValue", "")
            forbid(targetUtilization != nil, "targetUtilization")
            forbid(targetValue != nil, "targetValue")
        case .object, .external:
            require(name != nil, "a name", "")
            oneOf(("targetValue", targetValue != nil), ("targetAverageValue", targetAverageValue != nil))
            forbid(targetUtilization != nil, "targetUtilization")
            if type == .object { require(describedObject != nil, "describedObject", " (the object the metric describes)") }
        }
        if let selector { issues += selector.validate(at: path().key("selector")) }
        // The name goes into the metrics API's request path: see `MetricName`.
        if let name, let problem = MetricName.problem(name) { issues.append(FieldIssue(path().key("name"), problem)) }
        return issues
    }
}

extension AutoscaleRule.ScalingRules {
    func validate(at path: @autoclosure () -> FieldPath) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let policies, policies.isEmpty, selectPolicy != .disabled {
            issues.append(FieldIssue(path().key("policies"), "needs at least one policy (or selectPolicy: Disabled)"))
        }
        return issues
    }
}
