import Foundation
import JSON
import Kube
import Model
import Planner

/// What every AutoscaleRule recommends this pass, from one metrics list per namespace (and per
/// custom metric), never one request per pod.
struct AutoscaleReader {
    let cluster: ClusterAccess

    struct Result {
        var recommendations: [ObjectRef: Planner.Recommendation] = [:]
        /// The status each rule should show.
        var statuses: [ObjectRef: AutoscaleRule.Status] = [:]
    }

    /// Evaluates the rules whose ServiceSpec is in `scope` (nil: all); the others keep the
    /// answer their status holds, without reading metrics.
    func evaluate(_ desired: DesiredState, observed: ObservedState, now: Date, scope: Set<ObjectRef>? = nil) async -> Result {
        var result = Result()
        let rules = desired.autoscaleRules.filter { rule in
            observed.deployments[ObjectRef(kind: "Deployment", namespace: rule.ref.namespace, name: rule.spec.target)] != nil
        }
        guard !rules.isEmpty else { return result }
        // Rules evaluated less than their sync period ago, and rules outside the scope, keep their last answer.
        var due: [AutoscaleRule] = []
        for rule in rules {
            let serviceRef = ObjectRef(kind: ServiceSpec.kind, namespace: rule.ref.namespace, name: rule.spec.target)
            let status = rule.status
            let inScope = scope?.contains(serviceRef) ?? true
            if !inScope || !Self.isDue(rule, now: now), let kept = status?.desiredReplicas {
                if rule.spec.mode != .recommend {
                    result.recommendations[serviceRef] = .init(replicas: kept, rule: rule.metadata.name, reason: "as evaluated at \(status?.recommendations?.last?.time ?? "")")
                }
            } else if inScope {
                due.append(rule)
            }
        }
        guard !due.isEmpty else { return result }
        // One read per namespace and metric source, all at once and each with its own deadline:
        // a namespace whose metrics hang delays no other's beyond that deadline.
        var reads: [MetricRead] = []
        for namespace in Set(due.map(\.ref.namespace)).sorted() {
            if due.contains(where: { $0.ref.namespace == namespace && $0.spec.metrics.contains { $0.type == .cpu } }) {
                reads.append(.cpu(namespace: namespace))
            }
            for name in Set(due.filter { $0.ref.namespace == namespace }.flatMap { $0.spec.metrics.filter { $0.type == .pods }.compactMap(\.name) }).sorted() {
                reads.append(.pods(namespace: namespace, metric: name))
            }
        }
        let readings = await concurrentMap(reads, limit: 16) { [self] read in
            await Self.within(Self.metricsTimeout, orElse: [String: Int64]()) {
                switch read {
                case .cpu(let namespace): await podCPU(namespace)
                case .pods(let namespace, let metric): await podMetric(namespace, metric)
                }
            }
        }
        var cpu: [String: [String: Int64]] = [:]
        var custom: [String: [String: Int64]] = [:]
        for (read, values) in zip(reads, readings) {
            switch read {
            case .cpu(let namespace): cpu[namespace] = values
            case .pods(let namespace, let metric): custom["\(namespace)/\(metric)"] = values
            }
        }
        let services = Dictionary(desired.services.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        for rule in due {
            let deploymentRef = ObjectRef(kind: "Deployment", namespace: rule.ref.namespace, name: rule.spec.target)
            let serviceRef = ObjectRef(kind: ServiceSpec.kind, namespace: rule.ref.namespace, name: rule.spec.target)
            guard let live = observed.deployments[deploymentRef], let service = services[serviceRef] else { continue }
            let status = rule.status
            let pods = observed.pods[deploymentRef] ?? []
            let requestMillis = service.spec.resources?.cpu.map { Int64(($0.value * 1000).rounded()) }
            var metrics: [MetricObservation] = []
            var currentMetrics: [AutoscaleRule.Status.MetricValue] = []
            for metric in rule.spec.metrics {
                switch metric.type {
                case .cpu:
                    let usage = cpu[rule.ref.namespace] ?? [:]
                    let samples = pods.map { PodSample(milliUsage: usage[$0.name], milliRequest: requestMillis, ready: $0.ready) }
                    let target: MetricObservation.Target =
                        metric.targetUtilization.map { .utilization(percent: $0) } ?? .averageValue(milli: Int64((metric.targetAverageValue?.value ?? 0) * 1000))
                    metrics.append(MetricObservation(name: "cpu", source: .resource("cpu"), target: target, reading: .pods(samples)))
                    let readings = samples.compactMap(\.milliUsage)
                    let average = readings.isEmpty ? nil : Double(readings.reduce(0, +)) / Double(readings.count)
                    currentMetrics.append(.init(
                        name: "cpu", current: average.flatMap { value in requestMillis.map { value * 100 / Double($0) } },
                        target: Double(metric.targetUtilization ?? 0)))
                case .pods:
                    let name = metric.name ?? ""
                    let values = custom["\(rule.ref.namespace)/\(name)"] ?? [:]
                    let samples = pods.map { PodSample(milliUsage: values[$0.name], ready: $0.ready) }
                    let target = Int64(((metric.targetAverageValue?.value ?? 0) * 1000).rounded())
                    metrics.append(MetricObservation(name: name, source: .pods, target: .averageValue(milli: target), reading: .pods(samples)))
                    let readings = samples.compactMap(\.milliUsage)
                    currentMetrics.append(.init(
                        name: name, current: readings.isEmpty ? nil : Double(readings.reduce(0, +)) / Double(readings.count) / 1000,
                        target: Double(target) / 1000))
                case .memory, .object, .external:
                    metrics.append(MetricObservation(
                        name: metric.name ?? metric.type.rawValue, source: metric.type == .memory ? .resource("memory") : metric.type == .object ? .object : .external,
                        target: .averageValue(milli: 0), reading: .unavailable("\(metric.type.rawValue) metrics are not read by this controller yet")))
                }
            }
            let moment = AutoscaleMoment(
                currentReplicas: live.replicas, minReplicas: rule.spec.minReplicas ?? 1, maxReplicas: rule.spec.maxReplicas,
                metrics: metrics, tolerance: rule.spec.tolerance ?? Tolerances.defaultTolerance, behavior: rule.spec.behavior,
                recommendationHistory: (status?.recommendations ?? []).compactMap { entry in
                    RFC3339.date(from: entry.time).map { PastRecommendation(secondsAgo: now.timeIntervalSince($0), replicas: entry.replicas) }
                },
                scaleUpEvents: (status?.scaleEvents ?? []).filter { $0.change > 0 }.compactMap { event in
                    RFC3339.date(from: event.time).map { PastScaleChange(secondsAgo: now.timeIntervalSince($0), change: event.change) }
                },
                scaleDownEvents: (status?.scaleEvents ?? []).filter { $0.change < 0 }.compactMap { event in
                    RFC3339.date(from: event.time).map { PastScaleChange(secondsAgo: now.timeIntervalSince($0), change: -event.change) }
                })
            let recommendation = Autoscaler.recommend(moment)
            if rule.spec.mode != .recommend {
                result.recommendations[serviceRef] = .init(
                    replicas: recommendation.desiredReplicas, rule: rule.metadata.name,
                    reason: recommendation.reasons.first ?? "desired \(recommendation.desiredReplicas)")
            }
            var next = status ?? AutoscaleRule.Status()
            next.observedGeneration = rule.metadata.generation
            next.currentReplicas = live.replicas
            next.desiredReplicas = recommendation.desiredReplicas
            next.recommendedReplicas = recommendation.desiredReplicas
            next.currentMetrics = currentMetrics
            next.conditions = recommendation.conditions
            // Keep what stabilization and the rate policies look back on, and no more: entries inside
            // the longest window, a run of equal recommendations kept as its newest entry.
            let window = Self.lookBack(rule.spec.behavior)
            let history = (next.recommendations ?? []) + [.init(time: RFC3339.string(from: now), replicas: recommendation.proposal ?? recommendation.desiredReplicas)]
            var kept: [AutoscaleRule.Status.Recommendation] = []
            for entry in history where RFC3339.date(from: entry.time).map({ now.timeIntervalSince($0) <= window }) ?? false {
                // A repeat moves the run's time forward only now and then (a tenth of the shortest
                // stabilization window, at most a minute): the window stays right to within that,
                // and a steady rule does not write its status on every pass.
                if let last = kept.last, last.replicas == entry.replicas,
                    let lastTime = RFC3339.date(from: last.time), let entryTime = RFC3339.date(from: entry.time),
                    entryTime.timeIntervalSince(lastTime) < Self.refreshPeriod(rule.spec.behavior)
                {
                    continue
                }
                if kept.last?.replicas == entry.replicas { kept.removeLast() }
                kept.append(entry)
            }
            next.recommendations = kept
            next.scaleEvents = (next.scaleEvents ?? []).filter { RFC3339.date(from: $0.time).map { now.timeIntervalSince($0) <= window } ?? false }
            result.statuses[rule.ref] = next
        }
        return result
    }

    /// True when the rule was never evaluated, or its sync period has passed since.
    static func isDue(_ rule: AutoscaleRule, now: Date) -> Bool {
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

    /// One metrics list to read.
    enum MetricRead: Sendable {
        case cpu(namespace: String)
        case pods(namespace: String, metric: String)
    }

    /// How long one metrics read may take, its retries included: a metrics API that hangs costs
    /// a pass this much, once.
    static let metricsTimeout: Duration = .seconds(10)

    /// `body`'s answer, or `fallback` once `limit` has passed (`body` is cancelled then: the
    /// client's transfers and retry sleeps end on cancellation).
    static func within<T: Sendable>(_ limit: Duration, orElse fallback: T, _ body: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? fallback
        }
    }

    /// CPU of every pod of a namespace in millicores, from metrics.k8s.io.
    private func podCPU(_ namespace: String) async -> [String: Int64] {
        var request = KubeRequest.list(.podMetrics, namespace: namespace)
        request.timeout = Self.metricsTimeout
        guard let list = try? await cluster.json(request) else { return [:] }
        var usage: [String: Int64] = [:]
        for item in list["items"]?.arrayValue ?? [] {
            guard let name = item["metadata"]?["name"]?.stringValue else { continue }
            let total = (item["containers"]?.arrayValue ?? []).compactMap { $0["usage"]?["cpu"]?.stringValue.flatMap { try? Quantity(parsing: $0) } }
                .reduce(0.0) { $0 + $1.value }
            usage[name] = Int64((total * 1000).rounded())
        }
        return usage
    }

    /// A per-pod custom metric of every pod of a namespace, in milli-units, from custom.metrics.k8s.io.
    /// The rule comes from the cluster, checked or not: the request refuses a name that is not a
    /// metric name (`KubeRequest.podCustomMetric`), and the client sends nothing then.
    private func podMetric(_ namespace: String, _ metric: String) async -> [String: Int64] {
        let request = KubeRequest.podCustomMetric(namespace: namespace, metric: metric, timeout: Self.metricsTimeout)
        guard let list = try? await cluster.json(request) else { return [:] }
        var values: [String: Int64] = [:]
        for item in list["items"]?.arrayValue ?? [] {
            guard let pod = item["describedObject"]?["name"]?.stringValue,
                let quantity = item["value"]?.stringValue.flatMap({ try? Quantity(parsing: $0) })
            else { continue }
            values[pod] = Int64((quantity.value * 1000).rounded())
        }
        return values
    }
}
