/// The fields of the built-in kinds the mock stores, from the Kubernetes 1.32 API types (k8s.io/api
/// core/v1, apps/v1, batch/v1): every member the product, kubectl and the Python client write is
/// declared; substructures nobody here writes are `.any` (kept as sent, not checked). Status is
/// the server's and kept as written.
enum KnownFields {
    /// The shape of a whole object of a type; nil for types not described (no unknown-field check).
    static func shape(of typeID: String) -> FieldShape? {
        switch typeID {
        case BuiltInTypes.namespaces.id: top(spec: .object(["finalizers": .list(.value)]))
        case BuiltInTypes.pods.id: top(spec: podSpec)
        case BuiltInTypes.services.id: top(spec: serviceSpec)
        case BuiltInTypes.deployments.id: top(spec: deploymentSpec)
        case BuiltInTypes.jobs.id: top(spec: jobSpec)
        case BuiltInTypes.configMaps.id:
            .object(["apiVersion": .value, "kind": .value, "metadata": objectMeta, "data": .map(.value), "binaryData": .map(.value), "immutable": .value])
        default: nil
        }
    }

    private static func top(spec: FieldShape) -> FieldShape {
        .object(["apiVersion": .value, "kind": .value, "metadata": objectMeta, "spec": spec, "status": .any])
    }

    static let objectMeta = FieldShape.object(fields(
        values: ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
                 "deletionTimestamp", "deletionGracePeriodSeconds"],
        [
            "labels": .map(.value), "annotations": .map(.value), "finalizers": .list(.value), "managedFields": .list(.any),
            "ownerReferences": .list(.object(fields(values: ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"]))),
        ]))

    static let labelSelector = FieldShape.object([
        "matchLabels": .map(.value),
        "matchExpressions": .list(.object(["key": .value, "operator": .value, "values": .list(.value)])),
    ])

    static let podTemplate = FieldShape.object(["metadata": objectMeta, "spec": podSpec])

    static let podSpec = FieldShape.object(fields(
        values: ["restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "serviceAccountName",
                 "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC",
                 "shareProcessNamespace", "hostname", "subdomain", "schedulerName", "priorityClassName", "priority",
                 "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "setHostnameAsFQDN", "hostUsers"],
        [
            "containers": .list(container), "initContainers": .list(container), "ephemeralContainers": .list(.any),
            "volumes": .list(.any), "nodeSelector": .map(.value), "securityContext": .any, "affinity": .any,
            "imagePullSecrets": .list(.object(["name": .value])), "tolerations": .list(.any), "hostAliases": .list(.any),
            "dnsConfig": .any, "readinessGates": .list(.any), "overhead": .map(.value), "topologySpreadConstraints": .list(.any),
            "os": .any, "schedulingGates": .list(.any), "resourceClaims": .list(.any), "resources": .any,
        ]))

    static let container = FieldShape.object(fields(
        values: ["name", "image", "workingDir", "restartPolicy", "terminationMessagePath", "terminationMessagePolicy",
                 "imagePullPolicy", "stdin", "stdinOnce", "tty"],
        [
            "command": .list(.value), "args": .list(.value),
            "ports": .list(.object(fields(values: ["name", "hostPort", "containerPort", "protocol", "hostIP"]))),
            "envFrom": .list(.any),
            "env": .list(.object(["name": .value, "value": .value, "valueFrom": .any])),
            "resources": .object(["limits": .map(.value), "requests": .map(.value), "claims": .list(.any)]),
            "resizePolicy": .list(.any), "volumeMounts": .list(.any), "volumeDevices": .list(.any),
            "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe, "lifecycle": .any, "securityContext": .any,
        ]))

    static let probe = FieldShape.object(fields(
        values: ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
                 "terminationGracePeriodSeconds"],
        [
            "exec": .any, "tcpSocket": .any, "grpc": .any,
            "httpGet": .object(fields(values: ["path", "port", "host", "scheme"], ["httpHeaders": .list(.any)])),
        ]))

    static let deploymentSpec = FieldShape.object(fields(
        values: ["replicas", "minReadySeconds", "revisionHistoryLimit", "paused", "progressDeadlineSeconds"],
        [
            "selector": labelSelector, "template": podTemplate,
            "strategy": .object(["type": .value, "rollingUpdate": .object(["maxUnavailable": .value, "maxSurge": .value])]),
        ]))

    static let jobSpec = FieldShape.object(fields(
        values: ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes",
                 "manualSelector", "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy", "managedBy"],
        ["selector": labelSelector, "template": podTemplate, "podFailurePolicy": .any, "successPolicy": .any]))

    static let serviceSpec = FieldShape.object(fields(
        values: ["clusterIP", "type", "sessionAffinity", "loadBalancerIP", "externalName", "externalTrafficPolicy",
                 "healthCheckNodePort", "publishNotReadyAddresses", "ipFamilyPolicy", "allocateLoadBalancerNodePorts",
                 "loadBalancerClass", "internalTrafficPolicy", "trafficDistribution"],
        [
            "ports": .list(.object(fields(values: ["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"]))),
            "selector": .map(.value), "clusterIPs": .list(.value), "externalIPs": .list(.value),
            "loadBalancerSourceRanges": .list(.value), "sessionAffinityConfig": .any, "ipFamilies": .list(.value),
        ]))

    /// Scalar members by name, plus the structured ones.
    private static func fields(values: [String], _ structured: [String: FieldShape] = [:]) -> [String: FieldShape] {
        var members = structured
        for name in values { members[name] = .value }
        return members
    }
}
