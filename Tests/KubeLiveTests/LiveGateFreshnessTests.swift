import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// A policy applied together with a ServiceSpec may reach the controller's policy watch after the
/// ServiceSpec reaches its own. Before the gates judge the ServiceSpec, the policy cache catches
/// up with a quorum read, so the policy is judged present.
@Suite(.tags(.live)) struct LiveGateFreshnessTests {
    @Test func aLaggingPolicyCacheCatchesUpBeforeTheGatesJudge() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            try await cluster.installCRDs()
            let cache = ClusterCache()
            // The policy cache listed an empty namespace, and then heard nothing.
            let empty = try await client.list(JSONValue.self, .of(GovernancePolicy.self), namespace: "default")
            cache.policies.apply(.relisted([], resourceVersion: empty.metadata?.resourceVersion ?? ""))
            cache.budgets.apply(.relisted([], resourceVersion: empty.metadata?.resourceVersion ?? ""))
            cache.approvals.apply(.relisted([], resourceVersion: empty.metadata?.resourceVersion ?? ""))

            let policy: JSONValue = [
                "apiVersion": "ops.hms.gov/v1alpha1", "kind": "GovernancePolicy", "metadata": ["name": "rules", "namespace": "default"],
                "spec": ["allowedRegistries": ["registry.gov/"]],
            ]
            _ = try await client.create(policy, .of(GovernancePolicy.self), namespace: "default")
            let service: JSONValue = [
                "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "metadata": ["name": "miner", "namespace": "default"],
                "spec": ["image": "evil.example/miner:1", "replicas": 9],
            ]
            let stored = try await client.create(service, .of(ServiceSpec.self), namespace: "default")
            cache.serviceSpecs.apply(.added(stored))
            let key = ObjectRef(kind: ServiceSpec.kind, namespace: "default", name: "miner")
            #expect(cache.desiredState().policies.isEmpty)

            try await cache.catchUpGateInputs(for: [key], client: client)
            #expect(cache.desiredState().policies.map(\.metadata.name) == ["rules"])
            let version = try #require(stored[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap(UInt64.init))
            #expect(cache.policies.isCurrent(atLeast: version, namespace: "default"))

            // With the policy, the plan denies the image it does not allow.
            let plan = Planner().plan(desired: cache.desiredState(), observed: ObservedState(), ledger: Ledger(spentUSD: [:]), now: Date())
            #expect(plan.actions.map(\.finalVerdict) == [.deny])
        }
    }
}
