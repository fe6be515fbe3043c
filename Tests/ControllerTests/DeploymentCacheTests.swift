import Controller
import JSON
import Kube
import Planner
import Testing

/// The Deployments informer keeps each version as the plan reads it: our apply entry's fields
/// decoded when the version arrives, so that no pass decodes them again.
@Suite(.tags(.unit)) struct DeploymentCacheTests {
    let ref = ObjectRef(kind: .deployment, namespace: "aid", name: "web")

    func deployment(version: String, applied: JSONValue) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": [
                "name": "web", "namespace": "aid", "resourceVersion": .string(version),
                "labels": .object([Rendering.managedByKey: .string(Rendering.managedByValue)]),
                "managedFields": [
                    ["manager": "kube-controller-manager", "operation": "Update", "fieldsV1": ["f:status": ["f:replicas": [:]]]],
                    ["manager": "hms-controller", "operation": "Apply", "fieldsV1": applied],
                ],
            ],
            "spec": ["replicas": 2],
        ]
    }

    @Test func eachVersionIsReadWithOurApplyEntryDecoded() {
        let cache = ClusterCache()
        cache.wrote(.deployments, deployment(version: "7", applied: ["f:spec": ["f:replicas": [:]]]))
        #expect(cache.deployments[ref]?.appliedFields == [[.field("spec"), .field("replicas")]])
        // A newer version is decoded anew; an older one (a late event) changes nothing.
        cache.wrote(.deployments, deployment(version: "9", applied: ["f:metadata": ["f:labels": ["f:app": [:]]], "f:spec": ["f:replicas": [:]]]))
        cache.wrote(.deployments, deployment(version: "8", applied: [:]))
        #expect(cache.deployments[ref]?.appliedFields == [[.field("metadata"), .field("labels"), .field("app")], [.field("spec"), .field("replicas")]])
        // What a pass observes is the cached value, decoded set included.
        let observed = cache.observed(for: DesiredState(), managedEverywhere: true)
        #expect(observed.deployments[ref]?.appliedFields == cache.deployments[ref]?.appliedFields)
    }
}
