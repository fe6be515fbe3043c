import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// Health replacement never takes a service down: webService's check is failureThreshold 2 at
/// kubelet's default period of 10 s, so a health period is 20 s.
@Suite(.tags(.unit)) struct HealthReplacementTests {
    /// `count` pods of web created an hour ago; those in `failing` unready since `unreadyFor` seconds.
    func pods(_ count: Int, failing: Set<Int>, unreadyFor: TimeInterval = 60) -> [ObservedPod] {
        (0..<count).map { index in
            ObservedPod(namespace: "aid", name: "web-\(index)", deployment: "web", ready: !failing.contains(index),
                        unreadySince: now.addingTimeInterval(-unreadyFor), createdAt: now.addingTimeInterval(-3600))
        }
    }

    func service(replicas: Int) -> String { webService.replacingOccurrences(of: "replicas: 4", with: "replicas: \(replicas)") }

    func replaced(_ result: Plan) -> [String] { result.actions.filter { $0.target.kind == "Pod" }.map(\.target.name) }

    @Test func thirteenPodsFailingAtOnceAreNotReplacedAndTheServiceIsDegraded() {
        let result = plan(service(replicas: 13), observed(live(service(replicas: 13), replicas: 13), services: [frontService],
                                                           pods: pods(13, failing: Set(0..<13))))
        #expect(replaced(result).isEmpty)
        let health = result.health[ObjectRef(kind: "ServiceSpec", namespace: "aid", name: "web")]
        #expect(health?.degraded == true)
        #expect(health?.message == "13 of 13 pods failing their health check; more than half, so none is replaced (a dependency may be down)")
        #expect(health?.failingSince == now.addingTimeInterval(-60))
    }

    @Test func twoOfTwelveFailingAreBothReplaced() {
        let result = plan(service(replicas: 12), observed(live(service(replicas: 12), replicas: 12), services: [frontService],
                                                           pods: pods(12, failing: [3, 7])))
        #expect(replaced(result) == ["web-3", "web-7"])
        #expect(result.actions.allSatisfy { $0.verb == .restart })
        #expect(result.health.values.first?.degraded == false)
    }

    @Test func atMostAQuarterAreReplacedPerPeriod() {
        let result = plan(service(replicas: 12), observed(live(service(replicas: 12), replicas: 12), services: [frontService],
                                                           pods: pods(12, failing: [0, 1, 2, 3, 4, 5])))
        #expect(replaced(result).count == 3)
        #expect(result.health.values.first?.degraded == false)
    }

    @Test func oneFailingPodOfThreeIsReplacedAsTheMinimumOfOne() {
        let result = plan(service(replicas: 3), observed(live(service(replicas: 3), replicas: 3), services: [frontService],
                                                          pods: pods(3, failing: [1])))
        #expect(replaced(result) == ["web-1"])
    }

    @Test func aPodUnreadyForLessThanItsThresholdIsNotReplaced() {
        let result = plan(service(replicas: 12), observed(live(service(replicas: 12), replicas: 12), services: [frontService],
                                                           pods: pods(12, failing: [3], unreadyFor: 19)))
        #expect(replaced(result).isEmpty)
        #expect(result.health.isEmpty)
    }

    @Test func podsStillStartingAreNotFailing() {
        // Created an hour ago, not running yet: no Ready=False time from kubelet.
        let starting = (0..<8).map { ObservedPod(namespace: "aid", name: "web-\($0)", deployment: "web", ready: false,
                                                 createdAt: now.addingTimeInterval(-3600)) }
        let result = plan(service(replicas: 8), observed(live(service(replicas: 8), replicas: 8), services: [frontService], pods: starting))
        #expect(replaced(result).isEmpty)
        #expect(result.health.isEmpty)
        var pending: JSONValue = [
            "metadata": ["name": "web-1", "namespace": "aid", "labels": ["app": "web"], "creationTimestamp": "2026-11-15T23:00:00Z"],
            "status": ["phase": "Pending", "conditions": [["type": "Ready", "status": "False", "lastTransitionTime": "2026-11-15T23:00:00Z"]]],
        ]
        #expect(ObservedPod(pending)?.unreadySince == nil)
        pending[path: ["status", "phase"]] = "Running"
        #expect(ObservedPod(pending)?.unreadySince == RFC3339.date(from: "2026-11-15T23:00:00Z"))
    }

    @Test func aRecentReplacementUsesUpThePeriodsAllowance() {
        var twelve = pods(12, failing: [0, 1, 2, 3])
        // Two pods started 5 s ago (the last pass's replacements): one more this period, not three.
        twelve[10].createdAt = now.addingTimeInterval(-5)
        twelve[11].createdAt = now.addingTimeInterval(-5)
        let result = plan(service(replicas: 12), observed(live(service(replicas: 12), replicas: 12), services: [frontService], pods: twelve))
        #expect(replaced(result) == ["web-0"])
        // Stamped a whole period ago, but API times have whole seconds: still counted as recent.
        twelve[10].createdAt = now.addingTimeInterval(-20)
        twelve[11].createdAt = now.addingTimeInterval(-20)
        let stamped = plan(service(replicas: 12), observed(live(service(replicas: 12), replicas: 12), services: [frontService], pods: twelve))
        #expect(replaced(stamped) == ["web-0"])
        // A replacement still under way (fewer pods than the Deployment asks for) holds back more.
        let short = plan(service(replicas: 12), observed(live(service(replicas: 12), replicas: 12), services: [frontService],
                                                          pods: Array(pods(12, failing: [0, 1]).prefix(9))))
        #expect(replaced(short).isEmpty)
    }

    @Test func podFactsComeFromTheReadyConditionNotEventCounts() {
        let pod: JSONValue = [
            "metadata": ["name": "web-1", "namespace": "aid", "labels": ["app": "web"], "creationTimestamp": "2026-11-15T23:00:00Z"],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "False", "lastTransitionTime": "2026-11-15T23:59:00Z"]]],
        ]
        let facts = ObservedPod(pod)
        #expect(facts?.ready == false)
        #expect(facts?.unreadySince == RFC3339.date(from: "2026-11-15T23:59:00Z"))
        #expect(facts?.createdAt == RFC3339.date(from: "2026-11-15T23:00:00Z"))
        #expect(ObservedPod(["metadata": ["name": "x"]]) == nil)
    }
}
