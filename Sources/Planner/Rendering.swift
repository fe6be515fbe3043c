import JSON
import Model

/// The Kubernetes objects a ServiceSpec stands for. Objects we create carry the managed-by label,
/// and we never change an object that lacks it.
public enum Rendering {
    public static let managedByKey = "app.kubernetes.io/managed-by"
    public static let managedByValue = "hms-controller"
    /// The rolling-restart stamp, on the pod template: changing it rolls the pods.
    public static let restartedAtKey = "ops.hms.gov/restartedAt"

    public static func isManaged(_ object: JSONValue) -> Bool {
        object[path: ["metadata", "labels", managedByKey]]?.stringValue == managedByValue
    }

    static func labels(_ service: ServiceSpec) -> JSONValue {
        var labels = (service.metadata.labels ?? [:]).mapValues(JSONValue.string)
        labels["app"] = .string(service.metadata.name)
        labels[managedByKey] = .string(managedByValue)
        return .object(labels)
    }

    /// The container the Deployment runs: image, port, env, requests and the health check as
    /// readiness and liveness probes.
    static func container(_ service: ServiceSpec) -> JSONValue {
        let spec = service.spec
        var container: JSONValue = ["name": .string(service.metadata.name), "image": .string(spec.image)]
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
            if let threshold = check.failureThreshold { probe["failureThreshold"] = .int(threshold) }
            if let delay = check.initialDelaySeconds { probe["initialDelaySeconds"] = .int(delay) }
            container["readinessProbe"] = probe
            container["livenessProbe"] = probe
        }
        return container
    }

    public static func deployment(_ service: ServiceSpec, replicas: Int) -> JSONValue {
        let name = JSONValue.string(service.metadata.name)
        var templateMetadata: JSONValue = ["labels": ["app": name, managedByKey: .string(managedByValue)]]
        if let restartedAt = service.spec.restartedAt {
            templateMetadata["annotations"] = [restartedAtKey: .string(restartedAt)]
        }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": name, "namespace": .string(service.ref.namespace), "labels": labels(service)],
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": ["app": name]],
                "template": ["metadata": templateMetadata, "spec": ["containers": [container(service)]]],
            ],
        ]
    }

    /// A ClusterIP Service in front of the pods, so traffic reaches only ready ones.
    public static func service(_ service: ServiceSpec) -> JSONValue? {
        guard let port = service.spec.port else { return nil }
        let name = JSONValue.string(service.metadata.name)
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": name, "namespace": .string(service.ref.namespace), "labels": labels(service)],
            "spec": ["selector": ["app": name], "ports": [["name": "http", "port": .int(port), "targetPort": .int(port), "protocol": "TCP"]]],
        ]
    }

    /// The fields of a live Deployment's container that we set, compared with what we would set:
    /// one line per difference, for the plan's update actions.
    static func differences(live: JSONValue, desired: JSONValue) -> [String] {
        let liveContainer = live[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first ?? [:]
        let desiredContainer = desired[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first ?? [:]
        var changes: [String] = []
        for field in ["image", "ports", "env", "resources", "readinessProbe"] {
            let before = project(liveContainer[field], like: desiredContainer[field])
            let after = desiredContainer[field]
            guard before != after else { continue }
            switch field {
            case "image": changes.append("image \(before?.stringValue ?? "none") → \(after?.stringValue ?? "none")")
            case "readinessProbe": changes.append("health check")
            default: changes.append(field)
            }
        }
        return changes
    }

    /// The live value reduced to the members we set, so that the server's defaults (a probe's
    /// timeoutSeconds, a port's protocol) are not taken for differences.
    static func project(_ live: JSONValue?, like desired: JSONValue?) -> JSONValue? {
        switch (live, desired) {
        case (.object(let liveMembers)?, .object(let desiredMembers)?):
            var kept: [String: JSONValue] = [:]
            for (key, value) in desiredMembers {
                if let liveValue = liveMembers[key] { kept[key] = project(liveValue, like: value) }
            }
            return .object(kept)
        case (.array(let liveItems)?, .array(let desiredItems)?) where liveItems.count == desiredItems.count:
            return .array(zip(liveItems, desiredItems).map { project($0, like: $1) ?? .null })
        default:
            return live
        }
    }
}
