import Foundation
import Model

/// Which of a service's failing pods to replace now, decided from what kubelet reports on each pod
/// (its Ready condition and since when) and an explicit `now`. Replacement must never take a
/// service down: a dependency outage makes every pod fail at once, and restarting them all turns
/// an outage into a full restart. So at most a quarter of the pods (at least one) are replaced per
/// health period, and when more than half fail at once none is: the service is reported Degraded.
public struct ServiceHealth: Sendable, Equatable {
    /// Pods the service runs now (not terminating).
    public var pods: Int
    /// Pods unready for at least a health period: their own consecutive failures.
    public var failing: Int
    /// The failing pods chosen for replacement in this pass, by name.
    public var replace: [String]
    /// More than half failing: nothing is replaced, and the ServiceSpec shows Degraded=True.
    public var degraded: Bool
    /// When the longest-failing pod turned unready: the same for every pass of one episode, so it
    /// names the episode's one `ServiceDegraded` Event.
    public var failingSince: Date?

    public static let degradedReason = "ServiceDegraded"

    public init(pods: Int, failing: Int, replace: [String], degraded: Bool, failingSince: Date? = nil) {
        self.pods = pods
        self.failing = failing
        self.replace = replace
        self.degraded = degraded
        self.failingSince = failingSince
    }

    /// The Degraded condition's and the `ServiceDegraded` Event's message.
    public var message: String {
        "\(failing) of \(pods) pods failing their health check; more than half, so none is replaced (a dependency may be down)"
    }

    /// kubelet's defaults, when the health check leaves them out.
    static let defaultPeriodSeconds = 10
    static let defaultFailureThreshold = 3

    /// The health period: how long a pod must stay unready before it counts as failing, and the
    /// window within which at most a quarter of the pods are replaced. It is the readiness probe's
    /// failureThreshold x periodSeconds: the time the probe itself takes to call a pod unready.
    public static func period(_ check: ServiceSpec.HealthCheck) -> TimeInterval {
        let period = max(1, check.periodSeconds ?? defaultPeriodSeconds)
        let threshold = max(1, check.failureThreshold ?? defaultFailureThreshold)
        // Clamped so that hostile numbers cannot overflow or stall replacement for ever.
        return TimeInterval(min(period * threshold, 86_400))
    }

    /// The decision for one service. `replicas` is what its Deployment asks for.
    public static func decide(pods: [ObservedPod], replicas: Int, check: ServiceSpec.HealthCheck, now: Date) -> ServiceHealth {
        let period = period(check)
        let running = pods.filter { $0.deletedAt == nil }
        let failing = running.filter { pod in
            // Only a running pod that kubelet turned unready: one still starting is not failing.
            guard !pod.ready, let since = pod.unreadySince else { return false }
            return now.timeIntervalSince(since) >= period
        }.sorted { ($0.unreadySince ?? .distantFuture, $0.name) < ($1.unreadySince ?? .distantFuture, $1.name) }
        var health = ServiceHealth(pods: running.count, failing: failing.count, replace: [], degraded: false,
                                   failingSince: failing.first?.unreadySince)
        guard !failing.isEmpty else { return health }
        if failing.count * 2 > running.count {
            health.degraded = true
            return health
        }
        // A replacement still under way (a pod terminating, or fewer pods than asked for) counts
        // as in flight; so does every pod started within the last period (a replacement's new pod,
        // or a rollout's): together they use up this period's allowance.
        let allowance = max(1, max(running.count, replicas) / 4)
        // API times have whole seconds: a pod stamped 10:00:01 may have started at 10:00:01.99.
        let recentWindow = period + 1
        let recent = pods.count { pod in
            if let deleted = pod.deletedAt { return now.timeIntervalSince(deleted) < recentWindow }
            return pod.createdAt.map { now.timeIntervalSince($0) < recentWindow } ?? false
        }
        let missing = max(0, replicas - running.count)
        let available = allowance - max(recent, missing)
        health.replace = failing.prefix(max(0, available)).map(\.name)
        return health
    }
}
