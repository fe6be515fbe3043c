import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// What is left behind is found wherever it is, decided by owner uid; a restart stamp the spec
/// dropped never rolls the pods by itself; what runs in a workload without being declared is a
/// finding of the governance gate, not silently kept.
@Suite(.tags(.unit)) struct CleanupTests {
    func managed(_ kind: String, _ namespace: String, _ name: String, uid: String, owner: (name: String, uid: String)? = nil) -> JSONValue {
        var object: JSONValue = kind == "Deployment" ? live(replicas: 2) : ["kind": "Service", "spec": ["ports": [["port": 8080, "targetPort": 8080]]]]
        object["metadata"] = [
            "name": .string(name), "namespace": .string(namespace), "uid": .string(uid),
            "labels": ["app.kubernetes.io/managed-by": "hms-controller"],
        ]
        if let owner {
            object[path: ["metadata", "ownerReferences"]] = [[
                "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "name": .string(owner.name), "uid": .string(owner.uid),
                "controller": true, "blockOwnerDeletion": true,
            ]]
        }
        return object
    }

    @Test func pruneFindsWhatIsLeftInNamespacesWithoutServiceSpecsAndDecidesByOwnerUID() {
        var stored = desired(webService)
        stored.services[0].metadata.uid = "spec-web"
        let state = ObservedState(
            deployments: [
                live(replicas: 4),
                // In a namespace no ServiceSpec is left in: its owner's uid is unknown.
                managed("Deployment", "emptied", "api", uid: "u-api", owner: ("api", "spec-gone")),
                // Another name, but owned by the ServiceSpec we know: alive, whatever its name.
                managed("Deployment", "aid", "web-canary", uid: "u-canary", owner: ("web", "spec-web")),
            ],
            services: [
                managed("Service", "emptied", "api", uid: "s-api", owner: ("api", "spec-gone")),
                // A Service whose Deployment is gone already: pruned on its own.
                managed("Service", "never", "lonely", uid: "s-lonely", owner: ("lonely", "spec-old")),
                frontService,
            ])
        let result = Planner(options: .init(prune: true)).plan(desired: stored, observed: state, ledger: Ledger(), now: now)
        let pruned = result.actions.filter { $0.verb == .delete }
        #expect(pruned.map(\.target) == [
            ObjectRef(kind: .deployment, namespace: "emptied", name: "api"),
            ObjectRef(kind: .service, namespace: "never", name: "lonely"),
        ])
        #expect(pruned.map(\.source.name) == ["api", "lonely"])
        #expect(pruned.last?.change == .prune(replicas: 0, condition: PruneCondition(
            uid: "s-lonely", owner: .serviceSpec(ServiceSpecOwner(name: "lonely", uid: "spec-old")))))
        // An invalid ServiceSpec's uid counts as known too.
        var broken = DesiredState()
        broken.invalid = [InvalidObject(kind: "ServiceSpec", namespace: "emptied", name: "other", uid: "spec-gone", issues: [])]
        #expect(Planner(options: .init(prune: true)).plan(desired: broken, observed: state, ledger: Ledger(), now: now).actions
            .filter { $0.target.namespace == "emptied" }.isEmpty)
    }

    // MARK: - restartedAt

    static let restarted = webService + "\n  restartedAt: \"2027-01-15T07:00:00Z\""

    /// The live Deployment restarted at the stamp, running `replicas`, on `image`; the stamp
    /// held by our apply, as the server records it.
    func restartedLive(replicas: Int, image: String = "registry.gov/web:1.0") -> JSONValue {
        var object = withImage(live(Self.restarted, replicas: replicas), image)
        object[path: ["metadata", "managedFields"]] = [["manager": "hms-controller", "operation": "Apply", "fieldsV1": Self.stampField]]
        return object
    }

    static let stampField: JSONValue = ["f:spec": ["f:template": ["f:metadata": ["f:annotations": ["f:\(Rendering.restartedAtKey)": [:]]]]]]

    /// `object` with its first container on `image`.
    func withImage(_ object: JSONValue, _ image: String) -> JSONValue {
        var object = object
        var containers = object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        containers[0]["image"] = .string(image)
        object[path: ["spec", "template", "spec", "containers"]] = .array(containers)
        return object
    }

    @Test func droppingRestartedAtKeepsTheStampAndAScaleUpLeavesThePodTemplateAlone() throws {
        // Dropped from the spec, at the same count: nothing to do (removing the stamp would roll every pod).
        #expect(plan(webService, observed(restartedLive(replicas: 4), services: [frontService])).isEmpty)
        // A scale-up afterwards sets spec.replicas alone: the pod template, stamp included, is not written.
        let scale = try #require(plan(webService, observed(restartedLive(replicas: 2), services: [frontService])).actions.first)
        #expect(scale.verb == .scale)
        #expect(scale.patch == ["spec": ["replicas": 4]])
        #expect(scale.manifests.isEmpty)
    }

    @Test func aTemplateUpdateAfterDroppingRestartedAtTakesTheStampAwayInItsOneRollout() throws {
        // The image changes (the pods roll for it): the update leaves the stamp out, so the
        // server removes it in that same rollout, and nothing else is written.
        let result = plan(webService, observed(restartedLive(replicas: 4, image: "registry.gov/web:0.9"), services: [frontService]))
        #expect(result.actions.map(\.verb) == [.update])
        let update = try #require(result.actions.first)
        guard case .template(let diff) = update.change else {
            Issue.record("not a template update: \(update.change)")
            return
        }
        #expect(diff.fields.contains(.restartStampRemoved))
        #expect(update.reason == "changed: image registry.gov/web:0.9 → registry.gov/web:1.0, restartedAt removed")
        #expect(update.manifests.count == 1 && update.patch == nil)
        #expect(update.manifests.first?[path: ["spec", "template", "metadata", "annotations"]] == nil)
        #expect(update.manifests.first?[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "registry.gov/web:1.0")
        // A new stamp in the spec later is a restart again.
        let later = webService + "\n  restartedAt: \"2027-02-01T07:00:00Z\""
        #expect(plan(later, observed(restartedLive(replicas: 4), services: [frontService])).actions.map(\.change)
            == [.rollingRestart(from: "2027-01-15T07:00:00Z", to: "2027-02-01T07:00:00Z")])
    }

    @Test func aChangeOutsideThePodTemplateKeepsTheStamp() throws {
        // A label of the Deployment's own rolls no pod: the stamp stays through that update.
        var relabelled = restartedLive(replicas: 4)
        relabelled[path: ["metadata", "labels", "program"]] = "health"
        let update = try #require(plan(webService, observed(relabelled, services: [frontService])).actions.first)
        #expect(update.reason == "changed: .metadata.labels.program")
        #expect(update.manifests.first?[path: ["spec", "template", "metadata", "annotations"]] == [Rendering.restartedAtKey: "2027-01-15T07:00:00Z"])
    }

    @Test func aStampAnotherManagerWroteIsNeitherKeptNorRemoved() throws {
        // Ours by the Apply entry: kept while nothing else changes.
        var live = restartedLive(replicas: 4)
        let stamp = Self.stampField
        #expect(plan(webService, observed(live, services: [frontService])).isEmpty)
        // Written by someone else alone: not ours to keep (we do not render it) nor to remove
        // (our apply does not own it), even when an image change rolls the pods.
        live[path: ["metadata", "managedFields"]] = [["manager": "kubectl-annotate", "operation": "Update", "fieldsV1": stamp]]
        let update = try #require(plan(webService, observed(withImage(live, "registry.gov/web:0.9"), services: [frontService])).actions.first)
        #expect(update.reason == "changed: image registry.gov/web:0.9 → registry.gov/web:1.0")
        #expect(update.manifests.first?[path: ["spec", "template", "metadata", "annotations"]] == nil)
    }

    @Test func aRestartIsAppliedAsOurFieldManagerSoThatItsStampCanBeDroppedLater() throws {
        let result = plan(Self.restarted, observed(live(replicas: 4), services: [frontService]))
        let restart = try #require(result.actions.first)
        #expect(result.actions.map(\.verb) == [.restart])
        #expect(restart.patch == nil)
        // The live Deployment with the new stamp: nothing else differs.
        let written = try #require(restart.manifests.first)
        #expect(written == Rendering.deployment(desired(Self.restarted).services[0], replicas: 4))
    }

    // MARK: - Foreign containers

    /// The live web Deployment with a container added by `kubectl patch`, as the server records it.
    func withMiner(initContainer: Bool = false) -> JSONValue {
        var object = live(replicas: 4)
        let field = initContainer ? "initContainers" : "containers"
        var list = object[path: ["spec", "template", "spec", field]]?.arrayValue ?? []
        list.append(["name": "miner", "image": "docker.io/evil/miner"])
        object[path: ["spec", "template", "spec", field]] = .array(list)
        object[path: ["metadata", "managedFields"]] = [
            ["manager": "hms-controller", "operation": "Apply", "fieldsV1": ["f:spec": ["f:template": ["f:spec": ["f:containers": [#"k:{"name":"web"}"#: [".": [:], "f:image": [:]]]]]]]],
            ["manager": "kubectl-patch", "operation": "Update", "fieldsV1": ["f:spec": ["f:template": ["f:spec": ["f:\(field)": [#"k:{"name":"miner"}"#: [".": [:], "f:image": [:]]]]]]]],
        ]
        return object
    }

    @Test func aForeignContainerIsDeniedOnTheLiveStateNamingItsImageAndManager() throws {
        let result = plan(webService + governance, observed(withMiner(), services: [frontService]))
        let finding = try #require(result.actions.first)
        #expect(result.actions.count == 1)
        #expect(finding.verb == .update)
        #expect(finding.finalVerdict == .deny)
        #expect(finding.change == .foreignContainers([ForeignContainer(name: "miner", image: "docker.io/evil/miner", role: .container, managers: ["kubectl-patch"])]))
        #expect(finding.change.fromText == "container miner (docker.io/evil/miner)")
        let denials = finding.gates.filter { $0.verdict == .deny }.map(\.reason)
        #expect(denials == [
            "[foreign-container] container miner (docker.io/evil/miner) is not declared by the ServiceSpec, set by kubectl-patch: reported, not removed (another manager's field); remove it or declare it",
            "[registry] container miner (docker.io/evil/miner) is not from an allowed registry (registry.gov/) (GovernancePolicy rules)",
        ])
        #expect(finding.manifests.isEmpty && finding.patch == nil)
        #expect(result.findings == [PolicyFinding(policy: nil, rule: "foreign-container"), PolicyFinding(policy: "rules", rule: "registry")])
        // Its Event is a warning about the workload.
        let event = Records.event(for: ActionOutcome(action: finding, result: .notCarriedOut(.deny)), uid: nil)
        #expect(event.type == "Warning" && event.reason == "ForeignContainer")
        #expect(event.message.contains("docker.io/evil/miner"))
    }

    @Test func anInitContainerCountsAndOurOwnImageIsAnUpdateNotAFinding() throws {
        let initial = plan(webService, observed(withMiner(initContainer: true), services: [frontService]))
        #expect(initial.actions.map(\.change.fromText) == ["init container miner (docker.io/evil/miner)"])
        // Our container on an older image that we set ourselves: the template update brings it back.
        var stale = withImage(live(replicas: 4), "registry.gov/web:0.9")
        #expect(plan(webService, observed(stale, services: [frontService])).actions.map(\.verb) == [.update])
        // Set by someone else (kubectl set image): drift in a field we own, set back by the same
        // update (which names who changed it), not a finding.
        stale[path: ["metadata", "managedFields"]] = [
            ["manager": "kubectl-set", "operation": "Update", "fieldsV1": ["f:spec": ["f:template": ["f:spec": ["f:containers": [#"k:{"name":"web"}"#: ["f:image": [:]]]]]]]],
        ]
        let reverted = plan(webService, observed(stale, services: [frontService]))
        #expect(reverted.actions.map(\.finalVerdict) == [.allow])
        #expect(reverted.findings.isEmpty)
    }
}
