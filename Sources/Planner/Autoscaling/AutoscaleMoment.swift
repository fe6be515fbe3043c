import Model

/// Everything the autoscaler reads about one AutoscaleRule at one moment.
///
/// Past recommendations and scale events carry their age in seconds relative to that moment, so
/// the computation needs no clock: the caller, who knows `now`, turns stored times into ages.
/// Metric values are Kubernetes milli-values (`Quantity.MilliValue()`), as the HPA computes with
/// them: its integer divisions and roundings then happen at the same places here.
public struct AutoscaleMoment: Sendable, Equatable {
    /// The target's `spec.replicas`.
    public var currentReplicas: Int
    /// The target's `status.replicas`: what per-pod object and external metrics divide by.
    public var statusReplicas: Int
    public var minReplicas: Int
    public var maxReplicas: Int
    public var metrics: [MetricObservation]
    /// The rule's dead band in both directions; `behavior` may set one per direction.
    public var tolerance: Double
    /// nil takes the legacy path: 300 s scale-down stabilization and a scale-up limit of
    /// max(2 × current, 4). Present (even empty), the HPA's defaults fill what it leaves out.
    public var behavior: AutoscaleRule.Behavior?
    /// Earlier raw recommendations (`proposal`s) of this rule. The HPA seeds an empty history with
    /// the current replicas when it first sees a rule (`recordInitialRecommendation`), which holds
    /// back a first scale-down for the window; a caller that wants that does the same.
    public var recommendationHistory: [PastRecommendation]
    public var scaleUpEvents: [PastScaleChange]
    public var scaleDownEvents: [PastScaleChange]

    public init(
        currentReplicas: Int,
        statusReplicas: Int? = nil,
        minReplicas: Int,
        maxReplicas: Int,
        metrics: [MetricObservation],
        tolerance: Double = Tolerances.defaultTolerance,
        behavior: AutoscaleRule.Behavior? = nil,
        recommendationHistory: [PastRecommendation] = [],
        scaleUpEvents: [PastScaleChange] = [],
        scaleDownEvents: [PastScaleChange] = []
    ) {
        self.currentReplicas = currentReplicas
        self.statusReplicas = statusReplicas ?? currentReplicas
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
        self.tolerance = tolerance
        self.behavior = behavior
        self.recommendationHistory = recommendationHistory
        self.scaleUpEvents = scaleUpEvents
        self.scaleDownEvents = scaleDownEvents
    }

    /// The dead band in effect: per-direction tolerances count only when `behavior` is given, as
    /// the HPA reads them.
    public var tolerances: Tolerances {
        Tolerances(
            scaleDown: behavior?.scaleDown?.tolerance ?? tolerance,
            scaleUp: behavior?.scaleUp?.tolerance ?? tolerance)
    }
}

/// A recommendation the rule made earlier.
public struct PastRecommendation: Codable, Sendable, Equatable {
    public var secondsAgo: Double
    public var replicas: Int

    public init(secondsAgo: Double, replicas: Int) {
        self.secondsAgo = secondsAgo
        self.replicas = replicas
    }
}

/// A scale change the rule made earlier; `change` is a magnitude (replicas added for a scale-up,
/// removed for a scale-down).
public struct PastScaleChange: Codable, Sendable, Equatable {
    public var secondsAgo: Double
    public var change: Int

    public init(secondsAgo: Double, change: Int) {
        self.secondsAgo = secondsAgo
        self.change = change
    }
}

/// One metric of the rule: what it aims for and what was read.
public struct MetricObservation: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A resource of the target's pods, from metrics.k8s.io: "cpu" or "memory".
        case resource(String)
        /// A per-pod custom metric (custom.metrics.k8s.io).
        case pods
        /// A metric describing another object (custom.metrics.k8s.io).
        case object
        /// A metric of something outside the cluster (external.metrics.k8s.io).
        case external
    }

    public enum Target: Sendable, Equatable {
        /// Percent of the pods' requests (resource metrics).
        case utilization(percent: Int)
        /// Per pod, in milli-units.
        case averageValue(milli: Int64)
        /// The whole value, in milli-units (object and external metrics).
        case value(milli: Int64)
    }

    public enum Reading: Sendable, Equatable {
        /// A sample per pod of the target; failed and terminating pods left out.
        case pods([PodSample])
        /// One value for the whole metric (object and external metrics), with the target's pods.
        case value(milli: Int64, pods: PodCount)
        /// The metric could not be read; the text says why.
        case unavailable(String)
    }

    /// How reasons name the metric: `cpu`, `http_rps`; empty, it goes by its kind.
    public var name: String
    public var source: Source
    public var target: Target
    public var reading: Reading

    public init(name: String, source: Source, target: Target, reading: Reading) {
        self.name = name
        self.source = source
        self.target = target
        self.reading = reading
    }
}

/// One pod as a metric sees it.
public struct PodSample: Sendable, Equatable {
    /// Milli-units (millicores for cpu); nil when the pod has no sample.
    public var milliUsage: Int64?
    /// The pod's request of the resource, milli-units; only utilization targets use it.
    public var milliRequest: Int64?
    /// False for a pod that is not ready yet (pending or starting).
    public var ready: Bool

    public init(milliUsage: Int64?, milliRequest: Int64? = nil, ready: Bool = true) {
        self.milliUsage = milliUsage
        self.milliRequest = milliRequest
        self.ready = ready
    }
}

/// The target's pods, for metrics that are one value: only the ready ones share the load.
public struct PodCount: Sendable, Equatable {
    public var total: Int
    public var ready: Int

    public init(total: Int, ready: Int) {
        self.total = total
        self.ready = ready
    }
}

/// The dead band around a usage ratio of 1 within which nothing scales.
public struct Tolerances: Sendable, Equatable, CustomStringConvertible {
    /// The HPA's `--horizontal-pod-autoscaler-tolerance` default.
    public static let defaultTolerance = 0.1

    public var scaleDown: Double
    public var scaleUp: Double

    public init(scaleDown: Double, scaleUp: Double) {
        self.scaleDown = scaleDown
        self.scaleUp = scaleUp
    }

    /// Inclusive at both ends, as upstream's `isWithin`.
    public func contains(_ usageRatio: Double) -> Bool {
        (1.0 - scaleDown) <= usageRatio && usageRatio <= (1.0 + scaleUp)
    }

    public var description: String {
        "\(Decimal3(1.0 - scaleDown))–\(Decimal3(1.0 + scaleUp))"
    }
}
