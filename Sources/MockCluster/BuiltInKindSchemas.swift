import JSON

/// The top-level kinds of `BuiltInSchemas`, each with its group-version-kind, and their specs.
extension BuiltInSchemas {
    static func coreKinds() -> [String: JSONValue] {
        let loadBalancer = S.object(["ingress": S.atomicList(of: S.object(["ip": S.string, "hostname": S.string]))])
        return [
            core + "Namespace": S.kind(group: "", version: "v1", kind: "Namespace", description: "A scope for names.", [
                "spec": S.ref(core + "NamespaceSpec"), "status": S.ref(core + "NamespaceStatus"),
            ]),
            core + "NamespaceSpec": S.object(["finalizers": S.stringList]),
            core + "NamespaceStatus": S.object(["phase": S.string, "conditions": S.keyedList(of: meta + "Condition", keys: ["type"])]),
            core + "Pod": S.kind(group: "", version: "v1", kind: "Pod", description: "Containers that run together on one node.", [
                "spec": S.ref(core + "PodSpec"), "status": S.ref(core + "PodStatus"),
            ]),
            core + "Service": S.kind(group: "", version: "v1", kind: "Service", description: "A name and ports in front of a set of pods.", [
                "spec": S.ref(core + "ServiceSpec"), "status": S.object(["loadBalancer": loadBalancer, "conditions": S.keyedList(of: meta + "Condition", keys: ["type"])]),
            ]),
            core + "ServiceSpec": S.object([
                "ports": S.keyedList(of: core + "ServicePort", keys: ["port", "protocol"]), "selector": S.stringMap,
                "clusterIP": S.string, "clusterIPs": S.stringList, "type": S.string, "externalIPs": S.stringList,
                "sessionAffinity": S.string, "loadBalancerIP": S.string, "loadBalancerSourceRanges": S.stringList,
                "externalName": S.string, "externalTrafficPolicy": S.string, "healthCheckNodePort": S.int32,
                "publishNotReadyAddresses": S.boolean, "ipFamilies": S.stringList, "ipFamilyPolicy": S.string,
                "allocateLoadBalancerNodePorts": S.boolean, "loadBalancerClass": S.string, "internalTrafficPolicy": S.string,
            ]),
            core + "ServicePort": S.object(
                ["name": S.string, "protocol": S.string, "appProtocol": S.string, "port": S.int32,
                 "targetPort": S.ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString"), "nodePort": S.int32],
                required: ["port"]),
            core + "ConfigMap": S.kind(group: "", version: "v1", kind: "ConfigMap", description: "Configuration as keys and values.", [
                "data": S.stringMap, "binaryData": S.map(of: ["type": "string", "format": "byte"]), "immutable": S.boolean,
            ]),
            core + "Event": S.kind(
                group: "", version: "v1", kind: "Event", description: "Something that happened to an object.",
                [
                    "involvedObject": S.ref(core + "ObjectReference"), "reason": S.string, "message": S.string,
                    "source": S.object(["component": S.string, "host": S.string]), "firstTimestamp": S.ref(meta + "Time"),
                    "lastTimestamp": S.ref(meta + "Time"), "count": S.int32, "type": S.string, "eventTime": S.ref(meta + "MicroTime"),
                    "action": S.string, "reportingComponent": S.string, "reportingInstance": S.string,
                ],
                required: ["metadata", "involvedObject"]),
            core + "ObjectReference": S.object([
                "kind": S.string, "namespace": S.string, "name": S.string, "uid": S.string, "apiVersion": S.string,
                "resourceVersion": S.string, "fieldPath": S.string,
            ]),
        ]
    }

    static func nodeKind() -> [String: JSONValue] {
        [
            core + "Node": S.kind(group: "", version: "v1", kind: "Node", description: "A machine that runs pods.", [
                "spec": S.object([
                    "podCIDR": S.string, "podCIDRs": S.set(of: S.string), "providerID": S.string, "unschedulable": S.boolean,
                    "taints": S.atomicList(of: S.object(["key": S.string, "value": S.string, "effect": S.string], required: ["key", "effect"])),
                ]),
                "status": S.object([
                    "capacity": S.quantityMap, "allocatable": S.quantityMap, "phase": S.string,
                    "conditions": S.keyedList(of: core + "NodeCondition", keys: ["type"]),
                    "addresses": S.keyedList(of: core + "NodeAddress", keys: ["type"]),
                    "nodeInfo": ["type": "object"],
                ]),
            ]),
            core + "NodeCondition": S.object(
                ["type": S.string, "status": S.string, "lastHeartbeatTime": S.ref(meta + "Time"), "lastTransitionTime": S.ref(meta + "Time"),
                 "reason": S.string, "message": S.string],
                required: ["type", "status"]),
            core + "NodeAddress": S.object(["type": S.string, "address": S.string], required: ["type", "address"]),
        ]
    }

    static func workloads() -> [String: JSONValue] {
        let apps = "io.k8s.api.apps.v1."
        let batch = "io.k8s.api.batch.v1."
        let intOrString = S.ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString")
        var jobConditions = S.atomicList(of: S.ref(batch + "JobCondition"))
        jobConditions["x-kubernetes-patch-merge-key"] = "type"
        jobConditions["x-kubernetes-patch-strategy"] = "merge"
        return [
            apps + "Deployment": S.kind(group: "apps", version: "v1", kind: "Deployment", description: "Replicated pods, updated by rollouts.", [
                "spec": S.ref(apps + "DeploymentSpec"), "status": S.ref(apps + "DeploymentStatus"),
            ]),
            apps + "DeploymentSpec": S.object(
                [
                    "replicas": S.described(S.int32, "How many pods to run."), "selector": S.ref(meta + "LabelSelector"),
                    "template": S.ref(core + "PodTemplateSpec"), "strategy": S.ref(apps + "DeploymentStrategy"),
                    "minReadySeconds": S.int32, "revisionHistoryLimit": S.int32, "paused": S.boolean, "progressDeadlineSeconds": S.int32,
                ],
                required: ["selector", "template"]),
            apps + "DeploymentStrategy": S.object(["type": S.string, "rollingUpdate": S.object(["maxUnavailable": intOrString, "maxSurge": intOrString])]),
            apps + "DeploymentStatus": S.object([
                "observedGeneration": S.int64, "replicas": S.int32, "updatedReplicas": S.int32, "readyReplicas": S.int32,
                "availableReplicas": S.int32, "unavailableReplicas": S.int32, "terminatingReplicas": S.int32,
                "conditions": S.keyedList(of: apps + "DeploymentCondition", keys: ["type"]), "collisionCount": S.int32,
            ]),
            apps + "DeploymentCondition": condition(["lastUpdateTime": S.ref(meta + "Time")]),
            batch + "Job": S.kind(group: "batch", version: "v1", kind: "Job", description: "Pods that run to completion.", [
                "spec": S.ref(batch + "JobSpec"), "status": S.ref(batch + "JobStatus"),
            ]),
            batch + "JobSpec": S.object(
                [
                    "parallelism": S.int32, "completions": S.int32, "activeDeadlineSeconds": S.int64, "backoffLimit": S.int32,
                    "selector": S.ref(meta + "LabelSelector"), "manualSelector": S.boolean, "template": S.ref(core + "PodTemplateSpec"),
                    "ttlSecondsAfterFinished": S.int32, "completionMode": S.string, "suspend": S.boolean, "podReplacementPolicy": S.string,
                ],
                required: ["template"]),
            batch + "JobStatus": S.object([
                "conditions": jobConditions, "startTime": S.ref(meta + "Time"), "completionTime": S.ref(meta + "Time"),
                "active": S.int32, "succeeded": S.int32, "failed": S.int32, "ready": S.int32, "terminating": S.int32,
                "completedIndexes": S.string, "failedIndexes": S.string,
            ]),
            batch + "JobCondition": condition(["lastProbeTime": S.ref(meta + "Time")]),
        ]
    }

    /// A status condition of the apps and batch kinds, with its own time fields.
    private static func condition(_ extra: [String: JSONValue]) -> JSONValue {
        S.object(
            ["type": S.string, "status": S.string, "lastTransitionTime": S.ref(meta + "Time"), "reason": S.string, "message": S.string]
                .merging(extra) { first, _ in first },
            required: ["type", "status"])
    }

    static func clusterKinds() -> [String: JSONValue] {
        let crd = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
        let names = S.object(
            ["plural": S.string, "singular": S.string, "kind": S.string, "listKind": S.string, "shortNames": S.stringList, "categories": S.stringList],
            required: ["plural", "kind"])
        return [
            "io.k8s.api.coordination.v1.Lease": S.kind(group: "coordination.k8s.io", version: "v1", kind: "Lease", description: "A lock held for a time.", [
                "spec": S.object([
                    "holderIdentity": S.string, "leaseDurationSeconds": S.int32, "acquireTime": S.ref(meta + "MicroTime"),
                    "renewTime": S.ref(meta + "MicroTime"), "leaseTransitions": S.int32,
                ]),
            ]),
            crd + "CustomResourceDefinition": S.kind(
                group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", description: "A kind added to the API.",
                [
                    "spec": S.object(
                        ["group": S.string, "names": names, "scope": S.string, "versions": S.atomicList(of: S.ref(crd + "CustomResourceDefinitionVersion")),
                         "conversion": ["type": "object"], "preserveUnknownFields": S.boolean],
                        required: ["group", "names", "scope", "versions"]),
                    "status": S.object(["conditions": S.keyedList(of: meta + "Condition", keys: ["type"]), "acceptedNames": names, "storedVersions": S.stringList]),
                ],
                required: ["spec"]),
            crd + "CustomResourceDefinitionVersion": S.object(
                [
                    "name": S.string, "served": S.boolean, "storage": S.boolean, "deprecated": S.boolean, "deprecationWarning": S.string,
                    "schema": S.object(["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]),
                    "subresources": ["type": "object"], "additionalPrinterColumns": S.atomicList(of: ["type": "object"]),
                ],
                required: ["name", "served", "storage"]),
        ]
    }

    static func reviews() -> [String: JSONValue] {
        let authn = "io.k8s.api.authentication.v1."
        let authz = "io.k8s.api.authorization.v1."
        let decision = S.object(["allowed": S.boolean, "denied": S.boolean, "reason": S.string, "evaluationError": S.string], required: ["allowed"])
        let attributes: [String: JSONValue] = [
            "resourceAttributes": S.object([
                "namespace": S.string, "verb": S.string, "group": S.string, "version": S.string, "resource": S.string,
                "subresource": S.string, "name": S.string,
            ]),
            "nonResourceAttributes": S.object(["path": S.string, "verb": S.string]),
        ]
        let user = S.object(["username": S.string, "uid": S.string, "groups": S.stringList, "extra": S.map(of: S.stringList)])
        let subjectSpec = S.object(attributes.merging(["user": S.string, "groups": S.stringList, "uid": S.string, "extra": S.map(of: S.stringList)]) { first, _ in first })
        return [
            authn + "TokenReview": S.kind(group: "authentication.k8s.io", version: "v1", kind: "TokenReview", description: "Asks who a bearer token belongs to.", [
                "spec": S.object(["token": S.string, "audiences": S.stringList]),
                "status": S.object(["authenticated": S.boolean, "user": user, "audiences": S.stringList, "error": S.string]),
            ], required: ["spec"]),
            authn + "TokenRequest": S.kind(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", description: "Asks for a service account token.", [
                "spec": S.object(["audiences": S.stringList, "expirationSeconds": S.int64, "boundObjectRef": ["type": "object"]], required: ["audiences"]),
                "status": S.object(["token": S.string, "expirationTimestamp": S.ref(meta + "Time")], required: ["token", "expirationTimestamp"]),
            ], required: ["spec"]),
            authn + "SelfSubjectReview": S.kind(group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview", description: "Asks who the caller is.", [
                "status": S.object(["userInfo": user]),
            ]),
            authz + "SubjectAccessReview": S.kind(group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview", description: "Asks whether a user may do something.", [
                "spec": subjectSpec,
                "status": decision,
            ], required: ["spec"]),
            authz + "LocalSubjectAccessReview": S.kind(
                group: "authorization.k8s.io", version: "v1", kind: "LocalSubjectAccessReview",
                description: "Asks whether a user may do something in one namespace: spec.resourceAttributes.namespace must be the request's.", [
                    "spec": subjectSpec,
                    "status": decision,
                ], required: ["spec"]),
            authz + "SelfSubjectAccessReview": S.kind(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview", description: "Asks whether the caller may do something.", [
                "spec": S.object(attributes), "status": decision,
            ], required: ["spec"]),
        ]
    }
}
