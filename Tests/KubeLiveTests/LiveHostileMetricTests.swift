@testable import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// An AutoscaleRule straight from the cluster (never validated) with a metric name that would
/// walk out of the metrics API's path: the controller sends nothing for it, and the rules beside
/// it are read as usual.
@Suite(.tags(.live, .hostile)) struct LiveHostileMetricTests {
    @Test func aHostileMetricNameReachesNoRequest() async throws {
        try await LiveCluster.run { cluster in
            var desired = DesiredState()
            let value = try Quantity(parsing: "10")
            for (name, metric) in [("web", "../../../../api/v1/namespaces/kube-system/secrets?x="), ("api", "http_rps")] {
                desired.services.append(ServiceSpec(metadata: ObjectMeta(name: name, namespace: "default"), spec: .init(image: "registry.gov/\(name):1.0", replicas: 1)))
                desired.autoscaleRules.append(AutoscaleRule(
                    metadata: ObjectMeta(name: name, namespace: "default"),
                    spec: .init(target: name, maxReplicas: 4, metrics: [.init(type: .pods, name: metric, targetAverageValue: value)])))
            }
            let observed = ObservedState(deployments: desired.services.map { Rendering.deployment($0, replicas: 1) })
            try await cluster.clearRequests()
            let result = await AutoscaleReader(cluster: ClusterAccess(client: cluster.client, fieldManager: "hms-controller"))
                .evaluate(desired, observed: observed, now: Date())
            let paths = try await cluster.requests().map(\.path)
            #expect(paths.filter { $0.contains("secrets") || $0.contains("kube-system") } == [])
            #expect(paths.filter { $0.hasPrefix("/apis/custom.metrics.k8s.io/") } == ["/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_rps"])
            // Both rules are evaluated: the hostile one as a rule without readings.
            #expect(result.statuses.count == 2)
        }
    }
}
