import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// An AutoscaleRule evaluated by a controller's pass from the mock's per-pod `http_rps`: the
/// service scales, the rule's status keeps the answer and the scale, and a pass within the rule's
/// sync period on the test clock keeps that answer without reading the metrics again.
@Suite(.tags(.live)) struct AutoscaleLiveTests {
    let clock = TestClock(marchMorning)

    func pass(_ cluster: LiveCluster) async throws -> Reconciler.Result {
        try await Reconciler(cluster: cluster.access, journal: nil, actor: "hms-live-tests", autoscale: true)
            .reconcile(try await cluster.desiredState(), options: Planner.Options(prune: true), now: clock.now)
    }

    func metricReads(_ cluster: LiveCluster) async throws -> [String] {
        try await cluster.requests().map(\.path).filter { $0.hasPrefix("/apis/custom.metrics.k8s.io/") }
    }

    @Test func aRuleScalesOnItsMetricAndKeepsItsAnswerForItsSyncPeriod() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            try await cluster.create(Declared.autoscaleRule("web", maxReplicas: 5, perPod: 100))
            _ = try await pass(cluster)
            try await cluster.waitUntilReady("web", replicas: 1)

            // 400 requests a second on one pod, 100 wanted per pod: four pods.
            try await cluster.control(.put, "load/default/web", ["http_rps": 400])
            try await cluster.clearRequests()
            let scaled = try await pass(cluster)
            #expect(scaled.outcomes.map(\.result) == [.done])
            #expect(try await cluster.deployment("web")?.replicas == 4)
            #expect(try await metricReads(cluster) == ["/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_rps"])
            var rule = try await cluster.client.get(AutoscaleRule.self, .of(AutoscaleRule.self), name: "web", namespace: "default")
            #expect(rule.status?.desiredReplicas == 4)
            #expect(rule.status?.recommendations?.last?.replicas == 4)
            #expect(rule.status?.scaleEvents?.map(\.change) == [3])
            #expect(rule.status?.currentMetrics?.first?.current == 400)

            // The same moment: the rule is not due, its kept answer stands, no metrics are read.
            try await cluster.clearRequests()
            #expect(try await pass(cluster).outcomes.isEmpty)
            #expect(try await metricReads(cluster) == [])

            // Its sync period (15 s) later it reads them again.
            clock.advance(by: .seconds(15))
            try await cluster.clearRequests()
            _ = try await pass(cluster)
            #expect(try await metricReads(cluster).count == 1)
            rule = try await cluster.client.get(AutoscaleRule.self, .of(AutoscaleRule.self), name: "web", namespace: "default")
            #expect(rule.status?.desiredReplicas == 4)
        }
    }
}
