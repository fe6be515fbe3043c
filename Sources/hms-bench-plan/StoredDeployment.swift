import JSON
import Model
import Planner

/// A Deployment as kube-apiserver stores the controller's apply of one of the bench's
/// ServiceSpecs: the server's defaults filled in, a status, and managedFields with the
/// controller's Apply entry and kube-controller-manager's status entry. The plan reads these
/// every pass; an object without them would leave the ownership comparison out of the figures.
enum StoredDeployment {
    static func stored(_ service: ServiceSpec, replicas: Int) -> JSONValue {
        var object = Rendering.deployment(service, replicas: replicas)
        object[path: ["metadata", "uid"]] = .string("deployment-\(service.metadata.uid ?? "")")
        object[path: ["metadata", "resourceVersion"]] = "1042"
        object[path: ["metadata", "generation"]] = 1
        object[path: ["metadata", "creationTimestamp"]] = "2027-01-15T08:00:00Z"
        object[path: ["metadata", "annotations"]] = ["deployment.kubernetes.io/revision": "1"]
        object[path: ["spec", "revisionHistoryLimit"]] = 10
        object[path: ["spec", "progressDeadlineSeconds"]] = 600
        object[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]
        var pod = object[path: ["spec", "template", "spec"]] ?? [:]
        pod["restartPolicy"] = "Always"
        pod["dnsPolicy"] = "ClusterFirst"
        pod["schedulerName"] = "default-scheduler"
        pod["securityContext"] = [:]
        pod["terminationGracePeriodSeconds"] = 30
        pod["containers"] = .array((pod["containers"]?.arrayValue ?? []).map(defaulted))
        object[path: ["spec", "template", "spec"]] = pod
        object["status"] = [
            "observedGeneration": 1, "replicas": .int(replicas), "updatedReplicas": .int(replicas),
            "readyReplicas": .int(replicas), "availableReplicas": .int(replicas),
            "conditions": [
                ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "lastUpdateTime": "2027-01-15T08:00:09Z"],
                ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "lastUpdateTime": "2027-01-15T08:00:09Z"],
            ],
        ]
        object[path: ["metadata", "managedFields"]] = [
            ["manager": "hms-controller", "operation": "Apply", "apiVersion": "apps/v1", "time": "2027-01-15T08:00:00Z",
             "fieldsType": "FieldsV1", "fieldsV1": applied(service)],
            ["manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "time": "2027-01-15T08:00:09Z",
             "fieldsType": "FieldsV1", "subresource": "status", "fieldsV1": statusFields],
        ]
        return object
    }

    /// A container with what the server adds to it.
    static func defaulted(_ container: JSONValue) -> JSONValue {
        var container = container
        container["imagePullPolicy"] = "IfNotPresent"
        container["terminationMessagePath"] = "/dev/termination-log"
        container["terminationMessagePolicy"] = "File"
        for probe in ["readinessProbe", "livenessProbe"] where container[probe] != nil {
            container[path: [probe, "httpGet", "scheme"]] = "HTTP"
            container[path: [probe, "timeoutSeconds"]] = 1
            container[path: [probe, "successThreshold"]] = 1
            container[path: [probe, "periodSeconds"]] = 10
            if probe == "readinessProbe" { container[path: [probe, "failureThreshold"]] = 3 }
        }
        return container
    }

    /// The fieldsV1 of the controller's apply of the bench's ServiceSpec template.
    static func applied(_ service: ServiceSpec) -> JSONValue {
        let probe: JSONValue = ["f:httpGet": ["f:path": [:], "f:port": [:]]]
        var liveness = probe
        liveness["f:failureThreshold"] = [:]
        let container: JSONValue = [
            ".": [:], "f:name": [:], "f:image": [:],
            "f:ports": [#"k:{"containerPort":8080,"protocol":"TCP"}"#: [".": [:], "f:containerPort": [:], "f:protocol": [:]]],
            "f:resources": ["f:requests": ["f:cpu": [:], "f:memory": [:]]],
            "f:readinessProbe": probe, "f:livenessProbe": liveness,
        ]
        let owner = JSONValue.object(["uid": .string(service.metadata.uid ?? "")]).jsonText
        let reference: JSONValue = [".": [:], "f:apiVersion": [:], "f:blockOwnerDeletion": [:], "f:controller": [:], "f:kind": [:], "f:name": [:], "f:uid": [:]]
        let name = JSONValue.object(["name": .string(service.metadata.name)]).jsonText
        return [
            "f:metadata": [
                "f:labels": ["f:app": [:], "f:program": [:], "f:app.kubernetes.io/managed-by": [:]],
                "f:ownerReferences": .object(["k:" + owner: reference]),
            ],
            "f:spec": [
                "f:replicas": [:], "f:selector": [:],
                "f:template": [
                    "f:metadata": ["f:labels": ["f:app": [:], "f:app.kubernetes.io/managed-by": [:]]],
                    "f:spec": ["f:containers": .object(["k:" + name: container])],
                ],
            ],
        ]
    }

    static let statusFields: JSONValue = [
        "f:metadata": ["f:annotations": [".": [:], "f:deployment.kubernetes.io/revision": [:]]],
        "f:status": [
            "f:availableReplicas": [:], "f:observedGeneration": [:], "f:readyReplicas": [:], "f:replicas": [:], "f:updatedReplicas": [:],
            "f:conditions": [
                ".": [:],
                #"k:{"type":"Available"}"#: [".": [:], "f:lastUpdateTime": [:], "f:reason": [:], "f:status": [:], "f:type": [:]],
                #"k:{"type":"Progressing"}"#: [".": [:], "f:lastUpdateTime": [:], "f:reason": [:], "f:status": [:], "f:type": [:]],
            ],
        ],
    ]
}
