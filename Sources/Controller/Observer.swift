import JSON
import Kube
import Planner

/// Reads what the cluster holds in the namespaces that matter: Deployments, Services, our pods (with
/// their readiness) where ServiceSpecs live, the Jobs of Directives where Directives live.
/// One list per kind per namespace.
public struct Observer: Sendable {
    public let cluster: ClusterAccess

    public init(cluster: ClusterAccess) { self.cluster = cluster }

    /// With `managedEverywhere`, also our own Deployments and Services (the managed-by label) in
    /// every other namespace: what a prune must find where no ServiceSpec is left.
    public func observe(namespaces: Set<String>, directiveNamespaces: Set<String> = [], managedEverywhere: Bool = false) async throws(KubeError) -> ObservedState {
        var jobs: [JSONValue] = []
        for namespace in directiveNamespaces.sorted() {
            jobs += try await cluster.list(.jobs, namespace: namespace, labelSelector: DirectiveNaming.directiveLabel)
        }
        var deployments: [JSONValue] = []
        var services: [JSONValue] = []
        var pods: [ObservedPod] = []
        for namespace in namespaces.sorted() {
            // The three lists of a namespace at once: one round trip of waiting, not three.
            async let deploymentList = attempt { () async throws(KubeError) in try await cluster.list(.deployments, namespace: namespace) }
            async let serviceList = attempt { () async throws(KubeError) in try await cluster.list(.services, namespace: namespace) }
            async let podList = attempt { () async throws(KubeError) in
                try await cluster.list(.pods, namespace: namespace, labelSelector: Rendering.servicePodSelector)
            }
            deployments += try await deploymentList.get()
            services += try await serviceList.get()
            // Failures are read from each pod's own status (Ready=False since when), not from the
            // count of kubelet's aggregated Unhealthy Events.
            for pod in try await podList.get() {
                guard pod[path: ["status", "phase"]] == "Running" || pod[path: ["status", "phase"]] == "Pending",
                      let facts = ObservedPod(pod)
                else { continue }
                pods.append(facts)
            }
        }
        if managedEverywhere {
            let managed = "\(Rendering.managedByKey)=\(Rendering.managedByValue)"
            func elsewhere(_ object: JSONValue) -> Bool { !namespaces.contains(object[path: ["metadata", "namespace"]]?.stringValue ?? "") }
            deployments += try await cluster.list(.deployments, namespace: nil, labelSelector: managed).filter(elsewhere)
            services += try await cluster.list(.services, namespace: nil, labelSelector: managed).filter(elsewhere)
        }
        return ObservedState(deployments: deployments, services: services, pods: pods, jobs: jobs)
    }
}
