import Foundation
import Model

/// One AutoscaleRule judged on values: the metrics read this pass, the live replicas and pods, the
/// rule's own status, and now. The controller reads the metrics; this decides what the rule
/// recommends and the status it shows (its history compacted to what the HPA algorithm looks back on).
public enum AutoscaleEvaluation {
    /// The metrics of the rule's namespace, per pod name, in milli-units: CPU (millicores) and
    /// each per-pod custom metric by its name.
    public struct Readings: Sendable, Equatable {
        public var cpu: [String: Int64]
        public var custom: [String: [String: Int64]]

        public init(cpu: [String: Int64] = [:], custom: [String: [String: Int64]] = [:]) {
            self.cpu = cpu
            self.custom = custom
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// nil in `recommend` mode: the rule only reports.
        public var recommendation: Planner.Recommendation?
        public var status: AutoscaleRule.Status
    }

    public static func evaluate(_ rule: AutoscaleRule, service: ServiceSpec, replicas: Int, pods: [ObservedPod], readings: Readings,
                                now: Date) -> Outcome {
        let (metrics, currentMetrics) = observations(rule, service: service, pods: pods, readings: readings)
        let status = rule.status
        let moment = AutoscaleMoment(
            currentReplicas: replicas, minReplicas: rule.spec.minReplicas ?? 1, maxReplicas: rule.spec.maxReplicas,
            metrics: metrics, tolerance: rule.spec.tolerance ?? Tolerances.defaultTolerance, behavior: rule.spec.behavior,
            recommendationHistory: (status?.recommendations ?? []).compactMap { entry in
                RFC3339.date(from: entry.time).map { PastRecommendation(secondsAgo: now.timeIntervalSince($0), replicas: entry.replicas) }
            },
            scaleUpEvents: pastChanges(status, now: now, upward: true),
            scaleDownEvents: pastChanges(status, now: now, upward: false))
        let recommendation = Autoscaler.recommend(moment)
        var next = status ?? AutoscaleRule.Status()
        next.observedGeneration = rule.metadata.generation
        next.currentReplicas = replicas
        next.desiredReplicas = recommendation.desiredReplicas
        next.recommendedReplicas = recommendation.desiredReplicas
        next.currentMetrics = currentMetrics
        next.conditions = recommendation.conditions
        let window = lookBack(rule.spec.behavior)
        next.recommendations = compacted(
            (next.recommendations ?? []) + [.init(time: RFC3339.string(from: now), replicas: recommendation.proposal ?? recommendation.desiredReplicas)],
            window: window, refresh: refreshPeriod(rule.spec.behavior), now: now)
        next.scaleEvents = (next.scaleEvents ?? []).filter { RFC3339.date(from: $0.time).map { now.timeIntervalSince($0) <= window } ?? false }
        let advice = rule.spec.mode == .recommend ? nil : Planner.Recommendation(
            replicas: recommendation.desiredReplicas, rule: rule.metadata.name,
            reason: recommendation.reasons.first ?? "desired \(recommendation.desiredReplicas)")
        return Outcome(recommendation: advice, status: next)
    }

    /// What the HPA algorithm reads for each metric, and what the status shows of it.
    static func observations(_ rule: AutoscaleRule, service: ServiceSpec, pods: [ObservedPod], readings: Readings)
        -> ([MetricObservation], [AutoscaleRule.Status.MetricValue])
    {
        let requestMillis = service.spec.resources?.cpu?.milliValue
        var metrics: [MetricObservation] = []
        var shown: [AutoscaleRule.Status.MetricValue] = []
        for metric in rule.spec.metrics {
            switch metric.type {
            case .cpu:
                let samples = pods.map { PodSample(milliUsage: readings.cpu[$0.name], milliRequest: requestMillis, ready: $0.ready) }
                let target: MetricObservation.Target =
                    metric.targetUtilization.map { .utilization(percent: $0) } ?? .averageValue(milli: metric.targetAverageValue?.milliValue ?? 0)
                metrics.append(MetricObservation(name: "cpu", source: .resource("cpu"), target: target, reading: .pods(samples)))
                let utilization = average(samples).flatMap { value in requestMillis.map { value * 100 / Double($0) } }
                shown.append(.init(name: "cpu", current: utilization, target: Double(metric.targetUtilization ?? 0)))
            case .pods:
                let name = metric.name ?? ""
                let values = readings.custom[name] ?? [:]
                let samples = pods.map { PodSample(milliUsage: values[$0.name], ready: $0.ready) }
                let target = metric.targetAverageValue?.milliValue ?? 0
                metrics.append(MetricObservation(name: name, source: .pods, target: .averageValue(milli: target), reading: .pods(samples)))
                shown.append(.init(name: name, current: average(samples).map { $0 / 1000 }, target: Double(target) / 1000))
            case .memory, .object, .external:
                metrics.append(MetricObservation(
                    name: metric.name ?? metric.type.rawValue, source: metric.type == .memory ? .resource("memory") : metric.type == .object ? .object : .external,
                    target: .averageValue(milli: 0), reading: .unavailable("\(metric.type.rawValue) metrics are not read by this controller yet")))
            }
        }
        return (metrics, shown)
    }

    static func average(_ samples: [PodSample]) -> Double? {
        let readings = samples.compactMap(\.milliUsage)
        return readings.isEmpty ? nil : Double(readings.reduce(0, +)) / Double(readings.count)
    }

    static func pastChanges(_ status: AutoscaleRule.Status?, now: Date, upward: Bool) -> [PastScaleChange] {
        (status?.scaleEvents ?? []).filter { upward ? $0.change > 0 : $0.change < 0 }.compactMap { event in
            RFC3339.date(from: event.time).map { PastScaleChange(secondsAgo: now.timeIntervalSince($0), change: abs(event.change)) }
        }
    }

    /// What stabilization and the rate policies look back on, and no more: entries inside the
    /// window, a run of equal recommendations kept as its newest entry. A repeat moves the run's
    /// time forward only every `refresh` seconds, so the window stays right to within that and a
    /// steady rule does not write its status on every pass.
    static func compacted(_ history: [AutoscaleRule.Status.Recommendation], window: TimeInterval, refresh: TimeInterval, now: Date)
        -> [AutoscaleRule.Status.Recommendation]
    {
        var kept: [AutoscaleRule.Status.Recommendation] = []
        for entry in history where RFC3339.date(from: entry.time).map({ now.timeIntervalSince($0) <= window }) ?? false {
            if let last = kept.last, last.replicas == entry.replicas,
                let lastTime = RFC3339.date(from: last.time), let entryTime = RFC3339.date(from: entry.time),
                entryTime.timeIntervalSince(lastTime) < refresh
            {
                continue
            }
            if kept.last?.replicas == entry.replicas { kept.removeLast() }
            kept.append(entry)
        }
        return kept
    }

    /// What a rule that is not evaluated this pass recommends: the answer its status holds (nil in
    /// `recommend` mode, or before a first evaluation).
    public static func kept(_ rule: AutoscaleRule) -> Planner.Recommendation? {
        guard rule.spec.mode != .recommend, let replicas = rule.status?.desiredReplicas else { return nil }
        return Planner.Recommendation(replicas: replicas, rule: rule.metadata.name,
                                      reason: "as evaluated at \(rule.status?.recommendations?.last?.time ?? "")")
    }

    /// True when the rule was never evaluated, or its sync period has passed since.
    public static func isDue(_ rule: AutoscaleRule, now: Date) -> Bool {
        guard let last = rule.status?.recommendations?.last.flatMap({ RFC3339.date(from: $0.time) }) else { return true }
        return now.timeIntervalSince(last) >= Double(rule.spec.syncPeriodSeconds ?? 15) - 0.5
    }

    /// How often a steady recommendation's time is written again: a tenth of the shortest
    /// stabilization window in use (300 s without `behavior`), at most a minute.
    static func refreshPeriod(_ behavior: AutoscaleRule.Behavior?) -> TimeInterval {
        guard let behavior else { return 30 }
        let windows = [behavior.scaleUp?.stabilizationWindowSeconds ?? 0, behavior.scaleDown?.stabilizationWindowSeconds ?? 300].filter { $0 > 0 }
        return min(60, Double(windows.min() ?? 600) / 10)
    }

    /// How far back a rule looks: its stabilization windows and policy periods, at least the
    /// legacy 300 s.
    static func lookBack(_ behavior: AutoscaleRule.Behavior?) -> TimeInterval {
        var seconds = 300
        for rules in [behavior?.scaleUp, behavior?.scaleDown].compactMap({ $0 }) {
            seconds = max(seconds, rules.stabilizationWindowSeconds ?? 0)
            for policy in rules.policies ?? [] { seconds = max(seconds, policy.periodSeconds) }
        }
        return TimeInterval(seconds)
    }
}
