import Foundation
import JSON
import Testing
@testable import MockCluster

@Suite(.tags(.unit)) struct DiscoveryTests {
    @Test func aggregatedDiscoveryEchoesItsContentTypeAndListsGroups() {
        var harness = Harness()
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        let apis = harness.send("GET", "/apis", accept: accept)
        #expect(apis.response.contentType == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        let groups = (apis.json["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
        #expect(groups == ["apps", "batch", "coordination.k8s.io", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "admissionregistration.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "metrics.k8s.io", "custom.metrics.k8s.io"])
        let deployments = apis.json["items"]?.arrayValue?.first?[path: ["versions"]]?.arrayValue?.first?["resources"]?.arrayValue?.first
        #expect(deployments?["scope"] == "Namespaced")
        #expect(deployments?["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        #expect(deployments?["subresources"]?.arrayValue?.compactMap { $0["subresource"]?.stringValue } == ["status", "scale"])
    }

    @Test func legacyDiscoveryListsSubresources() {
        var harness = Harness()
        #expect(harness.get("/api") == ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]])
        let names = (harness.get("/apis/apps/v1")["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == ["deployments", "deployments/status", "deployments/scale"])
    }

    @Test func customResourceDefinitionsAddTheirGroupAndOpenAPIDocument() {
        var harness = Harness()
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "servicespecs.ops.hms.gov"],
            "spec": [
                "group": "ops.hms.gov", "scope": "Namespaced",
                "names": ["kind": "ServiceSpec", "plural": "servicespecs", "singular": "servicespec", "shortNames": ["svcspec"]],
                "versions": [["name": "v1alpha1", "served": true, "storage": true, "subresources": ["status": [:]],
                              "additionalPrinterColumns": [["name": "Image", "type": "string", "jsonPath": ".spec.image"]]]],
            ],
        ]
        #expect(harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201)
        let index = harness.get("/openapi/v3")["paths"]?["apis/ops.hms.gov/v1alpha1"]?["serverRelativeURL"]?.stringValue ?? ""
        #expect(index.hasPrefix("/openapi/v3/apis/ops.hms.gov/v1alpha1?hash="))
        let document = harness.get(index)
        let patch = document["paths"]?["/apis/ops.hms.gov/v1alpha1/namespaces/{namespace}/servicespecs/{name}"]?["patch"]
        #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "ops.hms.gov", "version": "v1alpha1", "kind": "ServiceSpec"])
        #expect(patch?["parameters"]?.arrayValue?.first?["name"] == "fieldValidation")

        let spec: JSONValue = ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec", "metadata": ["name": "api"], "spec": ["image": "registry.gov/api:1"]]
        #expect(harness.send("POST", "/apis/ops.hms.gov/v1alpha1/namespaces/default/servicespecs", spec).status == 201)
        let table = harness.send("GET", "/apis/ops.hms.gov/v1alpha1/namespaces/default/servicespecs", accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Image", "Age"])
        #expect(table["rows"]?.arrayValue?.first?["cells"] == ["api", "registry.gov/api:1", "0s"])

        // Deleting the definition deletes its resources, and the group leaves discovery.
        #expect(harness.send("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicespecs.ops.hms.gov").status == 200)
        #expect(harness.send("GET", "/apis/ops.hms.gov/v1alpha1/namespaces/default/servicespecs").status == 404)
    }
}

@Suite(.tags(.unit)) struct VerbTests {
    @Test func createGetAndNotFoundStatus() {
        var harness = Harness()
        let created = harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        #expect(created.status == 201)
        #expect(created.json[path: ["metadata", "generation"]] == 1)
        #expect(created.json[path: ["metadata", "uid"]]?.stringValue?.count == 36)
        #expect(harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2)).json["reason"] == "AlreadyExists")
        let missing = harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
        #expect(missing.status == 404)
        #expect(missing.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "code": 404, "reason": "NotFound",
            "message": "deployments.apps \"nope\" not found", "details": ["name": "nope", "group": "apps", "kind": "deployments"],
        ])
    }

    @Test func aCreateDropsTheStatusTheClientSent() {
        var harness = Harness()
        var deployment = Harness.deployment("web", replicas: 2)
        deployment["status"] = ["replicas": 9, "readyReplicas": 9]
        let created = harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment)
        #expect(created.status == 201)
        #expect(created.json["status"] == ["observedGeneration": 0, "replicas": 0])
        // A ConfigMap has no status: the field is unknown, dropped with a warning.
        let map: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "status": "kept"]
        let stored = harness.send("POST", "/api/v1/namespaces/default/configmaps", map)
        #expect(stored.json["status"] == nil)
        #expect(stored.response.warnings == [#"unknown field "status""#])
    }

    @Test func writesToAMissingNamespaceAreRefused() {
        var harness = Harness()
        let result = harness.send("POST", "/apis/apps/v1/namespaces/nowhere/deployments", Harness.deployment("web", replicas: 1))
        #expect(result.status == 404)
        #expect(result.json["message"] == "namespaces \"nowhere\" not found")
    }

    @Test func invalidDeploymentsAreRejectedWithTheField() {
        var harness = Harness()
        var deployment = Harness.deployment("web", replicas: 1)
        deployment[path: ["spec", "template", "metadata", "labels"]] = ["app": "other"]
        let result = harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment)
        #expect(result.status == 422)
        #expect(result.json["message"] == "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`")
        #expect(result.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.template.metadata.labels")
    }

    @Test func updateWithAStaleResourceVersionConflicts() {
        var harness = Harness()
        let lease: JSONValue = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "hms-controller"], "spec": ["holderIdentity": "a"]]
        let created = harness.send("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", lease).json
        var renewed = created
        renewed[path: ["spec", "holderIdentity"]] = "b"
        let first = harness.send("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/hms-controller", renewed)
        #expect(first.status == 200)
        #expect(first.json[path: ["metadata", "generation"]] == 2)
        // The same body again carries the old resourceVersion: someone else won the race.
        let second = harness.send("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/hms-controller", renewed)
        #expect(second.status == 409)
        #expect(second.json["reason"] == "Conflict")
    }

    @Test func generationCountsSpecChangesNotMetadata() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 1))
        let labelled = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", ["metadata": ["labels": ["tier": "web"]]],
                                    contentType: "application/merge-patch+json").json
        #expect(labelled[path: ["metadata", "generation"]] == 1)
        let scaled = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", ["spec": ["replicas": 3]],
                                  contentType: "application/merge-patch+json").json
        #expect(scaled[path: ["metadata", "generation"]] == 2)
    }

    @Test func unchangedWritesKeepTheResourceVersion() {
        var harness = Harness()
        let created = harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"], "data": ["a": "1"]]).json
        let same = harness.send("PATCH", "/api/v1/namespaces/default/configmaps/c", ["data": ["a": "1"]], contentType: "application/merge-patch+json").json
        #expect(same[path: ["metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])
    }

    @Test func scaleSubresourceReadsAndWritesReplicas() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        let scale = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", ["spec": ["replicas": 5]],
                                 contentType: "application/merge-patch+json").json
        #expect(scale["kind"] == "Scale")
        #expect(scale[path: ["spec", "replicas"]] == 5)
        #expect(scale[path: ["status", "selector"]] == "app=web")
        #expect(harness.get("/apis/apps/v1/namespaces/default/deployments/web")[path: ["spec", "replicas"]] == 5)
        var stale = scale
        stale[path: ["metadata", "resourceVersion"]] = "1"
        #expect(harness.send("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", stale, contentType: "").status == 409)
    }

    @Test func strategicMergeMergesContainersByName() {
        var harness = Harness()
        var deployment = Harness.deployment("web", replicas: 1)
        deployment[path: ["spec", "template", "spec", "containers"]] = [
            ["name": "web", "image": "registry.gov/web:1.0", "ports": [["containerPort": 8080]]], ["name": "sidecar", "image": "registry.gov/proxy:1"],
        ]
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment)
        let patch: JSONValue = ["spec": ["template": ["spec": [
            "$setElementOrder/containers": [["name": "web"], ["name": "sidecar"]],
            "containers": [["name": "web", "image": "registry.gov/web:2.0"], ["name": "sidecar", "$patch": "delete"]],
        ]]]]
        let patched = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", patch,
                                   contentType: "application/strategic-merge-patch+json").json
        let containers = patched[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        #expect(containers.map { $0["image"] } == ["registry.gov/web:2.0"])
        #expect(containers.first?["ports"] == [["containerPort": 8080, "protocol": "TCP"]])
    }

    @Test func jsonPatchAndItsFailures() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 1))
        let patched = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                                   [["op": "replace", "path": "/spec/replicas", "value": 4]], contentType: "application/json-patch+json")
        #expect(patched.json[path: ["spec", "replicas"]] == 4)
        let failed = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                                  [["op": "test", "path": "/spec/replicas", "value": 9]], contentType: "application/json-patch+json")
        #expect(failed.status == 422)
    }

    @Test func serverSideApplyCreatesUpdatesAndNeedsAFieldManager() {
        var harness = Harness()
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        let noManager = harness.send("PATCH", path, Harness.deployment("web", replicas: 1), contentType: "application/apply-patch+yaml")
        #expect(noManager.status == 422)
        let created = harness.send("PATCH", path + "?fieldManager=kubectl&force=false", Harness.deployment("web", replicas: 1),
                                   contentType: "application/apply-patch+yaml")
        #expect(created.status == 201)
        #expect(created.json[path: ["metadata", "managedFields"]]?.arrayValue?.first?["manager"] == "kubectl")
        // YAML, with what the first apply set (an apply that leaves fields out removes them).
        let yaml = Array("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, labels: {app: web}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: "registry.gov/web:1.0", ports: [{containerPort: 8080}]}

            """.utf8)
        let request = APIRequest(method: "PATCH", target: path + "?fieldManager=kubectl", headers: ["content-type": "application/apply-patch+yaml"], body: yaml)
        let updated = harness.cluster.handle(request, now: harness.now)
        #expect(updated.status == 200)
        #expect(harness.get(path)[path: ["spec", "replicas"]] == 3)
    }

    @Test func dryRunStoresNothing() {
        var harness = Harness()
        let version = harness.cluster.resourceVersion
        let result = harness.send("POST", "/apis/apps/v1/namespaces/default/deployments?dryRun=All", Harness.deployment("web", replicas: 1))
        #expect(result.status == 201)
        #expect(result.json[path: ["metadata", "name"]] == "web")
        #expect(harness.cluster.resourceVersion == version)
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/web").status == 404)
    }

    @Test func customResourcesRefuseStrategicMergePatch() {
        var harness = Harness()
        let crd: JSONValue = [
            "metadata": ["name": "budgets.ops.hms.gov"],
            "spec": ["group": "ops.hms.gov", "scope": "Namespaced", "names": ["kind": "Budget", "plural": "budgets"],
                     "versions": [["name": "v1alpha1", "served": true, "storage": true]]],
        ]
        harness.send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        harness.send("POST", "/apis/ops.hms.gov/v1alpha1/namespaces/default/budgets", ["metadata": ["name": "b"], "spec": ["monthlyLimitUSD": 10]])
        let result = harness.send("PATCH", "/apis/ops.hms.gov/v1alpha1/namespaces/default/budgets/b", ["spec": ["monthlyLimitUSD": 20]],
                                  contentType: "application/strategic-merge-patch+json")
        #expect(result.status == 415)
    }

    @Test func listFiltersByLabelsAndFieldsAndPages() {
        var harness = Harness()
        for (name, tier) in [("a", "web"), ("b", "db"), ("c", "web"), ("d", "web")] {
            harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": .string(name), "labels": ["tier": .string(tier)]]])
        }
        func names(_ list: JSONValue) -> [String] { (list["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue } }
        #expect(names(harness.get("/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dweb")) == ["a", "c", "d"])
        #expect(names(harness.get("/api/v1/namespaces/default/configmaps?labelSelector=tier+notin+(web)")) == ["b"])
        #expect(names(harness.get("/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name!%3Da")) == ["b", "c", "d"])
        let first = harness.get("/api/v1/namespaces/default/configmaps?limit=3")
        #expect(names(first) == ["a", "b", "c"])
        let token = first[path: ["metadata", "continue"]]?.stringValue ?? ""
        #expect(names(harness.get("/api/v1/namespaces/default/configmaps?limit=3&continue=\(token)")) == ["d"])
        #expect(harness.get("/api/v1/configmaps")["kind"] == "ConfigMapList")
    }

    @Test func tablesCarryTheirRowsObjects() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        harness.wait(1)
        let table = harness.send("GET", "/apis/apps/v1/namespaces/default/deployments",
                                 accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").json
        #expect(table["kind"] == "Table")
        #expect(table["columnDefinitions"]?.arrayValue?.map { $0["name"] } == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        let row = table["rows"]?.arrayValue?.first
        #expect(row?["cells"] == ["web", "2/2", 2, 2, "1s", "web", "registry.gov/web:1.0", "app=web"])
        #expect(row?[path: ["object", "kind"]] == "PartialObjectMetadata")
        #expect(row?[path: ["object", "metadata", "labels"]] == ["app": "web"])
        let full = harness.send("GET", "/apis/apps/v1/namespaces/default/deployments?includeObject=Object", accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
        #expect(full["rows"]?.arrayValue?.first?[path: ["object", "kind"]] == "Deployment")
    }

    @Test func deletingANamespaceDeletesWhatIsInIt() {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces", ["metadata": ["name": "power"]])
        harness.send("POST", "/api/v1/namespaces/power/configmaps", ["metadata": ["name": "c"]])
        #expect(harness.send("DELETE", "/api/v1/namespaces/power").status == 200)
        harness.wait(0.1)  // the namespace controller's step
        #expect(harness.send("GET", "/api/v1/namespaces/power/configmaps/c").status == 404)
    }
}

@Suite(.tags(.unit)) struct SelectorTests {
    @Test(arguments: [
        ("app=web", ["app": "web"], true),
        ("app==web,tier!=db", ["app": "web", "tier": "db"], false),
        ("app in (web, api),!canary", ["app": "api"], true),
        ("app in (web, api),!canary", ["app": "api", "canary": "1"], false),
        ("tier notin (db)", [:], true),
        ("tier", [:], false),
    ] as [(String, [String: JSONValue], Bool)])
    func labelSelectorsMatchAsTheApiserverDoes(selector: String, labels: [String: JSONValue], matches: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(labels) == matches)
    }

    @Test func requestTargetsSplitIntoPathAndDecodedQuery() {
        let request = APIRequest(method: "GET", target: "/api/v1//pods?labelSelector=app%3Dweb%2Ctier&watch&limit=5&x=a=b")
        #expect(request.path == "/api/v1//pods")
        #expect(request.query == ["labelSelector": "app=web,tier", "watch": "", "limit": "5", "x": "a=b"])
        #expect("/a//b/".split(byte: UInt8(ascii: "/")) == ["a", "b"])
        #expect("a?".split(byte: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false) == ["a", ""])
        #expect("日本/ü".split(byte: UInt8(ascii: "/")) == ["日本", "ü"])
    }

    @Test func aMalformedSelectorIsABadRequest() {
        #expect(throws: APIError.self) { try LabelSelector(parsing: "app in web") }
    }
}
