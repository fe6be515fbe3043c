/// The fields of the built-in kinds the mock stores, from the Kubernetes 1.32 API types (k8s.io/api
/// core/v1, apps/v1, batch/v1): every member the product, kubectl and the Python client write is
/// declared; substructures nobody here writes are `.any` (kept as sent, not checked). Status is
/// the server's and kept as written.
enum KnownFields {
    /// The shape of a whole object of a type; nil for types not described (no unknown-field check).
    static func shape(of typeID: String) -> FieldShape? {
        switch typeID {
        case BuiltInTypes.namespaces.id: top(spec: .object(["finalizers": .list(.string)]))
        case BuiltInTypes.pods.id: top(spec: podSpec)
        case BuiltInTypes.services.id: top(spec: serviceSpec)
        case BuiltInTypes.deployments.id: top(spec: deploymentSpec)
        case BuiltInTypes.jobs.id: top(spec: jobSpec)
        case BuiltInTypes.configMaps.id:
            .object(["apiVersion": .string, "kind": .string, "metadata": objectMeta, "data": .map(.string), "binaryData": .map(.string), "immutable": .bool])
        default: nil
        }
    }

    private static func top(spec: FieldShape) -> FieldShape {
        .object(["apiVersion": .string, "kind": .string, "metadata": objectMeta, "spec": spec, "status": .any])
    }

    static let objectMeta = FieldShape.object(fields(
        values: ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp"],
        ints: ["generation", "deletionGracePeriodSeconds"],
        [
            "labels": .map(.string), "annotations": .map(.string), "finalizers": .list(.string), "managedFields": .list(.any),
            "ownerReferences": .list(.object(fields(values: ["apiVersion", "kind", "name", "uid"], bools: ["controller", "blockOwnerDeletion"]))),
        ]))

    static let labelSelector = FieldShape.object([
        "matchLabels": .map(.string),
        "matchExpressions": .list(.object(["key": .string, "operator": .string, "values": .list(.string)])),
    ])

    static let podTemplate = FieldShape.object(["metadata": objectMeta, "spec": podSpec])

    static let podSpec = FieldShape.object(fields(
        values: ["restartPolicy", "dnsPolicy", "serviceAccountName", "serviceAccount", "nodeName", "hostname", "subdomain",
                 "schedulerName", "priorityClassName", "runtimeClassName", "preemptionPolicy"],
        ints: ["terminationGracePeriodSeconds", "activeDeadlineSeconds", "priority"],
        bools: ["automountServiceAccountToken", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "enableServiceLinks",
                "setHostnameAsFQDN", "hostUsers"],
        [
            "containers": .list(container), "initContainers": .list(container), "ephemeralContainers": .list(.any),
            "volumes": .list(.any), "nodeSelector": .map(.string), "securityContext": .any, "affinity": .any,
            "imagePullSecrets": .list(.object(["name": .string])), "tolerations": .list(.any), "hostAliases": .list(.any),
            "dnsConfig": .any, "readinessGates": .list(.any), "overhead": .map(.quantity), "topologySpreadConstraints": .list(.any),
            "os": .any, "schedulingGates": .list(.any), "resourceClaims": .list(.any), "resources": .any,
        ]))

    static let container = FieldShape.object(fields(
        values: ["name", "image", "workingDir", "restartPolicy", "terminationMessagePath", "terminationMessagePolicy",
                 "imagePullPolicy"],
        bools: ["stdin", "stdinOnce", "tty"],
        [
            "command": .list(.string), "args": .list(.string),
            "ports": .list(.object(fields(values: ["name", "protocol", "hostIP"], ints: ["hostPort", "containerPort"]))),
            "envFrom": .list(.any),
            "env": .list(.object(["name": .string, "value": .string, "valueFrom": .any])),
            "resources": .object(["limits": .map(.quantity), "requests": .map(.quantity), "claims": .list(.any)]),
            "resizePolicy": .list(.any), "volumeMounts": .list(.any), "volumeDevices": .list(.any),
            "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe, "lifecycle": .any, "securityContext": .any,
        ]))

    static let probe = FieldShape.object(fields(
        values: [],
        ints: ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
               "terminationGracePeriodSeconds"],
        [
            "exec": .any, "tcpSocket": .any, "grpc": .any,
            "httpGet": .object(fields(values: ["path", "host", "scheme"], intOrStrings: ["port"], ["httpHeaders": .list(.any)])),
        ]))

    static let deploymentSpec = FieldShape.object(fields(
        values: [],
        ints: ["replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"],
        bools: ["paused"],
        [
            "selector": labelSelector, "template": podTemplate,
            "strategy": .object(["type": .string, "rollingUpdate": .object(["maxUnavailable": .intOrString, "maxSurge": .intOrString])]),
        ]))

    static let jobSpec = FieldShape.object(fields(
        values: ["completionMode", "podReplacementPolicy", "managedBy"],
        ints: ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes",
               "ttlSecondsAfterFinished"],
        bools: ["manualSelector", "suspend"],
        ["selector": labelSelector, "template": podTemplate, "podFailurePolicy": .any, "successPolicy": .any]))

    static let serviceSpec = FieldShape.object(fields(
        values: ["clusterIP", "type", "sessionAffinity", "loadBalancerIP", "externalName", "externalTrafficPolicy", "ipFamilyPolicy",
                 "loadBalancerClass", "internalTrafficPolicy", "trafficDistribution"],
        ints: ["healthCheckNodePort"],
        bools: ["publishNotReadyAddresses", "allocateLoadBalancerNodePorts"],
        [
            "ports": .list(.object(fields(values: ["name", "protocol", "appProtocol"], ints: ["port", "nodePort"], intOrStrings: ["targetPort"]))),
            "selector": .map(.string), "clusterIPs": .list(.string), "externalIPs": .list(.string),
            "loadBalancerSourceRanges": .list(.string), "sessionAffinityConfig": .any, "ipFamilies": .list(.string),
        ]))

    /// Scalar members by name and Go type (strings unless said otherwise), plus the structured ones.
    private static func fields(
        values: [String], ints: [String] = [], bools: [String] = [], intOrStrings: [String] = [], _ structured: [String: FieldShape] = [:]
    ) -> [String: FieldShape] {
        var members = structured
        for name in values { members[name] = .string }
        for name in ints { members[name] = .int }
        for name in bools { members[name] = .bool }
        for name in intOrStrings { members[name] = .intOrString }
        return members
    }
}
