import JSON
import Kube
import Planner

/// Reads what the cluster holds in the namespaces that matter: Deployments, Services, our pods and
/// their failed health checks where ServiceSpecs live, the Jobs of Directives where Directives live.
/// One list per kind per namespace.
public struct Observer: Sendable {
    public let cluster: ClusterAccess

    public init(cluster: ClusterAccess) { self.cluster = cluster }

    public func observe(namespaces: Set<String>, directiveNamespaces: Set<String> = []) async throws(KubeError) -> ObservedState {
        var jobs: [JSONValue] = []
        for namespace in directiveNamespaces.sorted() {
            jobs += try await cluster.list(.jobs, namespace: namespace, labelSelector: DirectiveNaming.directiveLabel)
        }
        var deployments: [JSONValue] = []
        var services: [JSONValue] = []
        var pods: [ObservedPod] = []
        for namespace in namespaces.sorted() {
            // The four lists of a namespace at once: one round trip of waiting, not four.
            async let deploymentList = attempt { () async throws(KubeError) in try await cluster.list(.deployments, namespace: namespace) }
            async let serviceList = attempt { () async throws(KubeError) in try await cluster.list(.services, namespace: namespace) }
            async let unhealthyList = attempt { () async throws(KubeError) in
                try await cluster.list(.events, namespace: namespace, fieldSelector: "reason=Unhealthy")
            }
            async let podList = attempt { () async throws(KubeError) in
                try await cluster.list(.pods, namespace: namespace, labelSelector: Rendering.servicePodSelector)
            }
            deployments += try await deploymentList.get()
            services += try await serviceList.get()
            let unhealthy = try await unhealthyList.get()
            var failures: [String: Int] = [:]
            for event in unhealthy where event[path: ["involvedObject", "kind"]] == "Pod" {
                if let pod = event[path: ["involvedObject", "name"]]?.stringValue {
                    failures[pod, default: 0] += event["count"]?.intValue ?? 1
                }
            }
            for pod in try await podList.get() {
                guard let name = pod[path: ["metadata", "name"]]?.stringValue,
                    let owner = pod[path: ["metadata", "labels", "app"]]?.stringValue,
                    pod[path: ["status", "phase"]] == "Running" || pod[path: ["status", "phase"]] == "Pending"
                else { continue }
                let ready = (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
                // Failures count only while the pod is unready: a recovered pod starts again from zero.
                pods.append(ObservedPod(namespace: namespace, name: name, deployment: owner, ready: ready,
                                        failedHealthChecks: ready ? 0 : failures[name] ?? 0))
            }
        }
        return ObservedState(deployments: deployments, services: services, pods: pods, jobs: jobs)
    }
}
