import Foundation
@testable import Controller
import JSON
import Kube
import Model
import Planner
import Testing

/// One tenant's broken object is a finding about that object: the cache keeps every other
/// object, the desired state leaves it out, and it is reported once per generation.
@Suite(.tags(.unit)) struct InvalidObjectTests {
    func serviceSpec(_ name: String, namespace: String = "aid", cpu: String = "1", generation: Int = 1, version: String = "1") -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("u-\(name)"),
                         "generation": .int(generation), "resourceVersion": .string(version)],
            "spec": ["image": "registry.gov/web:1", "resources": ["cpu": .string(cpu)]],
        ]
    }

    @Test func aListWithABrokenObjectStillFillsTheCache() {
        let cache = ClusterCache()
        cache.serviceSpecs.apply(.relisted([serviceSpec("good"), serviceSpec("bad", namespace: "other", cpu: "5 cores")], resourceVersion: "9"))
        #expect(cache.serviceSpecs.hasSynced)
        let desired = cache.desiredState()
        #expect(desired.services.map(\.metadata.name) == ["good"])
        #expect(desired.invalid.map(\.name) == ["bad"])
        #expect(cache.invalidObjects.first?.issues.first?.path.description == "spec.resources.cpu")
        // Fixed by its owner: valid again, and no longer a finding.
        cache.serviceSpecs.apply(.modified(serviceSpec("bad", namespace: "other", generation: 2, version: "10")))
        #expect(cache.invalidObjects.isEmpty)
        #expect(cache.desiredState().services.count == 2)
    }

    @Test func eachGenerationIsReportedOnce() {
        var reports = InvalidObjectReports()
        let first = InvalidObject(kind: "ServiceSpec", namespace: "aid", name: "bad", uid: "u", generation: 1, issues: [FieldIssue("spec.image", "x")])
        #expect(reports.news([first]).map(\.name) == ["bad"])
        #expect(reports.news([first]).isEmpty)
        var second = first
        second.generation = 2
        #expect(reports.news([second]).map(\.generation) == [2])
        // Fixed, then broken again at the same generation (say, after a restore): news again.
        #expect(reports.news([]).isEmpty)
        #expect(reports.news([second]).map(\.generation) == [2])
    }

    @Test func theGaugeCountsEveryKind() {
        let objects = [
            InvalidObject(kind: "ServiceSpec", namespace: "a", name: "x", issues: []),
            InvalidObject(kind: "ServiceSpec", namespace: "b", name: "y", issues: []),
            InvalidObject(kind: "Budget", namespace: "a", name: "z", issues: []),
        ]
        let counts = Dictionary(uniqueKeysWithValues: InvalidObjectReports.counts(objects).map { ($0.kind, $0.count) })
        #expect(counts == ["ServiceSpec": 2, "Budget": 1, "AutoscaleRule": 0, "Directive": 0, "GovernancePolicy": 0, "Approval": 0])
    }

    @Test func theConditionSaysWhy() throws {
        let object = InvalidObject(kind: "ServiceSpec", namespace: "aid", name: "bad", generation: 4, issues: [FieldIssue("spec.port", "must be a port")])
        let patch = try JSONValue(parsing: try #require(InvalidObjectReports.statusPatch(object, now: Date(timeIntervalSince1970: 0))))
        #expect(patch[path: ["status", "conditions"]] == [[
            "type": "Ready", "status": "False", "reason": "InvalidSpec", "message": "spec.port: must be a port",
            "lastTransitionTime": "1970-01-01T00:00:00Z", "observedGeneration": 4,
        ]])
        // A Directive's status has no conditions: nothing to write there.
        #expect(InvalidObjectReports.statusPatch(InvalidObject(kind: "Directive", namespace: "a", name: "d", issues: []), now: Date()) == nil)
        #expect(InvalidObjectReports.eventName(InvalidObject(kind: "Budget", namespace: "a", name: String(repeating: "n", count: 253), generation: 2, issues: [])).count <= 253)
    }
}

/// What asks for a change sets how new the gate inputs must be: the ServiceSpec, the rules that
/// target it, the Directive.
@Suite(.tags(.unit)) struct TriggerVersionTests {
    @Test func theNewestVersionOfEachNamespacesTriggersCounts() {
        let cache = ClusterCache()
        let spec: (String, String, String) -> JSONValue = { namespace, name, version in
            ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(version)],
             "spec": ["image": "registry.gov/web:1"]]
        }
        cache.serviceSpecs.apply(.relisted([spec("a", "web", "10"), spec("b", "api", "12")], resourceVersion: "12"))
        let rule: JSONValue = ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "AutoscaleRule",
                               "metadata": ["name": "web", "namespace": "a", "resourceVersion": "17"],
                               "spec": ["target": "web", "minReplicas": 1, "maxReplicas": 3, "metrics": [["type": "cpu", "targetUtilization": 50]]]]
        cache.autoscaleRules.apply(.relisted([rule], resourceVersion: "17"))
        let versions = cache.triggerVersions([
            ObjectRef(kind: "ServiceSpec", namespace: "a", name: "web"), ObjectRef(kind: "ServiceSpec", namespace: "b", name: "api"),
        ])
        #expect(versions == ["a": 17, "b": 12])
    }
}
