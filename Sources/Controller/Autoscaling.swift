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
            observed.deployments[ObjectRef(kind: .deployment, namespace: rule.ref.namespace, name: rule.spec.target)] != nil
        }
        guard !rules.isEmpty else { return result }
        // Rules evaluated less than their sync period ago, and rules outside the scope, keep their last answer.
        var due: [AutoscaleRule] = []
        for rule in rules {
            let serviceRef = ObjectRef(kind: .serviceSpec, namespace: rule.ref.namespace, name: rule.spec.target)
            let inScope = scope?.contains(serviceRef) ?? true
            if !inScope || !AutoscaleEvaluation.isDue(rule, now: now), rule.status?.desiredReplicas != nil {
                result.recommendations[serviceRef] = AutoscaleEvaluation.kept(rule)
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
        let answers = await concurrentMap(reads, limit: 16) { [self] read in
            await Self.within(Self.metricsTimeout, orElse: [String: Int64]()) {
                switch read {
                case .cpu(let namespace): await podCPU(namespace)
                case .pods(let namespace, let metric): await podMetric(namespace, metric)
                }
            }
        }
        var readings: [String: AutoscaleEvaluation.Readings] = [:]
        for (read, values) in zip(reads, answers) {
            switch read {
            case .cpu(let namespace): readings[namespace, default: .init()].cpu = values
            case .pods(let namespace, let metric): readings[namespace, default: .init()].custom[metric] = values
            }
        }
        let services = Dictionary(desired.services.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        for rule in due {
            let deploymentRef = ObjectRef(kind: .deployment, namespace: rule.ref.namespace, name: rule.spec.target)
            let serviceRef = ObjectRef(kind: .serviceSpec, namespace: rule.ref.namespace, name: rule.spec.target)
            guard let live = observed.deployments[deploymentRef], let service = services[serviceRef] else { continue }
            let outcome = AutoscaleEvaluation.evaluate(rule, service: service, replicas: live.replicas, pods: observed.pods[deploymentRef] ?? [],
                                                       readings: readings[rule.ref.namespace] ?? .init(), now: now)
            if let recommendation = outcome.recommendation { result.recommendations[serviceRef] = recommendation }
            result.statuses[rule.ref] = outcome.status
        }
        return result
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
            // Each container's usage in millicores, as the HPA's metrics client sums `MilliValue()`s.
            let millicores = (item["containers"]?.arrayValue ?? []).compactMap { $0["usage"]?["cpu"].flatMap { try? Quantity(json: $0).milliValue } }
            usage[name] = millicores.reduce(0, &+)
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
                let milli = item["value"].flatMap({ try? Quantity(json: $0).milliValue })
            else { continue }
            values[pod] = milli
        }
        return values
    }
}
