import Foundation
import JSON
import Testing
@testable import MockCluster

/// Deletion as kube-apiserver and kube-controller-manager carry it out: propagation policies and the
/// garbage collector, finalizers holding an object, pods' grace period, a namespace's termination.
@Suite(.tags(.unit)) struct GarbageCollectionTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    /// A ConfigMap owned by the given owners (`name`, `uid`, blocking or not).
    static func dependent(_ name: String, owners: [(String, String, Bool)], finalizers: [String] = []) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        metadata["ownerReferences"] = .array(owners.map { owner in
            ["apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner.0), "uid": .string(owner.1), "blockOwnerDeletion": .bool(owner.2)]
        })
        if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map(JSONValue.string)) }
        return ["metadata": metadata]
    }

    static func uid(_ harness: inout Harness, _ name: String) -> String {
        harness.get("\(configMaps)/\(name)")[path: ["metadata", "uid"]]?.stringValue ?? ""
    }

    static func status(_ harness: inout Harness, _ name: String) -> Int { harness.send("GET", "\(configMaps)/\(name)").status }

    @Test func backgroundDeletionCollectsDependentsButNotThoseWithAnotherLiveOwner() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "a"]])
        harness.send("POST", Self.configMaps, ["metadata": ["name": "b"]])
        let (a, b) = (Self.uid(&harness, "a"), Self.uid(&harness, "b"))
        harness.send("POST", Self.configMaps, Self.dependent("only-a", owners: [("a", a, false)]))
        harness.send("POST", Self.configMaps, Self.dependent("a-and-b", owners: [("a", a, false), ("b", b, false)]))
        #expect(harness.send("DELETE", "\(Self.configMaps)/a").status == 200)
        #expect(Self.status(&harness, "a") == 404)
        #expect(Self.status(&harness, "only-a") == 404)
        // The survivor loses its reference to the owner that is gone, as the collector patches it.
        let survivor = harness.get("\(Self.configMaps)/a-and-b")
        #expect(survivor.ownerReferences.compactMap { $0["name"]?.stringValue } == ["b"])
    }

    /// The collector follows ownerReferences as they are now (the store's owner index is kept with
    /// every write): one released by a patch survives its old owner, one that gained an owner
    /// goes with it.
    @Test func dependentsFollowTheirReferencesAsTheyAreNow() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "a"]])
        harness.send("POST", Self.configMaps, ["metadata": ["name": "b"]])
        let (a, b) = (Self.uid(&harness, "a"), Self.uid(&harness, "b"))
        harness.send("POST", Self.configMaps, Self.dependent("released", owners: [("a", a, false)]))
        harness.send("POST", Self.configMaps, ["metadata": ["name": "adopted"]])
        let patch = "application/merge-patch+json"
        harness.send("PATCH", "\(Self.configMaps)/released", ["metadata": ["ownerReferences": .null]], contentType: patch)
        harness.send("PATCH", "\(Self.configMaps)/adopted", Self.dependent("adopted", owners: [("b", b, false)]), contentType: patch)
        #expect(harness.send("DELETE", "\(Self.configMaps)/a").status == 200)
        #expect(harness.send("DELETE", "\(Self.configMaps)/b").status == 200)
        #expect(Self.status(&harness, "released") == 200)
        #expect(Self.status(&harness, "adopted") == 404)
    }

    @Test func orphanPolicyKeepsDependentsAndRemovesTheirReferences() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        let pods = harness.podNames()
        #expect(pods.count == 2)
        let answer = harness.send("DELETE", "/apis/apps/v1/namespaces/default/deployments/web", ["propagationPolicy": "Orphan"])
        #expect(answer.status == 200)
        #expect(answer.json.finalizers == ["orphan"], "the answer is the Deployment, held by the orphan finalizer: \(answer.json.jsonText)")
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/web").status == 404)
        #expect(harness.podNames() == pods)
        #expect(harness.pods().allSatisfy { $0.ownerReferences.isEmpty })
    }

    @Test func theDeprecatedOrphanDependentsIsHonoured() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "owner"]])
        harness.send("POST", Self.configMaps, Self.dependent("kept", owners: [("owner", Self.uid(&harness, "owner"), true)]))
        #expect(harness.send("DELETE", "\(Self.configMaps)/owner", ["orphanDependents": true]).status == 200)
        #expect(Self.status(&harness, "owner") == 404)
        #expect(harness.get("\(Self.configMaps)/kept").ownerReferences.isEmpty)
    }

    @Test func foregroundDeletionWaitsForBlockingDependentsOnly() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "owner"]])
        let owner = Self.uid(&harness, "owner")
        harness.send("POST", Self.configMaps, Self.dependent("blocking", owners: [("owner", owner, true)], finalizers: ["example.com/hold"]))
        harness.send("POST", Self.configMaps, Self.dependent("loose", owners: [("owner", owner, false)], finalizers: ["example.com/hold"]))
        let answer = harness.send("DELETE", "\(Self.configMaps)/owner", ["propagationPolicy": "Foreground"])
        #expect(answer.status == 200)
        #expect(answer.json.finalizers == ["foregroundDeletion"])
        #expect(answer.json.deletionTimestamp != nil)
        // The dependents are being deleted; the owner waits, still readable.
        #expect(harness.get("\(Self.configMaps)/blocking").deletionTimestamp != nil)
        #expect(harness.get("\(Self.configMaps)/loose").deletionTimestamp != nil)
        #expect(Self.status(&harness, "owner") == 200)
        harness.send("PATCH", "\(Self.configMaps)/loose", ["metadata": ["finalizers": .null]], contentType: "application/merge-patch+json")
        #expect(Self.status(&harness, "loose") == 404)
        #expect(Self.status(&harness, "owner") == 200, "a dependent that does not block leaves the owner waiting")
        harness.send("PATCH", "\(Self.configMaps)/blocking", ["metadata": ["finalizers": .null]], contentType: "application/merge-patch+json")
        #expect(Self.status(&harness, "blocking") == 404)
        #expect(Self.status(&harness, "owner") == 404, "the last blocking dependent gone, the owner goes")
    }

    @Test func aDependentOfAMissingOwnerIsGarbage() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "owner"]])
        harness.send("POST", Self.configMaps, Self.dependent("no-such-uid", owners: [("ghost", "11111111-2222-3333-4444-555555555555", false)]))
        harness.send("POST", Self.configMaps, Self.dependent("other-uid", owners: [("owner", "11111111-2222-3333-4444-555555555555", false)]))
        harness.send("POST", Self.configMaps, Self.dependent("real-owner", owners: [("owner", Self.uid(&harness, "owner"), false)]))
        #expect(Self.status(&harness, "no-such-uid") == 404)
        #expect(Self.status(&harness, "other-uid") == 404, "a reference to another uid under the same name dangles")
        #expect(Self.status(&harness, "real-owner") == 200)
    }

    @Test func batchV1JobsOrphanTheirPodsUnlessToldOtherwise() {
        var harness = Harness()
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("kept"))
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("gone"))
        let before = harness.get("/api/v1/namespaces/default/pods")["items"]?.arrayValue ?? []
        #expect(before.count == 2)
        let warned = harness.send("DELETE", "/apis/batch/v1/namespaces/default/jobs/kept")
        #expect(warned.response.warnings == [MockCluster.jobOrphanWarning], "the Job registry warns that the pods stay")
        harness.send("DELETE", "/apis/batch/v1/namespaces/default/jobs/gone", ["propagationPolicy": "Background"])
        harness.wait(0.1)  // the collected pod terminates until kubelet's next step
        let after = harness.get("/api/v1/namespaces/default/pods")["items"]?.arrayValue ?? []
        let names = after.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
        #expect(names.count == 1)
        #expect(names.allSatisfy { $0.hasPrefix("kept-") })
        #expect(after.allSatisfy { $0.ownerReferences.isEmpty })
    }

    @Test func deleteOptionsAreCheckedAsTheApiserverChecksThem() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "c"]])
        let unsupported = harness.send("DELETE", "\(Self.configMaps)/c", ["propagationPolicy": "Sideways"])
        #expect(unsupported.status == 422)
        #expect(unsupported.json["message"] == #"DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil""#)
        let both = harness.send("DELETE", "\(Self.configMaps)/c", ["propagationPolicy": "Orphan", "orphanDependents": false])
        #expect(both.status == 422)
        #expect(harness.send("DELETE", "\(Self.configMaps)/c", ["gracePeriodSeconds": "soon"]).status == 400)
        let stale = harness.send("DELETE", "\(Self.configMaps)/c", ["preconditions": ["uid": "not-it"]])
        #expect(stale.status == 409)
        #expect(stale.json["message"]?.stringValue?.hasPrefix(#"Operation cannot be fulfilled on configmaps "c": Precondition failed: UID in precondition: not-it"#) == true)
        #expect(Self.status(&harness, "c") == 200, "a refused DELETE changes nothing")
        #expect(harness.send("DELETE", "\(Self.configMaps)/c?propagationPolicy=Foreground").status == 200)
        #expect(Self.status(&harness, "c") == 404)
    }
}

@Suite(.tags(.unit)) struct FinalizerTests {
    static let configMaps = GarbageCollectionTests.configMaps

    @Test func aFinalizerHoldsTheObjectUntilItIsRemoved() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "held", "finalizers": ["example.com/hold"]]])
        let first = harness.send("DELETE", "\(Self.configMaps)/held")
        #expect(first.status == 200)
        #expect(first.json["kind"] == "ConfigMap", "an object that waits is answered, not a Status")
        #expect(first.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 0)
        let deleting = first.json.deletionTimestamp
        #expect(deleting != nil)
        harness.now += 5
        let again = harness.send("DELETE", "\(Self.configMaps)/held")
        #expect(again.status == 200)
        #expect(again.json.deletionTimestamp == deleting, "a second DELETE changes nothing")
        #expect(harness.get("\(Self.configMaps)/held")["kind"] == "ConfigMap")
        // No finalizer may be added once deletion started; the timestamp cannot be taken away.
        let added = harness.send("PATCH", "\(Self.configMaps)/held", ["metadata": ["finalizers": ["example.com/hold", "example.com/more"]]],
                                 contentType: "application/merge-patch+json")
        #expect(added.status == 422)
        #expect(added.json["message"] == #"ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}"#)
        let kept = harness.send("PATCH", "\(Self.configMaps)/held", ["metadata": ["deletionTimestamp": .null], "data": ["k": "v"]],
                                contentType: "application/merge-patch+json")
        #expect(kept.status == 200)
        #expect(kept.json.deletionTimestamp == deleting)
        let last = harness.send("PATCH", "\(Self.configMaps)/held", ["metadata": ["finalizers": []]], contentType: "application/merge-patch+json")
        #expect(last.status == 200)
        #expect(harness.send("GET", "\(Self.configMaps)/held").status == 404)
    }

    @Test func deleteCollectionLeavesHeldObjectsDeleting() {
        var harness = Harness()
        harness.send("POST", Self.configMaps, ["metadata": ["name": "free", "labels": ["set": "x"]]])
        harness.send("POST", Self.configMaps, ["metadata": ["name": "held", "labels": ["set": "x"], "finalizers": ["example.com/hold"]]])
        #expect(harness.send("DELETE", "\(Self.configMaps)?labelSelector=set%3Dx").status == 200)
        #expect(harness.send("GET", "\(Self.configMaps)/free").status == 404)
        #expect(harness.get("\(Self.configMaps)/held").deletionTimestamp != nil)
    }

    @Test func aPodTerminatesForItsGracePeriodUntilKubeletHasStoppedIt() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 1))
        harness.wait(1)
        let victim = harness.podNames()[0]
        let answer = harness.send("DELETE", "/api/v1/namespaces/default/pods/\(victim)")
        #expect(answer.status == 200)
        #expect(answer.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)
        #expect(answer.json.deletionTimestamp == timestamp(harness.now.addingTimeInterval(30)))
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods/\(victim)").status == 200, "still there, Terminating")
        harness.wait(0.1)
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods/\(victim)").status == 404)
        let replacement = harness.podNames()
        #expect(replacement.count == 1 && replacement != [victim])
        #expect(harness.send("DELETE", "/api/v1/namespaces/default/pods/\(replacement[0])", ["gracePeriodSeconds": 0]).status == 200)
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods/\(replacement[0])").status == 404, "a zero grace period deletes at once")
    }
}

@Suite(.tags(.unit)) struct NamespaceLifecycleTests {
    @Test func aDeletedNamespaceTerminatesRefusesNewContentThenGoesWithItsContents() {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"]])
        harness.send("POST", "/api/v1/namespaces/power/configmaps", ["metadata": ["name": "c"]])
        let answer = harness.send("DELETE", "/api/v1/namespaces/power")
        #expect(answer.status == 200)
        #expect(answer.json[path: ["status", "phase"]] == "Terminating")
        #expect(answer.json.deletionTimestamp == timestamp(harness.now))
        #expect(answer.json[path: ["spec", "finalizers"]] == ["kubernetes"])
        let refused = harness.send("POST", "/api/v1/namespaces/power/configmaps", ["metadata": ["name": "late"]])
        #expect(refused.status == 403)
        #expect(refused.json["reason"] == "Forbidden")
        #expect(refused.json["message"] == #"configmaps "late" is forbidden: unable to create new content in namespace power because it is being terminated"#)
        #expect(refused.json[path: ["details", "causes"]] == [["reason": "NamespaceTerminating", "message": "namespace power is being terminated", "field": "metadata.namespace"]])
        #expect(harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"]]).status == 409)
        harness.wait(0.1)
        #expect(harness.send("GET", "/api/v1/namespaces/power/configmaps/c").status == 404)
        #expect(harness.send("GET", "/api/v1/namespaces/power").status == 404)
        #expect(harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"]]).status == 201)
    }

    @Test func aNamespaceWaitsForContentWithFinalizersAndSaysSo() {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"]])
        harness.send("POST", "/api/v1/namespaces/power/configmaps", ["metadata": ["name": "held", "finalizers": ["example.com/hold"]]])
        harness.send("DELETE", "/api/v1/namespaces/power")
        harness.wait(0.1)
        let namespace = harness.get("/api/v1/namespaces/power")
        #expect(namespace[path: ["status", "phase"]] == "Terminating")
        let conditions = namespace[path: ["status", "conditions"]]?.arrayValue ?? []
        let remaining = conditions.first { $0["type"] == "NamespaceContentRemaining" }
        #expect(remaining?["status"] == "True")
        #expect(remaining?["message"] == "Some resources are remaining: configmaps. has 1 resource instances")
        let finalizers = conditions.first { $0["type"] == "NamespaceFinalizersRemaining" }
        #expect(finalizers?["message"] == "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances")
        harness.send("PATCH", "/api/v1/namespaces/power/configmaps/held", ["metadata": ["finalizers": .null]], contentType: "application/merge-patch+json")
        harness.wait(0.1)
        #expect(harness.send("GET", "/api/v1/namespaces/power").status == 404)
    }

    @Test func aNamespaceHeldByAnotherFinalizerGoesOnceFinalizeRemovesIt() {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"], "spec": ["finalizers": ["kubernetes", "example.com/custom"]]])
        harness.send("POST", "/api/v1/namespaces/power/configmaps", ["metadata": ["name": "c"]])
        harness.send("DELETE", "/api/v1/namespaces/power")
        harness.wait(0.1)
        #expect(harness.send("GET", "/api/v1/namespaces/power/configmaps/c").status == 404)
        let held = harness.get("/api/v1/namespaces/power")
        #expect(held[path: ["spec", "finalizers"]] == ["example.com/custom"], "the controller removed its own finalizer only")
        #expect(harness.send("GET", "/api/v1/namespaces/power/finalize").status == 405)
        let finalized = harness.send("PUT", "/api/v1/namespaces/power/finalize", ["metadata": ["name": "power"], "spec": ["finalizers": []], "status": ["phase": "Active"]])
        #expect(finalized.status == 200)
        #expect(finalized.json[path: ["status", "phase"]] == "Terminating", "finalize changes spec.finalizers only")
        harness.wait(0.1)
        #expect(harness.send("GET", "/api/v1/namespaces/power").status == 404)
    }

    @Test func aTerminatingNamespaceSurvivesARestart() throws {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"]])
        harness.send("POST", "/api/v1/namespaces/power/configmaps", ["metadata": ["name": "held", "finalizers": ["example.com/hold"]]])
        harness.send("DELETE", "/api/v1/namespaces/power")
        var restarted = Harness()
        try restarted.cluster.restore(harness.cluster.snapshot(), now: harness.now)
        restarted.send("PATCH", "/api/v1/namespaces/power/configmaps/held", ["metadata": ["finalizers": .null]], contentType: "application/merge-patch+json")
        restarted.wait(0.1)
        #expect(restarted.send("GET", "/api/v1/namespaces/power").status == 404)
    }
}
