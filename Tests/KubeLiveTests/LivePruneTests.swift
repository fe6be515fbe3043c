import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// A prune is carried out only when live reads confirm it: the owning ServiceSpec is gone (by
/// uid), and the Deployment is still the one planned on (a uid precondition). A cache that has
/// seen a Deployment but not yet its ServiceSpec proposes such deletes; these tests are what
/// keeps them from removing anything alive.
@Suite(.tags(.live)) struct LivePruneTests {
    /// The servicespecs CRD of manifests/crds, served; a ServiceSpec `web` and the Deployment made
    /// for it, owned by it. Returns the stored ServiceSpec and the Deployment as stored.
    func seed(_ cluster: LiveCluster) async throws -> (ServiceSpec, JSONValue) {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/crds/ops.hms.gov_servicespecs.yaml")
        let yaml = try [UInt8](Data(contentsOf: file))
        _ = try await cluster.client.patch(JSONValue.self, .customResourceDefinitions, name: "servicespecs.ops.hms.gov", patch: yaml,
                                           patchType: .apply(fieldManager: "hms-live-tests", force: true))
        let spec = ServiceSpec(metadata: ObjectMeta(name: "web", namespace: "default"), spec: .init(image: "registry.gov/web:1.0", replicas: 1))
        let stored = try await cluster.client.create(spec, .of(ServiceSpec.self))
        #expect(stored.metadata.uid != nil)
        let deployment = try await cluster.client.create(Rendering.deployment(stored, replicas: 1), .deployments)
        #expect(deployment[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"]?.stringValue == stored.metadata.uid)
        return (stored, deployment)
    }

    /// What a controller whose cache lacks the ServiceSpec plans: the delete of `deployment`.
    func prunePlan(_ deployment: JSONValue) -> Plan {
        Planner(options: .init(prune: true)).plan(desired: DesiredState(), observed: ObservedState(deployments: [deployment]), ledger: Ledger(), now: Date())
    }

    func executor(_ cluster: LiveCluster) -> Executor {
        Executor(cluster: ClusterAccess(client: cluster.client, fieldManager: "hms-controller"))
    }

    @Test func aDeploymentWhoseOwnerLivesIsNotDeleted() async throws {
        try await LiveCluster.run { cluster in
            let (stored, deployment) = try await seed(cluster)
            let plan = prunePlan(deployment)
            #expect(plan.actions.map(\.verb) == [.delete])
            try await cluster.clearRequests()
            let outcomes = await executor(cluster).execute(plan)
            #expect(outcomes.map(\.result) == [.skipped("its ServiceSpec default/web (uid \(stored.metadata.uid ?? "")) exists")])
            #expect(try await cluster.requests().filter { $0.method == "DELETE" } == [])
            let still = try await cluster.client.get(JSONValue.self, .deployments, name: "web")
            #expect(still[path: ["metadata", "uid"]] == deployment[path: ["metadata", "uid"]])
        }
    }

    @Test func aDeploymentWhoseOwnerIsGoneIsDeletedByItsUID() async throws {
        try await LiveCluster.run { cluster in
            let (_, deployment) = try await seed(cluster)
            // Orphan: the mock's garbage collector would otherwise take the Deployment first.
            try await cluster.client.delete(.of(ServiceSpec.self), name: "web", options: DeleteOptions(propagationPolicy: "Orphan"))
            try await cluster.clearRequests()
            let outcomes = await executor(cluster).execute(prunePlan(deployment))
            #expect(outcomes.map(\.result) == [.done])
            let deletes = try await cluster.requests().filter { $0.method == "DELETE" }.map(\.path)
            #expect(deletes == ["/apis/apps/v1/namespaces/default/deployments/web"])
            let gone = await #expect(throws: KubeError.self) { try await cluster.client.get(JSONValue.self, .deployments, name: "web") }
            #expect(gone?.reason == .notFound)
        }
    }

    @Test func aDeploymentReplacedSinceThePlanIsNotDeleted() async throws {
        try await LiveCluster.run { cluster in
            let (stored, deployment) = try await seed(cluster)
            try await cluster.client.delete(.of(ServiceSpec.self), name: "web", options: DeleteOptions(propagationPolicy: "Orphan"))
            try await cluster.client.delete(.deployments, name: "web")
            // The ServiceSpec made again, and its Deployment: one owned by the old ServiceSpec would be
            // garbage at once (its owner's uid no longer exists), as on a real cluster.
            let again = try await cluster.client.create(ServiceSpec(metadata: ObjectMeta(name: "web", namespace: "default"), spec: stored.spec),
                                                        .of(ServiceSpec.self))
            let successor = try await cluster.client.create(Rendering.deployment(again, replicas: 1), .deployments)
            let outcomes = await executor(cluster).execute(prunePlan(deployment))
            #expect(outcomes.map(\.result) == [.skipped("Deployment default/web is no longer uid \(deployment[path: ["metadata", "uid"]]?.stringValue ?? "")")])
            let still = try await cluster.client.get(JSONValue.self, .deployments, name: "web")
            #expect(still[path: ["metadata", "uid"]] == successor[path: ["metadata", "uid"]])
        }
    }

    /// What is left in a namespace that holds no ServiceSpec: the controller's observer (which
    /// looks everywhere) finds it, and a Service whose Deployment is gone is deleted on its own uid.
    @Test func aServiceLeftInANamespaceWithoutServiceSpecsIsFoundAndPrunedByItsUID() async throws {
        try await LiveCluster.run { cluster in
            let (stored, _) = try await seed(cluster)
            _ = try await cluster.client.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "emptied"]] as JSONValue, .namespaces)
            var spec = stored
            spec.metadata.namespace = "emptied"
            spec.spec.port = 8080
            var front = try #require(Rendering.service(spec))
            // Made before ownerReferences (one naming an owner absent from its namespace would be
            // the garbage collector's at once).
            front[path: ["metadata", "ownerReferences"]] = nil
            _ = try await cluster.client.create(front, .services, namespace: "emptied")
            let access = ClusterAccess(client: cluster.client, fieldManager: "hms-controller")
            let scoped = try await Observer(cluster: access).observe(namespaces: ["default"])
            #expect(scoped.services.isEmpty)
            let everywhere = try await Observer(cluster: access).observe(namespaces: ["default"], managedEverywhere: true)
            #expect(everywhere.services.keys.map(\.description) == ["Service emptied/web"])
            // No ServiceSpec declares either; the live read in `emptied` finds no ServiceSpec web.
            let plan = Planner(options: .init(prune: true)).plan(desired: DesiredState(), observed: everywhere, ledger: Ledger(), now: Date())
            #expect(plan.actions.map(\.target.description) == ["Deployment default/web", "Service emptied/web"])
            try await cluster.clearRequests()
            let outcomes = await executor(cluster).execute(Plan(actions: plan.actions.filter { $0.target.kind == .service }))
            #expect(outcomes.map(\.result) == [.done])
            let deletes = try await cluster.requests().filter { $0.method == "DELETE" }.map(\.path)
            #expect(deletes == ["/api/v1/namespaces/emptied/services/web"])
            #expect(try await cluster.client.list(JSONValue.self, .services, namespace: "emptied").items.isEmpty)
        }
    }
}
