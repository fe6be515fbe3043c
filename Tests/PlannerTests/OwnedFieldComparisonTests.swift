import Foundation
import JSON
import Model
@testable import Planner
import Testing

/// The plan compares what it would apply with the live Deployment through managedFields: what
/// the server adds and what other managers own is no change; every change to a field we set is
/// one, and a change another manager made is drift, reverted and reported.
@Suite(.tags(.unit)) struct OwnedFieldComparisonTests {
    let service = desired(webService).services[0]
    let containerPath: [PathElement] = [.field("spec"), .field("template"), .field("spec"), .field("containers"),
                                        .key([PathElement.KeyField(name: "name", value: "web")])]

    /// The Deployment as a strict server stores our apply of `yaml`: defaulted, and owned by
    /// `hms-controller` (Apply) field for field, with the entries given after it.
    func stored(_ yaml: String = webService, others: [JSONValue] = [], edit: (inout JSONValue) -> Void = { _ in }) -> JSONValue {
        let spec = desired(yaml).services[0]
        let applied = Rendering.deployment(spec, replicas: 4)
        var object = applied
        object[path: ["metadata", "uid"]] = "u-1"
        object[path: ["spec", "revisionHistoryLimit"]] = 10
        object[path: ["spec", "progressDeadlineSeconds"]] = 600
        object[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]
        object[path: ["spec", "template", "spec", "restartPolicy"]] = "Always"
        object[path: ["spec", "template", "spec", "containers"]] = .array((object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).map {
            var container = $0
            container["imagePullPolicy"] = "IfNotPresent"
            container["terminationMessagePath"] = "/dev/termination-log"
            container[path: ["readinessProbe", "timeoutSeconds"]] = 1
            container[path: ["readinessProbe", "httpGet", "scheme"]] = "HTTP"
            return container
        })
        object[path: ["metadata", "managedFields"]] = .array([
            ["manager": "hms-controller", "operation": "Apply", "fieldsType": "FieldsV1",
             "fieldsV1": Self.fields(of: applied).fieldsV1],
        ] + others)
        edit(&object)
        return object
    }

    /// The field set applying `object` gives its manager, as the server records it.
    static func fields(of object: JSONValue, at path: [PathElement] = []) -> FieldSet {
        var set = FieldSet()
        switch object {
        case .object(let members):
            for (name, value) in members { set = set.union(fields(of: value, at: path + [.field(name)])) }
        case .array(let items):
            guard let keys = ListKeys.keys(at: path) else { set.insert(path[...]); break }
            for item in items {
                let element = ListKeys.element(item, keys: keys)
                set.insert((path + [element])[...])
                set = set.union(fields(of: item, at: path + [element]))
            }
        default:
            set.insert(path[...])
        }
        return set
    }

    func update(_ manager: String, _ fieldsV1: JSONValue) -> JSONValue {
        ["manager": .string(manager), "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": fieldsV1]
    }

    func diff(_ live: JSONValue, _ spec: ServiceSpec? = nil) -> TemplateDiff? {
        TemplateDiff(live: ObservedDeployment(live), service: spec ?? service)
    }

    @Test func whatTheServerAddsIsNoChange() {
        #expect(diff(stored()) == nil)
    }

    @Test func anAtomicStructIsOneOwnedField() {
        // The server records a Deployment's selector (`+structType=atomic`) as one member.
        var live = stored()
        var entries = live[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        entries[0][path: ["fieldsV1", "f:spec", "f:selector"]] = [:]
        live[path: ["metadata", "managedFields"]] = .array(entries)
        #expect(diff(live) == nil)
    }

    @Test func anotherManagersFieldsAreNoChange() {
        let sidecar: JSONValue = ["name": "sidecar", "image": "registry.gov/proxy:2"]
        let live = stored(others: [update("kubectl-patch", ["f:metadata": ["f:annotations": ["f:note": [:]]],
                                                            "f:spec": ["f:template": ["f:spec": ["f:containers": ["k:{\"name\":\"sidecar\"}": [".": [:], "f:image": [:], "f:name": [:]]]]]]])]) {
            $0[path: ["metadata", "annotations"]] = ["note": "kept"]
            $0[path: ["spec", "template", "spec", "containers"]] = .array(($0[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []) + [sidecar])
        }
        #expect(diff(live) == nil)
    }

    @Test func emptyValuesTheServerDroppedAreNoChange() {
        let desired: JSONValue = ["metadata": ["name": "web", "annotations": [:]], "spec": ["template": ["spec": ["volumes": []]]]]
        let live: JSONValue = ["metadata": ["name": "web"], "spec": ["template": ["spec": [:]]]]
        #expect(OwnedFieldComparison.differences(desired: desired, live: live, applier: "hms-controller", ours: []).isEmpty)
    }

    @Test func quantitiesCompareByValue() {
        let half = webService.replacingOccurrences(of: "cpu: \"1\"", with: "cpu: \"0.5\"")
        let live = stored(half) { $0[path: ["spec", "template", "spec", "containers"]] = .array(($0[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).map {
            var container = $0
            container[path: ["resources", "requests", "cpu"]] = "500m"
            return container
        }) }
        #expect(diff(live, desired(half).services[0]) == nil)
    }

    @Test func ourImageChangedByKubectlPatchIsDriftRevertedAndReported() throws {
        let live = stored(others: [update("kubectl-patch", ["f:spec": ["f:template": ["f:spec": ["f:containers": ["k:{\"name\":\"web\"}": ["f:image": [:]]]]]]])]) {
            $0[path: ["spec", "template", "spec", "containers"]] = .array(($0[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).map {
                var container = $0
                container["image"] = "docker.io/evil/miner"
                return container
            })
        }
        let found = try #require(diff(live))
        #expect(found.fields == [.image(from: "docker.io/evil/miner", to: "registry.gov/web:1.0")])
        #expect(found.drift == [FieldDrift(path: ".spec.template.spec.containers[name=\"web\"].image", manager: "kubectl-patch")])
        let result = plan(webService, observed(live, services: [frontService]))
        #expect(result.actions.map(\.verb) == [.update])
        #expect(result.text().contains("drift:      .spec.template.spec.containers[name=\"web\"].image changed by kubectl-patch"))
        let event = try #require(Records.driftEvent(for: ActionOutcome(action: result.actions[0], result: .done), uid: "s-1"))
        #expect(event.reason == "DriftReverted")
        #expect(event.type == "Warning")
        #expect(event.message.contains(".spec.template.spec.containers[name=\"web\"].image changed by kubectl-patch"))
        #expect(Records.driftEvent(for: ActionOutcome(action: result.actions[0], result: .failed("no")), uid: "s-1") == nil)
    }

    @Test func anEnvValueChangedByAnotherManagerIsDrift() throws {
        let withEnv = webService + "\n  env: [{name: MODE, value: strict}]"
        let live = stored(withEnv, others: [update("kubectl-edit", ["f:spec": ["f:template": ["f:spec": ["f:containers": ["k:{\"name\":\"web\"}": ["f:env": ["k:{\"name\":\"MODE\"}": ["f:value": [:]]]]]]]]])]) {
            $0[path: ["spec", "template", "spec", "containers"]] = .array(($0[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).map {
                var container = $0
                container["env"] = [["name": "MODE", "value": "lenient"]]
                return container
            })
        }
        let found = try #require(diff(live, desired(withEnv).services[0]))
        #expect(found.fields == [.env([EnvVar(name: "MODE", value: "strict")])])
        #expect(found.drift == [FieldDrift(path: ".spec.template.spec.containers[name=\"web\"].env[name=\"MODE\"].value", manager: "kubectl-edit")])
    }

    @Test func aFieldWeStoppedRenderingIsAChange() throws {
        // Applied with an env variable; the spec no longer has it: our apply would remove it.
        let withEnv = webService + "\n  env: [{name: MODE, value: strict}]"
        let found = try #require(diff(stored(withEnv)))
        #expect(found.fields == [.env([])])
        #expect(found.drift.isEmpty)
        let differences = TemplateDiff.differences(live: ObservedDeployment(stored(withEnv)), service: service, fromManifests: false)
        #expect(differences.map(\.pathText) == [".spec.template.spec.containers[name=\"web\"].env[name=\"MODE\"]"])
        #expect(differences.first?.desired == nil)
    }

    @Test func aFieldWeStoppedRenderingThatAnotherManagerKeepsIsNoChange() {
        let withEnv = webService + "\n  env: [{name: MODE, value: strict}]"
        let kept = stored(withEnv, others: [update("kubectl-edit", ["f:spec": ["f:template": ["f:spec": ["f:containers": ["k:{\"name\":\"web\"}": ["f:env": ["k:{\"name\":\"MODE\"}": [".": [:], "f:name": [:], "f:value": [:]]]]]]]]])])
        #expect(diff(kept) == nil)
    }

    @Test func aChangeWithoutAnotherOwnerIsNoDrift() throws {
        // The spec moved to 1.1: an update, nobody else's doing.
        let newer = webService.replacingOccurrences(of: "web:1.0", with: "web:1.1")
        let found = try #require(diff(stored(), desired(newer).services[0]))
        #expect(found.fields == [.image(from: "registry.gov/web:1.0", to: "registry.gov/web:1.1")])
        #expect(found.drift.isEmpty)
    }
}
