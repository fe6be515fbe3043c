import Foundation
import JSON
import Testing
@testable import MockCluster

/// Field ownership through the scale subresource, step for step as kube-apiserver's own
/// integration test (test/integration/apiserver/apply/scale_test.go) expects it.
@Suite(.tags(.unit)) struct ScaleSubresourceTests {
    static let web = ServerSideApplyTests.web
    static let scalePath = web + "/scale"

    static func scale(_ replicas: Int) -> JSONValue {
        ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": ["name": "web", "namespace": "default"], "spec": ["replicas": .int(replicas)]]
    }

    @discardableResult
    static func applyScale(_ harness: inout Harness, _ body: JSONValue, manager: String, force: Bool = false)
        -> (status: Int, json: JSONValue, response: APIResponse)
    {
        ServerSideApplyTests.apply(&harness, body, manager: manager, force: force, path: scalePath)
    }

    /// The managers that own `.spec.replicas` of the Deployment, by manager/operation[/subresource].
    static func replicaOwners(_ harness: inout Harness) -> [String] {
        ServerSideApplyTests.managers(harness.get(web)).filter { $0.value[path: ["f:spec", "f:replicas"]] != nil }.keys.sorted()
    }

    @Test func anApplyToScaleConflictsIsForcedAndSharesAsOnTheParent() {
        var harness = Harness()
        ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 1), manager: "apply_test")
        let scaled = harness.send("PATCH", Self.scalePath + "?fieldManager=scale_test", ["spec": ["replicas": 5]], contentType: "application/merge-patch+json")
        #expect(scaled.status == 200)
        #expect(Self.replicaOwners(&harness) == ["scale_test/Update/scale"])
        #expect(ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 1), manager: "apply_test", force: true).status == 200)

        let refused = Self.applyScale(&harness, Self.scale(17), manager: "apply_scale")
        #expect(refused.status == 409)
        #expect(refused.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"Apply failed with 1 conflict: conflict with "apply_test": .spec.replicas"#,
            "reason": "Conflict", "code": 409,
            "details": ["causes": [["type": "FieldManagerConflict", "message": #"conflict with "apply_test""#, "field": ".spec.replicas"]]],
        ])
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 1)

        let forced = Self.applyScale(&harness, Self.scale(17), manager: "apply_scale", force: true)
        #expect(forced.status == 200)
        #expect(forced.json[path: ["spec", "replicas"]] == 17)
        #expect(forced.json[path: ["metadata", "managedFields"]] == nil)
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 17)
        #expect(Self.replicaOwners(&harness) == ["apply_scale/Apply/scale"])
        // apply_test keeps the rest of what it applied.
        #expect(ServerSideApplyTests.managers(harness.get(Self.web))["apply_test/Apply"]?[path: ["f:spec", "f:template"]] != nil)

        #expect(harness.send("PUT", Self.scalePath + "?fieldManager=replace_test", Self.scale(7)).status == 200)
        #expect(Self.replicaOwners(&harness) == ["replace_test/Update/scale"])
        #expect(Self.applyScale(&harness, Self.scale(7), manager: "co_owning_test").status == 200)
        #expect(Self.replicaOwners(&harness) == ["co_owning_test/Apply/scale", "replace_test/Update/scale"])
        harness.send("PATCH", Self.scalePath + "?fieldManager=scale_test", ["spec": ["replicas": 5]], contentType: "application/merge-patch+json")
        #expect(Self.replicaOwners(&harness) == ["scale_test/Update/scale"])
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 5)
    }

    @Test func aWriteThroughScaleIsRecordedAsTheScaleHandlerRecordsIt() throws {
        var harness = Harness()
        ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        // kubectl scale: a merge patch, its manager the User-Agent's product.
        harness.send("PATCH", Self.scalePath, ["spec": ["replicas": 4]], contentType: "application/merge-patch+json")
        let entries = harness.get(Self.web)[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let scaleEntry = try #require(entries.first { $0["subresource"] == "scale" })
        // Upstream takes its time from the parent's entry of the same key, which has none.
        #expect(scaleEntry == [
            "manager": "tests", "operation": "Update", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
            "fieldsV1": ["f:spec": ["f:replicas": [:]]], "subresource": "scale",
        ])
        let conflict = Self.applyScale(&harness, Self.scale(6), manager: "keda")
        #expect(conflict.json["message"] == #"Apply failed with 1 conflict: conflict with "tests" with subresource "scale" using autoscaling/v1: .spec.replicas"#)
        let back = ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        #expect(back.json["message"] == #"Apply failed with 1 conflict: conflict with "tests" with subresource "scale" using apps/v1: .spec.replicas"#)
    }

    @Test func aScaleWriteThatLeavesReplicasAloneTakesNothing() {
        var harness = Harness()
        ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 1), manager: "apply_test")
        let statusOnly = harness.send("PATCH", Self.scalePath + "?fieldManager=scale_test", ["status": ["replicas": 42]], contentType: "application/merge-patch+json")
        #expect(statusOnly.status == 200)
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 1)
        #expect(harness.get(Self.web)[path: ["status", "replicas"]] != 42)
        #expect(Self.replicaOwners(&harness) == ["apply_test/Apply"])
        #expect(ServerSideApplyTests.managers(harness.get(Self.web)).keys.contains { $0.hasPrefix("scale_test") } == false)
    }

    @Test func anAppliedScaleIsCheckedAsTheFieldManagerAndScaleRESTCheckIt() {
        var harness = Harness()
        #expect(Self.applyScale(&harness, Self.scale(3), manager: "m").json["message"] == #"deployments.apps "web" not found"#)
        ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 1), manager: "hms-controller")
        let deployment = Self.applyScale(&harness, Harness.deployment("web", replicas: 3), manager: "m")
        #expect(deployment.status == 400)
        #expect(deployment.json["message"] == "invalid object type: apps/v1, Kind=Deployment")
        #expect(Self.applyScale(&harness, ["spec": ["replicas": 3]], manager: "m").json["message"] == "invalid object type: /, Kind=")
        var managed = Self.scale(3)
        managed[path: ["metadata", "managedFields"]] = []
        #expect(Self.applyScale(&harness, managed, manager: "m").json["message"] == "metadata.managedFields must be nil")
        let negative = Self.applyScale(&harness, Self.scale(-1), manager: "m", force: true)
        #expect(negative.status == 422)
        #expect(negative.json["message"] == #"Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
        var renamed = Self.scale(3)
        renamed[path: ["metadata", "name"]] = "other"
        #expect(Self.applyScale(&harness, renamed, manager: "m", force: true).json["message"]
            == "the name of the object (other) does not match the name on the URL (web)")
        let missingManager = harness.send("PATCH", Self.scalePath, Self.scale(3), contentType: "application/apply-patch+yaml")
        #expect(missingManager.status == 422)
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 1)
    }

    @Test func aScaleOfZeroReplicasOmitsThemAsGoDoes() {
        var harness = Harness()
        ServerSideApplyTests.apply(&harness, Harness.deployment("web", replicas: 0), manager: "hms-controller")
        let scale = harness.get(Self.scalePath)
        #expect(scale["spec"] == [:])
        #expect(scale[path: ["status", "replicas"]] == 0)
        // An applier that stops applying replicas leaves an int32 that reads as 0.
        Self.applyScale(&harness, Self.scale(3), manager: "m", force: true)
        let dropped = Self.applyScale(&harness, ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": ["name": "web"]], manager: "m")
        #expect(dropped.status == 200)
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 0)
    }

    @Test func aCustomResourceScaleCannotBeAppliedAndRecordsNoOwnership() {
        var harness = CustomResourceApplyTests.harnessWithWidgets()
        var crd = harness.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.ops.hms.gov")
        crd[path: ["spec", "versions"]] = [[
            "name": "v1", "served": true, "storage": true,
            "subresources": ["scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"]],
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object", "properties": ["replicas": ["type": "integer"]]]]]],
        ]]
        #expect(harness.send("PUT", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.ops.hms.gov", crd).status == 200)
        let path = CustomResourceApplyTests.path
        #expect(ServerSideApplyTests.apply(&harness, CustomResourceApplyTests.widget(["replicas": 1]), manager: "owner", path: path).status == 201)
        let applied = ServerSideApplyTests.apply(&harness, Self.scale(2), manager: "m", path: path + "/scale")
        #expect(applied.status == 500)
        #expect(applied.json["message"]
            == "failed to create typed patch object (default/web; autoscaling/v1, Kind=Scale): no corresponding type for autoscaling/v1, Kind=Scale")
        let scaled = harness.send("PATCH", path + "/scale?fieldManager=scaler", ["spec": ["replicas": 2]], contentType: "application/merge-patch+json")
        #expect(scaled.status == 200)
        #expect(harness.get(path)[path: ["spec", "replicas"]] == 2)
        #expect(ServerSideApplyTests.managers(harness.get(path)).keys.sorted() == ["owner/Apply"])
    }
}
