import Foundation
import JSON

/// The Kubernetes types the mock serves natively, with the columns kubectl 1.32 users expect.
enum BuiltInTypes {
    static let namespaces = ResourceType(
        group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace", namespaced: false,
        shortNames: ["ns"], subresources: ["status", "finalize"],
        columns: [.path("Status", "status.phase"), .age], returnsDeletedObject: true)

    static let nodes = ResourceType(
        group: "", version: "v1", kind: "Node", plural: "nodes", singular: "node", namespaced: false,
        shortNames: ["no"], subresources: ["status"],
        columns: [
            Column(name: "Status") { object, _ in
                let ready = object[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "Ready" }
                return .string(ready?["status"] == "True" ? "Ready" : "NotReady")
            },
            Column(name: "Roles") { _, _ in "<none>" },
            .age,
            .path("Version", "status.nodeInfo.kubeletVersion"),
        ])

    static let pods = ResourceType(
        group: "", version: "v1", kind: "Pod", plural: "pods", singular: "pod", namespaced: true,
        shortNames: ["po"], categories: ["all"], subresources: ["status", "log"],
        columns: [
            Column(name: "Ready") { pod, _ in
                let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
                let total = pod[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
                return .string("\(statuses.filter { $0["ready"] == true }.count)/\(total)")
            },
            Column(name: "Status") { pod, _ in
                if pod[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
                let waiting = pod[path: ["status", "containerStatuses"]]?.arrayValue?.compactMap { $0[path: ["state", "waiting", "reason"]] }.first
                return waiting ?? pod[path: ["status", "phase"]] ?? "Pending"
            },
            Column(name: "Restarts", type: "string") { pod, _ in
                let restarts = (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
                return .string(String(restarts))
            },
            .age,
            Column(name: "IP", priority: 1) { pod, _ in pod[path: ["status", "podIP"]] ?? "<none>" },
            Column(name: "Node", priority: 1) { pod, _ in pod[path: ["spec", "nodeName"]] ?? "<none>" },
        ],
        returnsDeletedObject: true)

    static let services = ResourceType(
        group: "", version: "v1", kind: "Service", plural: "services", singular: "service", namespaced: true,
        shortNames: ["svc"], categories: ["all"], subresources: ["status"],
        columns: [
            .path("Type", "spec.type"),
            .path("Cluster-IP", "spec.clusterIP"),
            Column(name: "External-IP") { _, _ in "<none>" },
            Column(name: "Port(s)") { service, _ in
                let ports = (service[path: ["spec", "ports"]]?.arrayValue ?? []).map {
                    "\($0["port"]?.intValue ?? 0)/\($0["protocol"]?.stringValue ?? "TCP")"
                }
                return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
            },
            .age,
            Column(name: "Selector", priority: 1) { service, _ in
                let selector = (service[path: ["spec", "selector"]]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                return .string(selector.isEmpty ? "<none>" : selector.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ","))
            },
        ],
        returnsDeletedObject: true)

    static let configMaps = ResourceType(
        group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap", namespaced: true,
        shortNames: ["cm"],
        columns: [
            Column(name: "Data", type: "integer") { map, _ in
                .int((map["data"]?.objectValue?.count ?? 0) + (map["binaryData"]?.objectValue?.count ?? 0))
            },
            .age,
        ])

    static let events = ResourceType(
        group: "", version: "v1", kind: "Event", plural: "events", singular: "event", namespaced: true,
        shortNames: ["ev"],
        columns: [
            Column(name: "Last Seen") { event, now in
                .string(humanAge((event["lastTimestamp"] ?? event["eventTime"])?.stringValue, now: now))
            },
            .path("Type", "type"),
            .path("Reason", "reason"),
            Column(name: "Object") { event, _ in
                let kind = event[path: ["involvedObject", "kind"]]?.stringValue?.lowercased() ?? ""
                return .string("\(kind)/\(event[path: ["involvedObject", "name"]]?.stringValue ?? "")")
            },
            .path("Message", "message"),
        ])

    static let deployments = ResourceType(
        group: "apps", version: "v1", kind: "Deployment", plural: "deployments", singular: "deployment", namespaced: true,
        shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"],
        columns: [
            Column(name: "Ready") { deployment, _ in
                let ready = deployment[path: ["status", "readyReplicas"]]?.intValue ?? 0
                return .string("\(ready)/\(deployment[path: ["spec", "replicas"]]?.intValue ?? 1)")
            },
            Column(name: "Up-to-date", type: "integer") { deployment, _ in deployment[path: ["status", "updatedReplicas"]] ?? 0 },
            Column(name: "Available", type: "integer") { deployment, _ in deployment[path: ["status", "availableReplicas"]] ?? 0 },
            .age,
            Column(name: "Containers", priority: 1) { deployment, _ in
                .string(containers(deployment).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
            },
            Column(name: "Images", priority: 1) { deployment, _ in
                .string(containers(deployment).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
            },
            Column(name: "Selector", priority: 1) { deployment, _ in
                .string(LabelSelector(object: deployment[path: ["spec", "selector"]]).text)
            },
        ])

    static let jobs = ResourceType(
        group: "batch", version: "v1", kind: "Job", plural: "jobs", singular: "job", namespaced: true,
        categories: ["all"], subresources: ["status"],
        columns: [
            Column(name: "Status") { job, _ in
                let conditions = job[path: ["status", "conditions"]]?.arrayValue ?? []
                func has(_ type: String) -> Bool { conditions.contains { $0["type"]?.stringValue == type && $0["status"] == "True" } }
                if has("Complete") { return "Complete" }
                if has("Failed") { return "Failed" }
                return "Running"
            },
            Column(name: "Completions") { job, _ in
                .string("\(job[path: ["status", "succeeded"]]?.intValue ?? 0)/\(job[path: ["spec", "completions"]]?.intValue ?? 1)")
            },
            Column(name: "Duration") { job, now in
                guard let start = job[path: ["status", "startTime"]]?.stringValue.flatMap(parseTimestamp) else { return "" }
                let end = job[path: ["status", "completionTime"]]?.stringValue.flatMap(parseTimestamp) ?? now
                return .string(humanDuration(end.timeIntervalSince(start)))
            },
            .age,
        ])

    static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", singular: "lease", namespaced: true,
        columns: [.path("Holder", "spec.holderIdentity"), .age])

    static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions", singular: "customresourcedefinition", namespaced: false,
        shortNames: ["crd", "crds"], subresources: ["status"],
        columns: [.path("Created At", "metadata.creationTimestamp", type: "date")], returnsDeletedObject: true)

    static let podMetrics = ResourceType(
        group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics", plural: "pods", singular: "", namespaced: true,
        verbs: ["get", "list"], isStored: false)

    static let nodeMetrics = ResourceType(
        group: "metrics.k8s.io", version: "v1beta1", kind: "NodeMetrics", plural: "nodes", singular: "", namespaced: false,
        verbs: ["get", "list"], isStored: false)

    /// Served as a Prometheus adapter serves it: `pods/{metric}` under custom.metrics.k8s.io.
    static let customPodMetric = ResourceType(
        group: "custom.metrics.k8s.io", version: "v1beta2", kind: "MetricValueList", plural: "pods/http_rps", singular: "",
        namespaced: true, verbs: ["get"], isStored: false)

    /// Reviews are created and answered, never stored: `Reviews.swift`.
    static let tokenReviews = ResourceType(
        group: "authentication.k8s.io", version: "v1", kind: "TokenReview", plural: "tokenreviews", singular: "tokenreview",
        namespaced: false, verbs: ["create"], isStored: false)

    static let subjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview", plural: "subjectaccessreviews",
        singular: "subjectaccessreview", namespaced: false, verbs: ["create"], isStored: false)

    static let stored = [namespaces, nodes, pods, services, configMaps, events, deployments, jobs, leases, customResourceDefinitions]
        + AccessTypes.stored
    static let all = stored + [tokenReviews, subjectAccessReviews, LocalAccessReviews.type, podMetrics, nodeMetrics, customPodMetric] + AccessTypes.answered

    static func containers(_ deployment: JSONValue) -> [JSONValue] {
        deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
    }
}

extension ResourceType {
    /// The type a CustomResourceDefinition defines, for its served storage version.
    init?(definition crd: JSONValue) {
        guard let group = crd[path: ["spec", "group"]]?.stringValue,
            let names = crd[path: ["spec", "names"]],
            let kind = names["kind"]?.stringValue, let plural = names["plural"]?.stringValue
        else { return nil }
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        guard let served = versions.first(where: { $0["storage"] == true }) ?? versions.first,
            let version = served["name"]?.stringValue
        else { return nil }
        self.init(
            group: group, version: version, kind: kind, plural: plural,
            singular: names["singular"]?.stringValue ?? kind.lowercased(),
            namespaced: crd[path: ["spec", "scope"]]?.stringValue != "Cluster",
            shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
            categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
            subresources: (served["subresources"]?.objectValue ?? [:]).keys.sorted(),
            isBuiltIn: false)
        var columns: [Column] = []
        for printer in served["additionalPrinterColumns"]?.arrayValue ?? [] {
            guard let name = printer["name"]?.stringValue, let jsonPath = printer["jsonPath"]?.stringValue else { continue }
            let type = printer["type"]?.stringValue ?? "string"
            var column = Column(name: name, type: type, priority: printer["priority"]?.intValue ?? 0) { object, now in
                let value = object.value(atJSONPath: jsonPath) ?? .null
                // Dates print as an age, as the apiserver's CRD printer does.
                if type == "date", let text = value.stringValue { return .string(humanAge(text, now: now)) }
                return value
            }
            column.description = printer["description"]?.stringValue ?? ""
            columns.append(column)
        }
        self.columns = columns.contains { $0.name == "Age" } ? columns : columns + [.age]
    }
}
