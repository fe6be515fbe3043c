import JSON

/// OpenAPI v3 schemas of the built-in kinds the mock serves, written for the mock from the API types'
/// facts (field names, types, required fields, list keys and patch strategies); descriptions are ours
/// and short. `kubectl explain` reads them; so would a client that validates or merges by them.
/// The list keys here are this file's own table for now; server-side apply keeps another.
enum BuiltInSchemas {
    static let objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"
    static let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
    static let core = "io.k8s.api.core.v1."

    /// Every schema by its component name, built once.
    static let all: [String: JSONValue] = {
        var all: [String: JSONValue] = [:]
        let parts = [
            apimachinery(), objectMetadata(), podSpec(), container(), podParts(), podStatus(), coreKinds(), nodeKind(), workloads(),
            clusterKinds(), reviews(), accessKinds(), admissionKinds(),
        ]
        for part in parts {
            all.merge(part) { first, _ in first }
        }
        for (name, description) in descriptions { all[name]?["description"] = .string(description) }
        return all
    }()

    /// What `kubectl explain` says of the types people look up most; in our own words.
    private static let descriptions = [
        objectMeta: "Name, namespace, labels, annotations and the other data every object carries.",
        meta + "LabelSelector": "Picks objects by their labels: all of matchLabels and all of matchExpressions must hold.",
        core + "PodTemplateSpec": "The pods to make: their metadata and spec.",
        core + "PodSpec": "What a pod runs: its containers, volumes, and where and how it is scheduled.",
        core + "Container": "One container of a pod: its image, command, ports, environment and resources.",
        core + "ContainerPort": "A port the container listens on.",
        core + "ResourceRequirements": "CPU and memory the container asks for (requests) and may not exceed (limits).",
        core + "PodStatus": "What the kubelet last saw of the pod.",
        core + "ServiceSpec": "The ports the service offers and the pods (by selector) it sends them to.",
        core + "ServicePort": "One port of the service, and the pods' port it forwards to.",
        "io.k8s.api.apps.v1.DeploymentSpec": "What the Deployment runs, how many, and how it rolls out a change.",
        "io.k8s.api.apps.v1.DeploymentStatus": "How far the Deployment's pods have come.",
        "io.k8s.api.batch.v1.JobSpec": "The pods a Job runs, how many at once, and when it gives up.",
        "io.k8s.api.batch.v1.JobStatus": "How the Job's pods have fared.",
    ]

    typealias S = OpenAPISchema

    private static func apimachinery() -> [String: JSONValue] {
        [
            quantity: S.described(S.string, "A fixed-point number with a unit suffix, such as 100m or 64Mi."),
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ["type": "string", "format": "int-or-string", "description": "An integer or a string."],
            meta + "Time": ["type": "string", "format": "date-time", "description": "A time in RFC 3339 form, to the second."],
            meta + "MicroTime": ["type": "string", "format": "date-time", "description": "A time in RFC 3339 form, to the microsecond."],
            meta + "LabelSelector": S.object([
                "matchLabels": S.stringMap,
                "matchExpressions": S.atomicList(of: S.ref(meta + "LabelSelectorRequirement")),
            ]),
            meta + "LabelSelectorRequirement": S.object(["key": S.string, "operator": S.string, "values": S.stringList], required: ["key", "operator"]),
            meta + "Condition": S.object(
                ["type": S.string, "status": S.string, "observedGeneration": S.int64, "lastTransitionTime": S.ref(meta + "Time"),
                 "reason": S.string, "message": S.string],
                required: ["type", "status", "lastTransitionTime", "reason", "message"]),
        ]
    }

    private static func objectMetadata() -> [String: JSONValue] {
        let finalizers: JSONValue = ["type": "array", "items": S.string, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"]
        return [
            objectMeta: S.object([
                "name": S.string, "generateName": S.string, "namespace": S.string, "selfLink": S.string, "uid": S.string,
                "resourceVersion": S.string, "generation": S.int64, "creationTimestamp": S.ref(meta + "Time"),
                "deletionTimestamp": S.ref(meta + "Time"), "deletionGracePeriodSeconds": S.int64, "labels": S.stringMap,
                "annotations": S.stringMap, "ownerReferences": S.keyedList(of: meta + "OwnerReference", keys: ["uid"]),
                "finalizers": finalizers, "managedFields": S.atomicList(of: S.ref(meta + "ManagedFieldsEntry")),
            ]),
            meta + "OwnerReference": S.object(
                ["apiVersion": S.string, "kind": S.string, "name": S.string, "uid": S.string, "controller": S.boolean,
                 "blockOwnerDeletion": S.boolean],
                required: ["apiVersion", "kind", "name", "uid"]),
            meta + "ManagedFieldsEntry": S.object([
                "manager": S.string, "operation": S.string, "apiVersion": S.string, "time": S.ref(meta + "Time"), "fieldsType": S.string,
                "fieldsV1": ["type": "object"], "subresource": S.string,
            ]),
        ]
    }

    private static func podSpec() -> [String: JSONValue] {
        [
            core + "PodSpec": S.object(
                [
                    "volumes": S.keyedList(of: core + "Volume", keys: ["name"]),
                    "initContainers": S.keyedList(of: core + "Container", keys: ["name"]),
                    "containers": S.keyedList(of: core + "Container", keys: ["name"]),
                    "restartPolicy": S.string, "terminationGracePeriodSeconds": S.int64, "activeDeadlineSeconds": S.int64,
                    "dnsPolicy": S.string, "nodeSelector": S.stringMap, "serviceAccountName": S.string, "serviceAccount": S.string,
                    "automountServiceAccountToken": S.boolean, "nodeName": S.string, "hostNetwork": S.boolean, "hostPID": S.boolean,
                    "hostIPC": S.boolean, "shareProcessNamespace": S.boolean, "securityContext": S.ref(core + "PodSecurityContext"),
                    "imagePullSecrets": S.keyedList(of: core + "LocalObjectReference", keys: ["name"]),
                    "hostname": S.string, "subdomain": S.string, "affinity": ["type": "object"], "schedulerName": S.string,
                    "tolerations": S.atomicList(of: S.ref(core + "Toleration")), "priorityClassName": S.string, "priority": S.int32,
                    "enableServiceLinks": S.boolean, "preemptionPolicy": S.string, "runtimeClassName": S.string,
                    "topologySpreadConstraints": S.keyedList(of: core + "TopologySpreadConstraint", keys: ["topologyKey", "whenUnsatisfiable"]),
                ],
                required: ["containers"]),
            core + "PodTemplateSpec": S.object(["metadata": S.ref(objectMeta), "spec": S.ref(core + "PodSpec")]),
            core + "PodSecurityContext": S.object([
                "runAsUser": S.int64, "runAsGroup": S.int64, "runAsNonRoot": S.boolean, "fsGroup": S.int64,
                "supplementalGroups": S.atomicList(of: S.int64), "seccompProfile": S.ref(core + "SeccompProfile"),
            ]),
            core + "SeccompProfile": S.object(["type": S.string, "localhostProfile": S.string], required: ["type"]),
            core + "LocalObjectReference": S.object(["name": S.string]),
            core + "Toleration": S.object([
                "key": S.string, "operator": S.string, "value": S.string, "effect": S.string, "tolerationSeconds": S.int64,
            ]),
            core + "TopologySpreadConstraint": S.object(
                ["maxSkew": S.int32, "topologyKey": S.string, "whenUnsatisfiable": S.string, "labelSelector": S.ref(meta + "LabelSelector")],
                required: ["maxSkew", "topologyKey", "whenUnsatisfiable"]),
        ]
    }

    private static func container() -> [String: JSONValue] {
        [
            core + "Container": S.object(
                [
                    "name": S.string, "image": S.string, "command": S.stringList, "args": S.stringList, "workingDir": S.string,
                    "ports": S.keyedList(of: core + "ContainerPort", keys: ["containerPort", "protocol"]),
                    "envFrom": S.atomicList(of: S.ref(core + "EnvFromSource")),
                    "env": S.keyedList(of: core + "EnvVar", keys: ["name"]),
                    "resources": S.ref(core + "ResourceRequirements"),
                    "volumeMounts": S.keyedList(of: core + "VolumeMount", keys: ["mountPath"]),
                    "livenessProbe": S.ref(core + "Probe"), "readinessProbe": S.ref(core + "Probe"), "startupProbe": S.ref(core + "Probe"),
                    "terminationMessagePath": S.string, "terminationMessagePolicy": S.string, "imagePullPolicy": S.string,
                    "securityContext": S.ref(core + "SecurityContext"), "stdin": S.boolean, "stdinOnce": S.boolean, "tty": S.boolean,
                    "restartPolicy": S.string,
                ],
                required: ["name"]),
            core + "ContainerPort": S.object(
                ["name": S.string, "hostPort": S.int32, "containerPort": S.int32, "protocol": S.string, "hostIP": S.string],
                required: ["containerPort"]),
            core + "EnvVar": S.object(["name": S.string, "value": S.string, "valueFrom": S.ref(core + "EnvVarSource")], required: ["name"]),
            core + "EnvVarSource": S.object([
                "fieldRef": S.object(["apiVersion": S.string, "fieldPath": S.string], required: ["fieldPath"]),
                "configMapKeyRef": S.object(["name": S.string, "key": S.string, "optional": S.boolean], required: ["key"]),
                "secretKeyRef": S.object(["name": S.string, "key": S.string, "optional": S.boolean], required: ["key"]),
            ]),
            core + "EnvFromSource": S.object([
                "prefix": S.string, "configMapRef": S.ref(core + "LocalObjectReference"), "secretRef": S.ref(core + "LocalObjectReference"),
            ]),
            core + "ResourceRequirements": S.object(["limits": S.quantityMap, "requests": S.quantityMap]),
            core + "VolumeMount": S.object(
                ["name": S.string, "mountPath": S.string, "readOnly": S.boolean, "subPath": S.string], required: ["name", "mountPath"]),
            core + "SecurityContext": S.object([
                "runAsUser": S.int64, "runAsGroup": S.int64, "runAsNonRoot": S.boolean, "readOnlyRootFilesystem": S.boolean,
                "allowPrivilegeEscalation": S.boolean, "privileged": S.boolean,
                "capabilities": S.object(["add": S.stringList, "drop": S.stringList]),
                "seccompProfile": S.ref(core + "SeccompProfile"),
            ]),
        ]
    }

    private static func podParts() -> [String: JSONValue] {
        let port = S.ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString")
        return [
            core + "Probe": S.object([
                "httpGet": S.object(["path": S.string, "port": port, "host": S.string, "scheme": S.string], required: ["port"]),
                "tcpSocket": S.object(["port": port, "host": S.string], required: ["port"]),
                "exec": S.object(["command": S.stringList]),
                "initialDelaySeconds": S.int32, "timeoutSeconds": S.int32, "periodSeconds": S.int32,
                "successThreshold": S.int32, "failureThreshold": S.int32, "terminationGracePeriodSeconds": S.int64,
            ]),
            core + "Volume": S.object(
                [
                    "name": S.string,
                    "configMap": S.object(["name": S.string, "defaultMode": S.int32, "optional": S.boolean]),
                    "secret": S.object(["secretName": S.string, "defaultMode": S.int32, "optional": S.boolean]),
                    "emptyDir": S.object(["medium": S.string, "sizeLimit": S.ref(quantity)]),
                    "persistentVolumeClaim": S.object(["claimName": S.string, "readOnly": S.boolean], required: ["claimName"]),
                    "hostPath": S.object(["path": S.string, "type": S.string], required: ["path"]),
                ],
                required: ["name"]),
        ]
    }

    private static func podStatus() -> [String: JSONValue] {
        [
            core + "PodStatus": S.object([
                "phase": S.string, "conditions": S.keyedList(of: core + "PodCondition", keys: ["type"]), "message": S.string,
                "reason": S.string, "hostIP": S.string, "podIP": S.string,
                "podIPs": S.keyedList(of: core + "PodIP", keys: ["ip"]), "startTime": S.ref(meta + "Time"),
                "containerStatuses": S.atomicList(of: S.ref(core + "ContainerStatus")), "qosClass": S.string,
            ]),
            core + "PodCondition": S.object(
                ["type": S.string, "status": S.string, "lastProbeTime": S.ref(meta + "Time"), "lastTransitionTime": S.ref(meta + "Time"),
                 "reason": S.string, "message": S.string],
                required: ["type", "status"]),
            core + "PodIP": S.object(["ip": S.string], required: ["ip"]),
            core + "ContainerStatus": S.object(
                ["name": S.string, "ready": S.boolean, "restartCount": S.int32, "image": S.string, "imageID": S.string,
                 "containerID": S.string, "started": S.boolean, "state": ["type": "object"], "lastState": ["type": "object"]],
                required: ["name", "ready", "restartCount", "image", "imageID"]),
        ]
    }
}
