import Foundation
import JSON
import Testing
@testable import MockCluster

/// Server-side apply and field ownership, checked against what kube-apiserver answers.
@Suite(.tags(.unit)) struct ServerSideApplyTests {
    static let web = "/apis/apps/v1/namespaces/default/deployments/web"

    static func apply(_ harness: inout Harness, _ body: JSONValue, manager: String, force: Bool = false, path: String = web)
        -> (status: Int, json: JSONValue, response: APIResponse)
    {
        harness.send("PATCH", path + "?fieldManager=\(manager)" + (force ? "&force=true" : ""), body, contentType: "application/apply-patch+yaml")
    }

    static func managers(_ object: JSONValue) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for entry in object[path: ["metadata", "managedFields"]]?.arrayValue ?? [] {
            let name = (entry["manager"]?.stringValue ?? "") + "/" + (entry["operation"]?.stringValue ?? "")
                + (entry["subresource"]?.stringValue.map { "/" + $0 } ?? "")
            result[name] = entry["fieldsV1"]
        }
        return result
    }

    @Test func applyRecordsTheFieldsItSetsInFieldsV1() throws {
        var harness = Harness()
        let created = Self.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        #expect(created.status == 201)
        let entry = try #require(created.json[path: ["metadata", "managedFields"]]?.arrayValue?.first)
        #expect(entry["manager"] == "hms-controller")
        #expect(entry["operation"] == "Apply")
        #expect(entry["apiVersion"] == "apps/v1")
        #expect(entry["fieldsType"] == "FieldsV1")
        #expect(entry["time"] == "2027-01-15T08:00:00Z")
        let container: JSONValue = [
            ".": [:], "f:image": [:], "f:name": [:],
            "f:ports": [#"k:{"containerPort":8080,"protocol":"TCP"}"#: [".": [:], "f:containerPort": [:]]],
        ]
        #expect(entry["fieldsV1"] == [
            "f:metadata": ["f:labels": ["f:app": [:]]],
            "f:spec": [
                "f:replicas": [:], "f:selector": [:],
                "f:template": [
                    "f:metadata": ["f:labels": ["f:app": [:]]],
                    "f:spec": ["f:containers": [#"k:{"name":"web"}"#: container]],
                ],
            ],
        ])
    }

    @Test func applyingAnotherManagersFieldIsAConflictAsTheAPIServerReportsIt() {
        var harness = Harness()
        Self.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        let refused = Self.apply(&harness, Harness.deployment("web", replicas: 5), manager: "kubectl")
        #expect(refused.status == 409)
        #expect(refused.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"Apply failed with 1 conflict: conflict with "hms-controller": .spec.replicas"#,
            "reason": "Conflict", "code": 409,
            "details": ["causes": [["type": "FieldManagerConflict", "message": #"conflict with "hms-controller""#, "field": ".spec.replicas"]]],
        ])
        #expect(harness.get(Self.web)[path: ["spec", "replicas"]] == 2)
    }

    @Test func applyingTheSameValueSharesTheFieldAndForceTakesItOver() {
        var harness = Harness()
        Self.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        #expect(Self.apply(&harness, Harness.deployment("web", replicas: 2), manager: "kubectl").status == 200)
        var shared = Self.managers(harness.get(Self.web))
        #expect(shared["kubectl/Apply"]?[path: ["f:spec", "f:replicas"]] == [:])
        #expect(shared["hms-controller/Apply"]?[path: ["f:spec", "f:replicas"]] == [:])

        let forced = Self.apply(&harness, Harness.deployment("web", replicas: 7), manager: "kubectl", force: true)
        #expect(forced.status == 200)
        #expect(forced.json[path: ["spec", "replicas"]] == 7)
        shared = Self.managers(forced.json)
        #expect(shared["kubectl/Apply"]?[path: ["f:spec", "f:replicas"]] == [:])
        #expect(shared["hms-controller/Apply"]?[path: ["f:spec", "f:replicas"]] == nil)
        #expect(shared["hms-controller/Apply"]?[path: ["f:spec", "f:template"]] != nil)
    }

    @Test func fieldsNoLongerAppliedAreRemovedUnlessAnotherManagerOwnsThem() {
        var harness = Harness()
        var first = Harness.deployment("web", replicas: 2)
        first[path: ["metadata", "annotations"]] = ["team": "payments", "tier": "gold"]
        first[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "web:1", "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]]]]
        Self.apply(&harness, first, manager: "hms-controller")
        var tier = Harness.deployment("web", replicas: 2)
        tier[path: ["metadata", "annotations"]] = ["tier": "gold"]
        tier[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "web:1"]]
        #expect(Self.apply(&harness, tier, manager: "other").status == 200)

        var second = Harness.deployment("web", replicas: 2)
        second[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "web:1", "env": [["name": "B", "value": "2"]]]]
        let result = Self.apply(&harness, second, manager: "hms-controller").json
        #expect(result[path: ["metadata", "annotations"]] == ["tier": "gold"])
        #expect(result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["env"] == [["name": "B", "value": "2"]])
    }

    @Test func listsOfContainersMergeByNameAcrossManagers() {
        var harness = Harness()
        Self.apply(&harness, Harness.deployment("web", replicas: 1), manager: "hms-controller")
        let sidecar: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
            "spec": ["template": ["spec": ["containers": [["name": "proxy", "image": "envoy:1"]]]]],
        ]
        let merged = Self.apply(&harness, sidecar, manager: "mesh")
        #expect(merged.status == 200)
        let names = merged.json[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["web", "proxy"])
        let mesh = Self.managers(merged.json)["mesh/Apply"]
        #expect(mesh?[path: ["f:spec", "f:template", "f:spec", "f:containers"]] == [#"k:{"name":"proxy"}"#: [".": [:], "f:image": [:], "f:name": [:]]])
        #expect(merged.json[path: ["spec", "replicas"]] == 1)
    }

    @Test func strategicMergeAndApplyMergeServicePortsByTheSameKeys() {
        var harness = Harness()
        let path = "/api/v1/namespaces/default/services/web"
        let service: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
            "spec": ["selector": ["app": "web"], "ports": [["name": "http", "port": 80, "targetPort": 8080], ["name": "https", "port": 443, "targetPort": 8443]]],
        ]
        #expect(Self.apply(&harness, service, manager: "hms-controller", path: path).status == 201)
        let patched = harness.send("PATCH", path, ["spec": ["ports": [["port": 443, "targetPort": 9443]]]], contentType: "application/strategic-merge-patch+json")
        #expect(patched.json[path: ["spec", "ports"]]?.arrayValue?.compactMap { $0["targetPort"]?.intValue } == [8080, 9443])
        let ports = Self.managers(patched.json)["hms-controller/Apply"]?[path: ["f:spec", "f:ports"]]?.objectValue?.keys.sorted()
        #expect(ports == [#"k:{"port":443,"protocol":"TCP"}"#, #"k:{"port":80,"protocol":"TCP"}"#])
    }

    @Test func updatesRecordTheirManagerAndTakeTheFieldsTheyChange() {
        var harness = Harness()
        Self.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        let edited = harness.send("PATCH", Self.web + "?fieldManager=kubectl-edit", ["spec": ["replicas": 4]], contentType: "application/merge-patch+json")
        let managers = Self.managers(edited.json)
        #expect(managers["kubectl-edit/Update"] == ["f:spec": ["f:replicas": [:]]])
        #expect(managers["hms-controller/Apply"]?[path: ["f:spec", "f:replicas"]] == nil)
        let entry = edited.json[path: ["metadata", "managedFields"]]?.arrayValue?.last
        #expect(entry?["apiVersion"] == "apps/v1")
        #expect(entry?["time"] != nil)

        // Without a fieldManager, the manager is the User-Agent's product ("tests/1.0").
        var body = harness.get(Self.web)
        body[path: ["metadata", "labels", "owner"]] = "ops"
        let put = harness.send("PUT", Self.web, body)
        #expect(Self.managers(put.json)["tests/Update"] == ["f:metadata": ["f:labels": ["f:owner": [:]]]])
        let refused = Self.apply(&harness, Harness.deployment("web", replicas: 2), manager: "hms-controller")
        #expect(refused.json["message"] == #"Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas"#)
    }

    @Test func createRecordsAnUpdateOwningEverythingItSent() {
        var harness = Harness()
        let created = harness.send("POST", "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create",
                                   ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "labels": ["a": "b"]], "data": ["k": "v"]])
        #expect(Self.managers(created.json) == ["kubectl-create/Update": ["f:data": [".": [:], "f:k": [:]], "f:metadata": ["f:labels": [".": [:], "f:a": [:]]]]])
    }

    @Test func statusWritesRecordTheirOwnEntry() {
        var harness = Harness()
        Self.apply(&harness, Harness.deployment("web", replicas: 1), manager: "hms-controller")
        var body = harness.get(Self.web)
        body["status"] = ["observedGeneration": 9]
        let written = harness.send("PUT", Self.web + "/status?fieldManager=rollout-watcher", body)
        #expect(written.status == 200)
        #expect(Self.managers(written.json)["rollout-watcher/Update/status"]?[path: ["f:status", "f:observedGeneration"]] == [:])

        let scaled = harness.send("PATCH", Self.web + "/scale?fieldManager=kubectl-scale", ["spec": ["replicas": 3]], contentType: "application/merge-patch+json")
        #expect(scaled.status == 200)
        let refused = Self.apply(&harness, Harness.deployment("web", replicas: 1), manager: "hms-controller")
        #expect(refused.json["message"] == #"Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas"#)
    }

    @Test func anApplyMustNameItsVersionAndCarryNoManagedFields() {
        var harness = Harness()
        let unversioned = Self.apply(&harness, ["metadata": ["name": "web"]], manager: "m")
        #expect(unversioned.json["message"] == "Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1")
        var managed = Harness.deployment("web", replicas: 1)
        managed[path: ["metadata", "managedFields"]] = []
        #expect(Self.apply(&harness, managed, manager: "m").json["message"] == "metadata.managedFields must be nil")
        let missing = harness.send("PATCH", Self.web, Harness.deployment("web", replicas: 1), contentType: "application/apply-patch+yaml")
        #expect(missing.json["message"] == #"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#)
        let forced = harness.send("PATCH", Self.web + "?force=true", ["spec": ["replicas": 2]], contentType: "application/merge-patch+json")
        #expect(forced.status == 422)
        #expect(forced.json["message"] == #"PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch"#)
        #expect(forced.json["details"] == [
            "group": "meta.k8s.io", "kind": "PatchOptions",
            "causes": [["reason": "FieldValueForbidden", "message": "Forbidden: may not be specified for non-apply patch", "field": "force"]],
        ])
        let long = harness.send("POST", "/api/v1/namespaces/default/configmaps?fieldManager=" + String(repeating: "m", count: 129),
                                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]])
        #expect(long.json["message"] == #"CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes"#)
    }

    @Test func kubectlServerSideApplyTakesOverFromItsClientSideApply() {
        var harness = Harness()
        var applied = Harness.deployment("web", replicas: 2)
        applied[path: ["metadata", "annotations"]] = .object([MockCluster.lastAppliedAnnotation: .string(Harness.deployment("web", replicas: 2).jsonText)])
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-client-side-apply", applied)
        let upgraded = Self.apply(&harness, Harness.deployment("web", replicas: 3), manager: "kubectl")
        #expect(upgraded.status == 200)
        #expect(upgraded.json[path: ["spec", "replicas"]] == 3)
        let annotation = upgraded.json[path: ["metadata", "annotations", MockCluster.lastAppliedAnnotation]]?.stringValue ?? ""
        #expect(annotation == Harness.deployment("web", replicas: 3).jsonText + "\n")
        // Another manager gets no such pass.
        #expect(Self.apply(&harness, Harness.deployment("web", replicas: 4), manager: "someone").status == 409)
    }
}

/// Custom resources merge as their CRD's schema declares: list maps by their keys, sets by value,
/// everything else atomic.
@Suite(.tags(.unit)) struct CustomResourceApplyTests {
    static let path = "/apis/ops.hms.gov/v1/namespaces/default/widgets/w"

    static func harnessWithWidgets() -> Harness {
        var harness = Harness()
        let spec: JSONValue = [
            "type": "object",
            "properties": [
                "routes": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["host", "port"],
                           "items": ["type": "object", "properties": ["host": ["type": "string"], "port": ["type": "integer", "default": 80], "to": ["type": "string"]]]],
                "tags": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]],
                "args": ["type": "array", "items": ["type": "string"]],
                "selector": ["type": "object", "x-kubernetes-map-type": "atomic", "additionalProperties": ["type": "string"]],
            ],
        ]
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.ops.hms.gov"],
            "spec": [
                "group": "ops.hms.gov", "scope": "Namespaced",
                "names": ["kind": "Widget", "plural": "widgets", "singular": "widget"],
                "versions": [["name": "v1", "served": true, "storage": true,
                              "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": spec]]]]],
            ],
        ]
        harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        return harness
    }

    static func widget(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "ops.hms.gov/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": spec]
    }

    @Test func listMapsMergeByKeysSetsByValueAndOtherListsAreAtomic() {
        var harness = Self.harnessWithWidgets()
        let first = Self.widget([
            "routes": [["host": "a", "to": "x"]], "tags": ["blue", "green"], "args": ["--one"], "selector": ["app": "a", "tier": "1"],
        ])
        #expect(ServerSideApplyTests.apply(&harness, first, manager: "one", path: Self.path).status == 201)
        let second = Self.widget([
            "routes": [["host": "b", "port": 81, "to": "y"]], "tags": ["red", "blue"], "args": ["--one"], "selector": ["app": "a", "tier": "1"],
        ])
        let merged = ServerSideApplyTests.apply(&harness, second, manager: "two", path: Self.path)
        #expect(merged.status == 200)
        // Route a's port is the schema's default (80), which the apiserver stores with it.
        #expect(merged.json[path: ["spec", "routes"]] == [["host": "a", "port": 80, "to": "x"], ["host": "b", "port": 81, "to": "y"]])
        #expect(merged.json[path: ["spec", "tags"]] == ["red", "blue", "green"])
        let two = ServerSideApplyTests.managers(merged.json)["two/Apply"]
        #expect(two == [
            "f:spec": [
                "f:routes": [#"k:{"host":"b","port":81}"#: [".": [:], "f:host": [:], "f:port": [:], "f:to": [:]]],
                "f:tags": [#"v:"blue""#: [:], #"v:"red""#: [:]],
                "f:args": [:], "f:selector": [:],
            ],
        ])
        // An atomic list or map is one field: a different value conflicts as a whole.
        let atomic = ServerSideApplyTests.apply(&harness, Self.widget(["args": ["--two"], "selector": ["app": "b"]]), manager: "three", path: Self.path)
        #expect(atomic.status == 409)
        #expect(atomic.json["message"] == "Apply failed with 4 conflicts: conflicts with \"one\":\n- .spec.args\n- .spec.selector\nconflicts with \"two\":\n- .spec.args\n- .spec.selector")
        // A route whose key the schema defaults (port 80) is the same element as one without it.
        let keyed = ServerSideApplyTests.apply(&harness, Self.widget(["routes": [["host": "a", "port": 80, "to": "z"]]]), manager: "one", path: Self.path)
        #expect(keyed.json[path: ["spec", "routes"]]?.arrayValue?.count == 2)
    }
}

@Suite(.tags(.unit)) struct MalformedApplyTests {
    @Test func aListElementWithoutItsKeyOrTwiceTheSameKeyIsAPlainServerError() {
        var harness = Harness()
        var unnamed = Harness.deployment("web", replicas: 1)
        unnamed[path: ["spec", "template", "spec", "containers"]] = [["image": "web:1"]]
        let missing = ServerSideApplyTests.apply(&harness, unnamed, manager: "m")
        #expect(missing.status == 500)
        #expect(missing.json["reason"] == nil)
        #expect(missing.json["message"] == #"failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn't have default value)"#)
        var twice = Harness.deployment("web", replicas: 1)
        twice[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "web:1", "env": [["name": "X"], ["name": "X", "value": "1"]]]]
        let duplicate = ServerSideApplyTests.apply(&harness, twice, manager: "m")
        #expect(duplicate.json["message"] == #"failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="a"].env: duplicate entries for key [name="X"]"#)
    }
}
