import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// One reconcile pass against the mock cluster: what the cluster holds afterwards (objects,
/// owners, statuses, Events), never how the plan spells its actions.
@Suite(.tags(.live)) struct ReconcilerLiveTests {
    let clock = TestClock(marchMorning)

    func reconciler(_ cluster: LiveCluster) -> Reconciler {
        Reconciler(cluster: cluster.access, journal: nil, actor: "hms-live-tests")
    }

    /// One pass over what the cluster declares now, at the test clock's time.
    @discardableResult
    func pass(_ cluster: LiveCluster, prune: Bool = true) async throws -> Reconciler.Result {
        try await reconciler(cluster).reconcile(try await cluster.desiredState(), options: Planner.Options(prune: prune), now: clock.now)
    }

    /// A changed `port` moves the Service the controller made, in one pass; the next has nothing to do.
    @Test func theServiceFollowsAChangedPort() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let spec = try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            try await pass(cluster)
            try await cluster.merge(spec, ["spec": ["port": 9090]])
            let moved = try await pass(cluster)
            #expect(moved.outcomes.contains { $0.action.verb == .update && $0.action.target.kind == .service && $0.result == .done })
            let service = try #require(try await cluster.access.getIfPresent(.services, namespace: "default", name: "web"))
            #expect(service[path: ["spec", "ports"]]?.arrayValue?.map { "\($0["port"]?.intValue ?? 0)->\($0["targetPort"]?.intValue ?? 0)" } == ["9090->9090"])
            #expect(try await pass(cluster).outcomes.allSatisfy { $0.action.target.kind != .service })
        }
    }

    @Test func aServiceSpecGetsADeploymentAndAServiceItOwnsAndAStatus() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let spec = try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            let first = try await pass(cluster)
            #expect(first.outcomes.map(\.result) == [.done])

            let deployment = try #require(try await cluster.deployment("web"))
            #expect(deployment.replicas == 2)
            #expect(deployment[path: ["metadata", "labels", Rendering.managedByKey]]?.stringValue == Rendering.managedByValue)
            let owner = try #require(deployment[path: ["metadata", "ownerReferences"]]?.arrayValue?.first)
            #expect(owner["kind"] == "ServiceSpec" && owner["name"] == "web" && owner["uid"]?.stringValue == spec.uid && owner["controller"] == true)
            let service = try #require(try await cluster.access.getIfPresent(.services, namespace: "default", name: "web"))
            #expect(service[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"]?.stringValue == spec.uid)

            // Status last: what this pass set, with no pod ready yet.
            var stored = try await cluster.serviceSpec("web")
            #expect(stored.status?.replicas == 2)
            #expect(stored.status?.observedGeneration == 1)
            #expect(stored.conditionSummary == ["Ready=False ReplicasNotReady", "Progressing=True Reconciling", "Degraded=False AsExpected", "ReplicasContested=False OnlyOurs"])
            #expect(try await cluster.events(about: "web")["Deployed"]?.count == 1)

            // Once the pods are up, the next pass only writes the status that changed.
            try await cluster.waitUntilReady("web", replicas: 2)
            #expect(try await pass(cluster).outcomes.isEmpty)
            stored = try await cluster.serviceSpec("web")
            #expect(stored.conditionSummary == ["Ready=True ReplicasReady", "Progressing=False Reconciled", "Degraded=False AsExpected", "ReplicasContested=False OnlyOurs"])

            // Level-triggered and idempotent: a pass with nothing to do writes nothing at all.
            try await cluster.clearRequests()
            #expect(try await pass(cluster).outcomes.isEmpty)
            #expect(try await cluster.requests().filter { $0.method != "GET" } == [])
        }
    }

    @Test func aChangedReplicaCountScalesTheDeployment() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let spec = try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            try await pass(cluster)
            try await cluster.merge(spec, ["spec": ["replicas": 5]])
            let scaled = try await pass(cluster)
            #expect(scaled.outcomes.map(\.result) == [.done])
            #expect(try await cluster.deployment("web")?.replicas == 5)
            let stored = try await cluster.serviceSpec("web")
            #expect(stored.status?.replicas == 5)
            #expect(stored.status?.observedGeneration == 2)
            #expect(try await cluster.events(about: "web")["Scaled"]?.count == 1)
        }
    }

    /// 1 USD a core-hour, 733.5 hours left in March: four one-core replicas project 2,934 USD,
    /// within the 3,000 USD limit, and a fifth would not fit. A scale to 8 is clamped to 4.
    @Test func aScaleUpOverTheBudgetIsClampedAndTheStatusesSaySo() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.budget("aid-monthly", limitUSD: 3_000, coreHourUSD: 1))
            let spec = try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            try await pass(cluster)
            try await cluster.merge(spec, ["spec": ["replicas": 8]])
            let clamped = try await pass(cluster)
            #expect(clamped.outcomes.map(\.result) == [.done])
            #expect(clamped.outcomes.map(\.action.finalVerdict) == [.clamp])

            #expect(try await cluster.deployment("web")?.replicas == 4)
            let service = try await cluster.serviceSpec("web")
            #expect(service.status?.replicas == 4)
            #expect(service.status?.costUSDPerHour == 4)
            let budget = try await cluster.client.get(Budget.self, .of(Budget.self), name: "aid-monthly", namespace: "default")
            #expect(budget.status?.month == "2027-03")
            #expect(budget.status?.costUSDPerHour == 4)
            #expect(budget.status?.projectedUSD == 2_934)
            let scaled = try #require(try await cluster.events(about: "web")["Scaled"]?.first)
            #expect(scaled.contains("clamped to 4"))
        }
    }

    @Test func aHeldScaleWaitsForItsApproval() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.policy("rules", maxReplicasWithoutApproval: 3))
            let spec = try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            try await pass(cluster)
            try await cluster.merge(spec, ["spec": ["replicas": 6]])

            let held = try await pass(cluster)
            #expect(held.outcomes.map(\.result) == [.notCarriedOut(.hold)])
            #expect(try await cluster.deployment("web")?.replicas == 2)
            #expect(try await cluster.events(about: "web")["ActionHeld"]?.count == 1)
            // Held again on the next pass: nothing changes without the approval.
            #expect(try await pass(cluster).outcomes.map(\.result) == [.notCarriedOut(.hold)])
            #expect(try await cluster.deployment("web")?.replicas == 2)

            let id = try #require(held.outcomes.first?.action.id)
            let approval = ApprovalObject.make(id: id, decision: .approve, by: "ops@agency.gov", expires: clock.now.addingTimeInterval(3_600),
                                               comment: nil, namespace: "default")
            try await cluster.create(approval)
            // The cluster does not (yet) let ops@agency.gov approve: the Approval releases nothing.
            let unconfirmed = try await pass(cluster)
            #expect(unconfirmed.outcomes.map(\.result) == [.notCarriedOut(.hold)])
            #expect(unconfirmed.outcomes.first?.action.gates.last?.reason.contains(
                "not honoured: the cluster no longer lets ops@agency.gov approve approvals.ops.hms.gov in default") == true)
            _ = try await cluster.control(.put, "auth", [
                "tokens": [], "roles": [["user": "ops@agency.gov", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]]],
            ])
            let released = try await pass(cluster)
            #expect(released.outcomes.map(\.result) == [.done])
            #expect(released.outcomes.first?.action.id == id)
            #expect(try await cluster.deployment("web")?.replicas == 6)
        }
    }

    /// One tenant's broken objects are findings about them: its namespace's changes that a broken
    /// Budget could govern wait, and every other namespace is reconciled as usual.
    @Test func aTenantsInvalidObjectsDoNotStopAnotherNamespace() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.seedTenants()
            // Twice the same alert: the CRD lets it through, the controller's validation does not (a
            // limit of 1e308 no longer reaches it: the CRD's maximum refuses it).
            var alerts = Declared.budget("alerts", namespace: "tenant-a", limitUSD: 100, coreHourUSD: 1)
            alerts[path: ["spec", "alertPercents"]] = [50, 50]
            try await cluster.create(alerts)
            try await cluster.create(Declared.serviceSpec("api", namespace: "tenant-a", replicas: 1))

            let desired = try await cluster.desiredState()
            #expect(desired.invalid.map(\.name).sorted() == ["alerts", "broken"])
            let result = try await reconciler(cluster).reconcile(desired, options: Planner.Options(prune: true), now: clock.now)
            #expect(result.failed.isEmpty)
            #expect(try await cluster.deployment("web", namespace: "tenant-b")?.replicas == 1)
            #expect(try await cluster.deployment("broken", namespace: "tenant-a") == nil)
            #expect(try await cluster.deployment("api", namespace: "tenant-a") == nil)
            let deferred = try #require(try await cluster.events(about: "api", namespace: "tenant-a")["ActionDeferred"]?.first)
            #expect(deferred.contains("[invalid-gate-input] Budget alerts is invalid"))
        }
    }

    /// A pass whose desired state lacks a ServiceSpec (a cache behind, a list in between) plans
    /// the delete of its Deployment; it is carried out only once the owner is gone by uid, and
    /// only on the Deployment the plan saw (a uid precondition).
    @Test func aPruneDeletesOnlyWhatLostItsOwner() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            try await cluster.create(Declared.serviceSpec("api", replicas: 1))
            try await pass(cluster)
            let web = try #require(try await cluster.deployment("web"))

            var stale = try await cluster.desiredState()
            stale.services.removeAll { $0.metadata.name == "web" }
            let kept = try await reconciler(cluster).reconcile(stale, options: Planner.Options(prune: true), now: clock.now)
            #expect(kept.outcomes.map(\.result) == [.skipped("its ServiceSpec default/web (uid \(web.ownerUID ?? "")) exists")])
            #expect(try await cluster.deployment("web")?.uid == web.uid)
            // Without pruning nothing is even proposed.
            #expect(try await reconciler(cluster).reconcile(stale, options: Planner.Options(prune: false), now: clock.now).outcomes.isEmpty)

            // The owner goes (its dependents orphaned, so that the mock's garbage collector leaves
            // them, their references to it removed), and another Deployment of that name takes the
            // place of the one observed: orphaned as well, since one owned by the deleted ServiceSpec
            // would be garbage at once, as on a real cluster.
            try await cluster.client.delete(.of(ServiceSpec.self), name: "web", options: DeleteOptions(propagationPolicy: "Orphan"))
            let desired = try await cluster.desiredState()
            let seen = try await reconciler(cluster).observe(desired)
            try await cluster.client.delete(.deployments, name: "web")
            var orphan = web.recreated
            orphan[path: ["metadata", "ownerReferences"]] = nil
            let successor = try await cluster.client.create(orphan, .deployments)
            let missed = try await reconciler(cluster).reconcile(desired, observed: seen, options: Planner.Options(prune: true), now: clock.now)
            #expect(missed.outcomes.map(\.result) == [.skipped("Deployment default/web is no longer uid \(web.uid ?? "")")])
            #expect(try await cluster.deployment("web")?.uid == successor.uid)

            // Seen afresh, the successor's owner is gone too: it goes, with its Service.
            try await cluster.clearRequests()
            #expect(try await pass(cluster).outcomes.map(\.result) == [.done])
            #expect(try await cluster.deployment("web") == nil)
            #expect(try await cluster.access.getIfPresent(.services, namespace: "default", name: "web") == nil)
            #expect(try await cluster.deployment("api") != nil)
            let deletes = try await cluster.requests().filter { $0.method == "DELETE" }.map(\.path)
            #expect(deletes == ["/apis/apps/v1/namespaces/default/deployments/web", "/api/v1/namespaces/default/services/web"])
        }
    }
}

extension JSONValue {
    var ownerUID: String? { self[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"]?.stringValue }

    /// The object as a new one of the same name, labels, owners and spec (no identity, no status).
    var recreated: JSONValue {
        var metadata: JSONValue = ["name": self[path: ["metadata", "name"]] ?? .null, "namespace": self[path: ["metadata", "namespace"]] ?? .null]
        metadata["labels"] = self[path: ["metadata", "labels"]]
        metadata["ownerReferences"] = self[path: ["metadata", "ownerReferences"]]
        return ["apiVersion": self["apiVersion"] ?? .null, "kind": self["kind"] ?? .null, "metadata": metadata, "spec": self["spec"] ?? .null]
    }
}
