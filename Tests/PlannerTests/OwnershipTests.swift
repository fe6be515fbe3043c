import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// What we make belongs to its ServiceSpec (ownerReferences), and a prune is only a proposal that
/// names what the executor must confirm live: the planner's desired state may be a cache that has
/// not caught up.
@Suite(.tags(.unit)) struct OwnershipTests {
    /// The web ServiceSpec as read from the cluster: with its uid.
    func storedWeb(uid: String = "spec-uid-1") -> ServiceSpec? {
        guard var service = desired(webService).services.first else { return nil }
        service.metadata.uid = uid
        return service
    }

    func deployment(_ name: String, uid: String, owner: (name: String, uid: String)? = nil, fromManifests: Bool = false) -> JSONValue {
        var object = live(replicas: 2)
        object[path: ["metadata", "name"]] = .string(name)
        object[path: ["metadata", "uid"]] = .string(uid)
        if let owner {
            object[path: ["metadata", "ownerReferences"]] = [[
                "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "name": .string(owner.name), "uid": .string(owner.uid),
                "controller": true, "blockOwnerDeletion": true,
            ]]
        }
        if fromManifests { object[path: ["metadata", "annotations", "ops.hms.gov/source"]] = "manifests" }
        return object
    }

    @Test func objectsOfAStoredServiceSpecNameItAsTheirController() throws {
        let service = try #require(storedWeb())
        let expected: JSONValue = [[
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "name": "web", "uid": "spec-uid-1",
            "controller": true, "blockOwnerDeletion": true,
        ]]
        #expect(Rendering.deployment(service, replicas: 2)[path: ["metadata", "ownerReferences"]] == expected)
        #expect(Rendering.service(service)?[path: ["metadata", "ownerReferences"]] == expected)
        #expect(Rendering.deployment(service, replicas: 2)[path: ["metadata", "annotations"]] == nil)
        // From a file there is no uid: no reference, and the mark of the manifests directory instead.
        let fromFile = try #require(desired(webService).services.first)
        let rendered = Rendering.deployment(fromFile, replicas: 2, fromManifests: true)
        #expect(rendered[path: ["metadata", "ownerReferences"]] == nil)
        #expect(rendered[path: ["metadata", "annotations", "ops.hms.gov/source"]] == "manifests")
    }

    @Test func aDeploymentWithoutItsOwnerReferenceIsUpdatedOnce() throws {
        let service = try #require(storedWeb())
        var state = DesiredState()
        state.services = [service]
        let ledger = Ledger(spentUSD: [:])
        // Made before ownerReferences: one update adds it.
        let old = Planner().plan(desired: state, observed: observed(live(replicas: 4), services: [frontService]), ledger: ledger, now: now)
        #expect(old.actions.map(\.verb) == [.update])
        #expect(old.actions.first?.reason == "changed: owner reference")
        #expect(old.actions.first?.manifests.first?[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"] == "spec-uid-1")
        // Once it has it, nothing to do.
        var current = live(replicas: 4)
        current[path: ["metadata", "ownerReferences"]] = Rendering.deployment(service, replicas: 4)[path: ["metadata", "ownerReferences"]]
        #expect(Planner().plan(desired: state, observed: observed(current, services: [frontService]), ledger: ledger, now: now).isEmpty)
        // A reference to an earlier ServiceSpec of that name is replaced.
        current[path: ["metadata", "ownerReferences"]] = Rendering.deployment(try #require(storedWeb(uid: "spec-uid-0")), replicas: 4)[path: ["metadata", "ownerReferences"]]
        #expect(Planner().plan(desired: state, observed: observed(current, services: [frontService]), ledger: ledger, now: now).actions.map(\.reason)
            == ["changed: owner reference"])
    }

    @Test func pruneProposesOnlyManagedDeploymentsWithoutACachedOwnerAndSaysWhatToConfirm() {
        var foreign = deployment("theirs", uid: "u-theirs")
        foreign[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] = nil
        let state = observed(
            live(replicas: 4),
            deployment("orphan", uid: "u-orphan", owner: ("orphan", "spec-uid-9")),
            deployment("legacy", uid: "u-legacy"),
            deployment("from-file", uid: "u-file", fromManifests: true),
            foreign, services: [frontService])
        let pruned = plan(webService, state, options: .init(prune: true)).actions.filter { $0.verb == .delete }
        #expect(pruned.map { "\($0.verb) \($0.target.name)" } == ["delete legacy", "delete orphan"])
        #expect(pruned.map(\.prune) == [
            PruneCondition(uid: "u-legacy", owner: .serviceSpecNamed("legacy")),
            PruneCondition(uid: "u-orphan", owner: .serviceSpec(ServiceSpecOwner(name: "orphan", uid: "spec-uid-9"))),
        ])
    }

    @Test func fromAManifestsDirectoryOnlyWhatWasMadeFromFilesIsPruned() {
        let state = observed(
            deployment("web", uid: "u-web", fromManifests: true),
            deployment("in-cluster", uid: "u-cluster", owner: ("in-cluster", "spec-uid-2")),
            deployment("legacy", uid: "u-legacy"),
            deployment("from-file", uid: "u-file", fromManifests: true),
            services: [frontService])
        let pruned = plan(webService, state, options: .init(prune: true, desiredFromManifests: true)).actions.filter { $0.verb == .delete }
        #expect(pruned.map { "\($0.verb) \($0.target.name)" } == ["delete from-file"])
        #expect(pruned.first?.prune == PruneCondition(uid: "u-file", owner: .createdFromManifests))
    }
}
