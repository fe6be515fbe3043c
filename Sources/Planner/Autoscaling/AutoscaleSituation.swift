import Model

/// One recorded moment of one rule, as `hmsctl autoscale recommend --input` reads it (the fields
/// of the shared autoscale cases). It describes metrics loosely (`cpuUtilization`, `averageValue`,
/// `value`), so it turns into an `AutoscaleMoment` before the algorithm sees it.
public struct AutoscaleSituation: Codable, Sendable, Equatable {
    public struct Metric: Codable, Sendable, Equatable {
        public enum Kind: String, WireEnum {
            /// Percent of the pods' requested CPU.
            case cpuUtilization
            /// Per pod: a pods metric (with `pods`) or an object/external metric divided per pod
            /// (with `metricValue`).
            case averageValue
            /// An object/external metric compared as a whole.
            case value
        }

        public var type: Kind
        public var target: Double
        /// How reasons name the metric (`http_rps`); unnamed, `cpu` or the metric's kind.
        public var name: String?

        public init(type: Kind, target: Double, name: String? = nil) {
            self.type = type
            self.target = target
            self.name = name
        }
    }

    /// A pod as one metric sees it. `usage` and `request` are millicores for `cpuUtilization`,
    /// the metric's units otherwise.
    public struct Pod: Codable, Sendable, Equatable {
        /// nil (with `ready: true`): the pod has no sample.
        public var usage: Double?
        public var request: Double?
        /// false: not ready (pending).
        public var ready: Bool

        public init(usage: Double?, request: Double? = nil, ready: Bool = true) {
            self.usage = usage
            self.request = request
            self.ready = ready
        }
    }

    public struct AdditionalMetric: Codable, Sendable, Equatable {
        public var metric: Metric
        public var pods: [Pod]?
        public var metricValue: Double?
        /// true: the metric could not be read.
        public var error: Bool?

        public init(metric: Metric, pods: [Pod]? = nil, metricValue: Double? = nil, error: Bool? = nil) {
            self.metric = metric
            self.pods = pods
            self.metricValue = metricValue
            self.error = error
        }
    }

    // Descriptive fields of a worked case; the algorithm ignores them.
    public var name: String?
    public var source: String?
    public var notes: String?
    public var expectedReplicas: Int?
    public var expectedProposal: Int?

    /// The target's `spec.replicas`.
    public var currentReplicas: Int
    /// The target's `status.replicas`; default `currentReplicas`.
    public var statusReplicas: Int?
    /// Default 1, as in an AutoscaleRule.
    public var minReplicas: Int?
    public var maxReplicas: Int
    public var metric: Metric
    public var pods: [Pod]?
    public var metricValue: Double?
    public var additionalMetrics: [AdditionalMetric]?
    /// Default 0.1.
    public var tolerance: Double?
    /// null or absent: the legacy path; an object, even `{}`: behavior with the HPA's defaults.
    public var behavior: AutoscaleRule.Behavior?
    public var recommendationHistory: [PastRecommendation]?
    public var scaleUpEvents: [PastScaleChange]?
    public var scaleDownEvents: [PastScaleChange]?

    public init(currentReplicas: Int, minReplicas: Int? = nil, maxReplicas: Int, metric: Metric, pods: [Pod]? = nil, metricValue: Double? = nil) {
        self.currentReplicas = currentReplicas
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metric = metric
        self.pods = pods
        self.metricValue = metricValue
    }

    /// Problems that would make the moment meaningless, by field, for file:line:column errors.
    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func nonNegative(_ value: Int?, _ field: String) {
            if let value, value < 0 { issues.append(FieldIssue(field, "must be 0 or more, found \(value)")) }
        }
        nonNegative(currentReplicas, "currentReplicas")
        nonNegative(statusReplicas, "statusReplicas")
        nonNegative(minReplicas, "minReplicas")
        if maxReplicas < 1 {
            issues.append(FieldIssue("maxReplicas", "must be 1 or more, found \(maxReplicas)"))
        } else if let minReplicas, minReplicas > maxReplicas {
            issues.append(FieldIssue("minReplicas", "minReplicas (\(minReplicas)) must not be greater than maxReplicas (\(maxReplicas))"))
        }
        issues += Self.validate(metric, pods: pods, metricValue: metricValue, unreadable: false, at: FieldPath(), metricField: "metric")
        for (index, additional) in (additionalMetrics ?? []).enumerated() {
            let path = FieldPath("additionalMetrics").index(index)
            issues += Self.validate(additional.metric, pods: additional.pods, metricValue: additional.metricValue, unreadable: additional.error == true, at: path, metricField: "metric")
        }
        if let tolerance, !(tolerance >= 0) {
            issues.append(FieldIssue("tolerance", "must be 0 or more, found \(Decimal3(tolerance))"))
        }
        for (direction, rules) in [("scaleUp", behavior?.scaleUp), ("scaleDown", behavior?.scaleDown)] {
            guard let rules else { continue }
            let path = FieldPath("behavior").key(direction)
            if let window = rules.stabilizationWindowSeconds, window < 0 {
                issues.append(FieldIssue(path.key("stabilizationWindowSeconds"), "must be 0 or more, found \(window)"))
            }
            if let tolerance = rules.tolerance, !(tolerance >= 0) {
                issues.append(FieldIssue(path.key("tolerance"), "must be 0 or more, found \(Decimal3(tolerance))"))
            }
            for (index, policy) in (rules.policies ?? []).enumerated() {
                if policy.value < 1 { issues.append(FieldIssue(path.key("policies").index(index).key("value"), "must be 1 or more, found \(policy.value)")) }
                if policy.periodSeconds < 1 { issues.append(FieldIssue(path.key("policies").index(index).key("periodSeconds"), "must be 1 or more, found \(policy.periodSeconds)")) }
            }
        }
        for (field, history) in [("recommendationHistory", recommendationHistory.map { $0.map { ($0.secondsAgo, $0.replicas, "replicas") } }),
                                 ("scaleUpEvents", scaleUpEvents.map { $0.map { ($0.secondsAgo, $0.change, "change") } }),
                                 ("scaleDownEvents", scaleDownEvents.map { $0.map { ($0.secondsAgo, $0.change, "change") } })] {
            for (index, entry) in (history ?? []).enumerated() {
                let path = FieldPath(field).index(index)
                if !(entry.0 >= 0) { issues.append(FieldIssue(path.key("secondsAgo"), "must be 0 or more, found \(Decimal3(entry.0))")) }
                if entry.1 < 0 { issues.append(FieldIssue(path.key(entry.2), "must be 0 or more, found \(entry.1)")) }
            }
        }
        return issues
    }

    private static func validate(_ metric: Metric, pods: [Pod]?, metricValue: Double?, unreadable: Bool, at path: FieldPath, metricField: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let metricPath = path.key(metricField)
        if !(metric.target > 0) {
            issues.append(FieldIssue(metricPath.key("target"), "must be greater than 0, found \(Decimal3(metric.target))"))
        } else if metric.type == .cpuUtilization, metric.target.rounded() != metric.target || metric.target > Double(Int32.max) {
            issues.append(FieldIssue(metricPath.key("target"), "a cpuUtilization target is a whole percent, found \(Decimal3(metric.target))"))
        }
        for (index, pod) in (pods ?? []).enumerated() {
            let podPath = path.key("pods").index(index)
            if let usage = pod.usage, !(usage >= 0) { issues.append(FieldIssue(podPath.key("usage"), "must be 0 or more, found \(Decimal3(usage))")) }
            if let request = pod.request, !(request >= 0) { issues.append(FieldIssue(podPath.key("request"), "must be 0 or more, found \(Decimal3(request))")) }
        }
        if let metricValue, !(metricValue >= 0) {
            issues.append(FieldIssue(path.key("metricValue"), "must be 0 or more, found \(Decimal3(metricValue))"))
        }
        guard !unreadable else { return issues }
        let subject = path.components.isEmpty ? "the situation" : "this metric"
        switch metric.type {
        case .cpuUtilization:
            if pods == nil { issues.append(FieldIssue(path, "\(subject) needs pods (usage and request per pod, in millicores) for a cpuUtilization metric")) }
            if metricValue != nil { issues.append(FieldIssue(path.key("metricValue"), "does not apply to a cpuUtilization metric")) }
        case .averageValue:
            if (pods == nil) == (metricValue == nil) {
                issues.append(FieldIssue(path, "\(subject) needs either pods (a pods metric) or metricValue (an object or external metric divided per pod) for an averageValue metric"))
            }
        case .value:
            if metricValue == nil { issues.append(FieldIssue(path, "\(subject) needs metricValue for a value metric")) }
        }
        return issues
    }

    /// The moment the algorithm evaluates. Call `validate()` first: values it rejects are passed
    /// through as they are.
    public func moment() -> AutoscaleMoment {
        var metrics = [Self.observation(metric, pods: pods, metricValue: metricValue, unreadable: false, currentReplicas: currentReplicas)]
        for additional in additionalMetrics ?? [] {
            metrics.append(Self.observation(additional.metric, pods: additional.pods, metricValue: additional.metricValue, unreadable: additional.error == true, currentReplicas: currentReplicas))
        }
        return AutoscaleMoment(
            currentReplicas: currentReplicas,
            statusReplicas: statusReplicas,
            minReplicas: minReplicas ?? 1,
            maxReplicas: maxReplicas,
            metrics: metrics,
            tolerance: tolerance ?? Tolerances.defaultTolerance,
            behavior: behavior,
            recommendationHistory: recommendationHistory ?? [],
            scaleUpEvents: scaleUpEvents ?? [],
            scaleDownEvents: scaleDownEvents ?? [])
    }

    private static func observation(_ metric: Metric, pods: [Pod]?, metricValue: Double?, unreadable: Bool, currentReplicas: Int) -> MetricObservation {
        let targetMilli = MilliValue.of(units: metric.target)
        let (source, target): (MetricObservation.Source, MetricObservation.Target)
        switch metric.type {
        case .cpuUtilization:
            (source, target) = (.resource("cpu"), .utilization(percent: Int(exactly: metric.target.rounded()) ?? 0))
        case .averageValue:
            // With pods it is a per-pod custom metric; with one value, an external one.
            (source, target) = (metricValue == nil && pods != nil ? .pods : .external, .averageValue(milli: targetMilli))
        case .value:
            (source, target) = (.external, .value(milli: targetMilli))
        }
        let name = metric.name ?? (metric.type == .cpuUtilization ? "cpu" : "")
        let reading: MetricObservation.Reading
        if unreadable {
            reading = .unavailable("the metric could not be read")
        } else if let metricValue {
            // Listed pods only say which are ready; unlisted, all current replicas are.
            let count = pods.map { PodCount(total: $0.count, ready: $0.filter(\.ready).count) } ?? PodCount(total: currentReplicas, ready: currentReplicas)
            reading = .value(milli: MilliValue.of(units: metricValue), pods: count)
        } else {
            let inMillicores = metric.type == .cpuUtilization
            reading = .pods((pods ?? []).map { pod in
                PodSample(
                    milliUsage: pod.usage.map { inMillicores ? MilliValue.roundingUp(milli: $0) : MilliValue.of(units: $0) },
                    milliRequest: pod.request.map { inMillicores ? MilliValue.roundingUp(milli: $0) : MilliValue.of(units: $0) },
                    ready: pod.ready)
            })
        }
        return MetricObservation(name: name, source: source, target: target, reading: reading)
    }
}
