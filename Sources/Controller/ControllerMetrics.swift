import HTTP
import Kube
import Metrics
import Planner
import Synchronization

/// What the controller reports on `/metrics`, through swift-metrics (the executable chooses the
/// backend: Prometheus).
public enum ControllerMetrics {
    /// Every request the client sends, by verb and answer (0: no answer), informers' lists and
    /// watches and retries included: hand it to `KubeClient` as its `observe`.
    @Sendable public static func apiRequest(method: HTTPMethod, code: Int) {
        Counter(label: "hms_api_requests_total", dimensions: [("verb", method.rawValue), ("code", String(code))]).increment()
    }

    static func reconcile(result: String, seconds: Double) {
        Counter(label: "hms_reconciles_total", dimensions: [("result", result)]).increment()
        Recorder(label: "hms_reconcile_duration_seconds").record(seconds)
    }

    static func actions(_ outcomes: [ActionOutcome]) {
        for outcome in outcomes {
            Counter(label: "hms_actions_total", dimensions: [
                ("verb", outcome.action.verb.rawValue), ("verdict", outcome.action.finalVerdict.rawValue),
            ]).increment()
            drift(outcome)
        }
    }

    /// `hms_drift_total{kind}`: each field another manager changed that an update set back. By
    /// kind only, so that the series stay few whatever the number of services and managers.
    static func drift(_ outcome: ActionOutcome) {
        let drift = outcome.action.change.drift
        guard outcome.result == .done, !drift.isEmpty else { return }
        Counter(label: "hms_drift_total", dimensions: [("kind", outcome.action.target.kind.name)]).increment(by: Int64(drift.count))
    }

    static func queueDepth(_ depth: Int) {
        Gauge(label: "hms_queue_depth").record(depth)
    }

    static func budget(_ name: String, spent: Double, projected: Double, limit: Double) {
        Gauge(label: "hms_budget_spent_usd", dimensions: [("budget", name)]).record(spent)
        Gauge(label: "hms_budget_projected_usd", dimensions: [("budget", name)]).record(projected)
        Gauge(label: "hms_budget_limit_usd", dimensions: [("budget", name)]).record(limit)
    }

    /// Objects of our kinds that the cluster holds but the controller skips (see `Admitted`).
    static func invalidObjects(kind: String, count: Int) {
        Gauge(label: "hms_invalid_objects", dimensions: [("kind", kind)]).record(count)
    }

    /// The rules live objects break now (`Plan.findings`), by policy (`builtin`: the controller's
    /// own rule, such as foreign-container) and rule; a pair no longer found goes back to 0.
    static func findings(_ findings: [PolicyFinding]) {
        let counts = Dictionary(findings.map { ($0, 1) }, uniquingKeysWith: +)
        let gone = reportedFindings.withLock { reported in
            let gone = reported.subtracting(counts.keys)
            reported = Set(counts.keys)
            return gone
        }
        for finding in gone { findingGauge(finding).record(0) }
        for (finding, count) in counts { findingGauge(finding).record(count) }
    }

    private static let reportedFindings = Mutex<Set<PolicyFinding>>([])

    private static func findingGauge(_ finding: PolicyFinding) -> Gauge {
        Gauge(label: "hms_policy_findings", dimensions: [("policy", finding.policy ?? "builtin"), ("rule", finding.rule)])
    }

    static func leader(_ isLeader: Bool) {
        Gauge(label: "hms_leader").record(isLeader ? 1 : 0)
    }
}

extension KubeError {
    /// The HTTP status of a failed request, or 0 when none came back.
    var statusCode: Int {
        if case .api(let error) = self { error.code } else { 0 }
    }
}
