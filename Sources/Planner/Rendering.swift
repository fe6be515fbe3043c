import JSON
import Model

/// The Kubernetes objects a ServiceSpec stands for. Objects we create carry the managed-by label,
/// and we never change an object that lacks it.
public enum Rendering {
    public static let managedByKey = "app.kubernetes.io/managed-by"
    public static let managedByValue = "hms-controller"
    /// The pods of the Deployments we made: managed, and not a Directive's job pods, which say
    /// nothing their Job does not (and a big run has thousands).
    public static let servicePodSelector = "\(managedByKey)=\(managedByValue),!\(DirectiveNaming.directiveLabel)"
    /// The rolling-restart stamp, on the pod template: changing it rolls the pods.
    public static let restartedAtKey = "ops.hms.gov/restartedAt"
    /// Marks what a controller made from a manifests directory (value `manifests`): a
    /// manifests-mode prune deletes only objects carrying it.
    public static let sourceKey = "ops.hms.gov/source"
    public static let sourceManifests = "manifests"
    /// The field managers our own writes use: the controller's and hmsctl's. Any other owner of a
    /// field we set is another party (`ReplicasContested`).
    public static let ownFieldManagers: Set<String> = ["hms-controller", "hmsctl"]
    /// The one field manager the objects a ServiceSpec stands for are applied as, whether the
    /// controller or `hmsctl apply` carries out the plan: a field the spec stops declaring is then
    /// released by the one entry that owns it, and the server removes it.
    public static let workloadFieldManager = "hms-controller"

    /// What we add to the metadata of every object we make for `service`: the controller
    /// ownerReference to it when its uid is known (it came from the cluster), so that deleting the
    /// ServiceSpec collects them and a prune can confirm the owner by uid; the source annotation
    /// when it came from a manifests directory.
    static func ownership(_ service: ServiceSpec, fromManifests: Bool, into metadata: inout JSONValue) {
        if let uid = service.metadata.uid {
            metadata["ownerReferences"] = [[
                "apiVersion": .string(API.apiVersion), "kind": .string(ServiceSpec.kind), "name": .string(service.metadata.name),
                "uid": .string(uid), "controller": true, "blockOwnerDeletion": true,
            ]]
        }
        if fromManifests { metadata["annotations"] = [sourceKey: .string(sourceManifests)] }
    }

    static func labels(_ service: ServiceSpec) -> JSONValue {
        var labels = (service.metadata.labels ?? [:]).mapValues(JSONValue.string)
        labels["app"] = .string(service.metadata.name)
        labels[managedByKey] = .string(managedByValue)
        return .object(labels)
    }

    /// The name of the one container a ServiceSpec's Deployment runs (`ObservedDeployment.ownContainer`).
    public static func containerName(_ service: ServiceSpec) -> String { service.metadata.name }

    /// The container the Deployment runs: image, port, env, requests and the health check as
    /// readiness and liveness probes.
    static func container(_ service: ServiceSpec) -> JSONValue {
        let spec = service.spec
        var container: JSONValue = ["name": .string(containerName(service)), "image": .string(spec.image)]
        if let port = spec.port { container["ports"] = [["containerPort": .int(port), "protocol": "TCP"]] }
        if let env = spec.env, !env.isEmpty {
            container["env"] = .array(env.map { variable in
                var entry: JSONValue = ["name": .string(variable.name)]
                if let value = variable.value { entry["value"] = .string(value) }
                return entry
            })
        }
        var requests: JSONValue = [:]
        if let cpu = spec.resources?.cpu { requests["cpu"] = .string(cpu.text) }
        if let memory = spec.resources?.memory { requests["memory"] = .string(memory.text) }
        if requests != [:] { container["resources"] = ["requests": requests] }
        if let check = spec.healthCheck, let port = check.port ?? spec.port {
            var probe: JSONValue = ["httpGet": ["path": .string(check.path), "port": .int(port)]]
            if let period = check.periodSeconds { probe["periodSeconds"] = .int(period) }
            if let delay = check.initialDelaySeconds { probe["initialDelaySeconds"] = .int(delay) }
            var readiness = probe
            if let threshold = check.failureThreshold { readiness["failureThreshold"] = .int(threshold) }
            container["readinessProbe"] = readiness
            // Liveness tolerates several times more failures than readiness: a dependency outage
            // fails every pod's check at once, and should take them out of the Service (unready),
            // not restart them all in a loop that cannot fix the dependency.
            var liveness = probe
            liveness["failureThreshold"] = .int(livenessFailureThreshold(check))
            container["livenessProbe"] = liveness
        }
        return container
    }

    /// Three times the readiness probe's failureThreshold (kubelet's default 3 when unset), capped.
    static func livenessFailureThreshold(_ check: ServiceSpec.HealthCheck) -> Int {
        min(max(1, check.failureThreshold ?? 3), 1_000) * 3
    }

    /// `replicas` nil leaves the count out: it is another scaler's (`scaling: external`).
    public static func deployment(_ service: ServiceSpec, replicas: Int?, fromManifests: Bool = false) -> JSONValue {
        let name = JSONValue.string(service.metadata.name)
        var templateMetadata: JSONValue = ["labels": ["app": name, managedByKey: .string(managedByValue)]]
        if let restartedAt = service.spec.restartedAt {
            templateMetadata["annotations"] = [restartedAtKey: .string(restartedAt)]
        }
        var metadata: JSONValue = ["name": name, "namespace": .string(service.ref.namespace), "labels": labels(service)]
        ownership(service, fromManifests: fromManifests, into: &metadata)
        var spec: JSONValue = [
            "selector": ["matchLabels": ["app": name]],
            "template": ["metadata": templateMetadata, "spec": ["containers": [container(service)]]],
        ]
        if let replicas { spec["replicas"] = .int(replicas) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec]
    }

    /// A ClusterIP Service in front of the pods, so traffic reaches only ready ones. Its type is
    /// rendered although it is the default: another manager's change of it is then drift.
    public static func service(_ service: ServiceSpec, fromManifests: Bool = false) -> JSONValue? {
        guard let port = service.spec.port else { return nil }
        let name = JSONValue.string(service.metadata.name)
        var metadata: JSONValue = ["name": name, "namespace": .string(service.ref.namespace), "labels": labels(service)]
        ownership(service, fromManifests: fromManifests, into: &metadata)
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": metadata,
            "spec": ["type": "ClusterIP", "selector": ["app": name], "ports": [["name": "http", "port": .int(port), "targetPort": .int(port), "protocol": "TCP"]]],
        ]
    }
}
