import HTTP
import Kube
import Model
import Testing

/// Requests are values: these check method, path, query, headers and body without a network.
@Suite(.tags(.unit)) struct RequestTests {
    @Test func pathsForCoreGroupNamespacedAndClusterScopedResources() {
        #expect(ResourceType.pods.path(namespace: "default", name: "web-1") == "/api/v1/namespaces/default/pods/web-1")
        #expect(ResourceType.deployments.path(namespace: "prod") == "/apis/apps/v1/namespaces/prod/deployments")
        #expect(ResourceType.deployments.path(namespace: nil) == "/apis/apps/v1/deployments")
        #expect(ResourceType.nodes.path(namespace: "ignored", name: "n1") == "/api/v1/nodes/n1")
        #expect(ResourceType.customResourceDefinitions.path(namespace: nil, name: "servicespecs.ops.hms.gov") == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicespecs.ops.hms.gov")
        #expect(ResourceType.of(ServiceSpec.self).path(namespace: "gov", name: "api", subresource: "status") == "/apis/ops.hms.gov/v1alpha1/namespaces/gov/servicespecs/api/status")
        #expect(ResourceType.deployments.description == "deployments.apps")
        #expect(ResourceType.pods.apiVersion == "v1")
    }

    @Test func get() {
        let request = KubeRequest.get(.deployments, namespace: "default", name: "web")
        #expect(request.description == "GET /apis/apps/v1/namespaces/default/deployments/web")
        #expect(request.headers == ["Accept": "application/json"])
        #expect(request.body == nil)
        #expect(request.isIdempotent)
    }

    @Test func listWithSelectorsIsPercentEncoded() {
        let request = KubeRequest.list(.pods, namespace: "default", options: ListOptions(
            labelSelector: "app=web,tier in (front, back),!canary", fieldSelector: "status.phase!=Running", limit: 500, continueToken: "abc=", resourceVersion: "0"
        ))
        #expect(request.target == "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28front%2C%20back%29%2C%21canary&fieldSelector=status.phase%21%3DRunning&limit=500&continue=abc%3D&resourceVersion=0")
        #expect(request.method == .get)
    }

    @Test func createIsAPostWithJSONAndIsNotIdempotent() {
        let request = KubeRequest.create(.configMaps, namespace: "ns", body: Array("{}".utf8), options: WriteOptions(fieldManager: "hms-controller", dryRun: true, fieldValidation: "Strict"))
        #expect(request.description == "POST /api/v1/namespaces/ns/configmaps?dryRun=All&fieldManager=hms-controller&fieldValidation=Strict")
        #expect(request.headers == ["Accept": "application/json", "Content-Type": "application/json"])
        #expect(request.bodyText == "{}")
        #expect(!request.isIdempotent)
        // A named create whose caller takes 409 as done cannot make a second object on a replay.
        #expect(KubeRequest.create(.events, namespace: "ns", body: Array("{}".utf8), named: true).isIdempotent)
    }

    @Test func updateIsAPutOfTheWholeObject() {
        let request = KubeRequest.update(.leases, namespace: "kube-system", name: "hms-controller", body: Array("{\"metadata\":{\"resourceVersion\":\"7\"}}".utf8))
        #expect(request.description == "PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/hms-controller")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.isIdempotent)
    }

    @Test(arguments: [
        (PatchType.merge, "application/merge-patch+json", "", true),
        (.strategicMerge, "application/strategic-merge-patch+json", "", false),
        (.json, "application/json-patch+json", "", false),
        (.apply(fieldManager: "hms-controller", force: false), "application/apply-patch+yaml", "?fieldManager=hms-controller", true),
        (.apply(fieldManager: "hms-controller", force: true), "application/apply-patch+yaml", "?fieldManager=hms-controller&force=true", true),
    ])
    func patchTypesSetTheirContentTypeAndApplyAndMergeAreIdempotent(type: PatchType, contentType: String, query: String, idempotent: Bool) {
        let request = KubeRequest.patch(.deployments, namespace: "default", name: "web", type: type, body: Array("{}".utf8))
        #expect(request.description == "PATCH /apis/apps/v1/namespaces/default/deployments/web\(query)")
        #expect(request.headers["Content-Type"] == contentType)
        #expect(request.isIdempotent == idempotent)
    }

    @Test func applyTakesItsFieldManagerFromThePatchType() {
        let request = KubeRequest.patch(.deployments, namespace: "d", name: "w", type: .apply(fieldManager: "apply-owner", force: false), body: [], options: WriteOptions(fieldManager: "other", dryRun: true))
        #expect(request.target == "/apis/apps/v1/namespaces/d/deployments/w?dryRun=All&fieldManager=apply-owner")
    }

    @Test func deleteSendsDeleteOptionsOnlyWhenThereAreAny() {
        let plain = KubeRequest.delete(.jobs, namespace: "batch", name: "run-1")
        #expect(plain.description == "DELETE /apis/batch/v1/namespaces/batch/jobs/run-1")
        #expect(plain.body == nil)
        #expect(plain.isIdempotent)
        let withOptions = KubeRequest.delete(.jobs, namespace: "batch", name: "run-1", options: DeleteOptions(
            propagationPolicy: "Background", preconditions: .init(uid: "u-1", resourceVersion: "42"), dryRun: true
        ))
        #expect(withOptions.target == "/apis/batch/v1/namespaces/batch/jobs/run-1?dryRun=All")
        #expect(withOptions.bodyText == "{\"apiVersion\":\"v1\",\"dryRun\":[\"All\"],\"kind\":\"DeleteOptions\",\"preconditions\":{\"resourceVersion\":\"42\",\"uid\":\"u-1\"},\"propagationPolicy\":\"Background\"}")
        #expect(withOptions.headers["Content-Type"] == "application/json")
    }

    @Test func watchAsksForBookmarksFromAVersionWithoutATimeoutOfItsOwn() {
        let request = KubeRequest.watch(.pods, namespace: "default", options: WatchOptions(labelSelector: "app=web", resourceVersion: "1012", timeoutSeconds: 240))
        #expect(request.target == "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=1012&allowWatchBookmarks=true&timeoutSeconds=240")
        #expect(request.timeout == nil)
        let everywhere = KubeRequest.watch(.deployments, namespace: nil, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: nil))
        #expect(everywhere.target == "/apis/apps/v1/deployments?watch=true")
    }

    @Test func scaleIsAMergePatchOfTheScaleSubresourceAndSafeToRepeat() {
        let request = KubeRequest.scale(.deployments, namespace: "default", name: "web", replicas: 6)
        #expect(request.description == "PATCH /apis/apps/v1/namespaces/default/deployments/web/scale")
        #expect(request.headers["Content-Type"] == "application/merge-patch+json")
        #expect(request.bodyText == "{\"spec\":{\"replicas\":6}}")
        #expect(request.isIdempotent)
        #expect(KubeRequest.getScale(.deployments, namespace: "default", name: "web").path == "/apis/apps/v1/namespaces/default/deployments/web/scale")
        #expect(KubeRequest.updateScale(.deployments, namespace: "default", name: "web", body: []).method == .put)
    }

    @Test func statusSubresource() {
        let resource = ResourceType.of(Directive.self)
        #expect(KubeRequest.getStatus(resource, namespace: "ops", name: "power").path == "/apis/ops.hms.gov/v1alpha1/namespaces/ops/directives/power/status")
        let update = KubeRequest.updateStatus(resource, namespace: "ops", name: "power", body: Array("{}".utf8))
        #expect(update.description == "PUT /apis/ops.hms.gov/v1alpha1/namespaces/ops/directives/power/status")
        let patch = KubeRequest.patchStatus(resource, namespace: "ops", name: "power", type: .merge, body: Array("{}".utf8))
        #expect(patch.description == "PATCH /apis/ops.hms.gov/v1alpha1/namespaces/ops/directives/power/status")
        #expect(patch.isIdempotent)
        #expect(!KubeRequest.patchStatus(resource, namespace: "ops", name: "power", type: .json, body: Array("[]".utf8)).isIdempotent)
    }

    @Test func namesAreEncodedAsPathSegments() {
        #expect(ResourceType.configMaps.path(namespace: "a b", name: "x/y") == "/api/v1/namespaces/a%20b/configmaps/x%2Fy")
    }
}
