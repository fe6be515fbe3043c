import Foundation
import JSON

/// metrics.k8s.io (what metrics-server serves: `kubectl top`) and custom.metrics.k8s.io (per-pod
/// `http_rps`, as a Prometheus adapter would serve it), computed from the load tests set.
extension MockCluster {
    /// Idle CPU of a running pod, and its memory, when no load reaches it.
    static let idleMillicores = 2.0
    static let podMemoryBytes = 48 * 1024 * 1024

    func metricsResponse(group: String, _ segments: [String], request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        var rest = segments[...]
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
        if group == "metrics.k8s.io" {
            switch (rest.first, rest.count) {
            case ("pods", 1):
                let items = runningPods(namespace: namespace).filter { labels.matches($0.labels) }.map { podMetrics($0.value, now: now) }
                return .json(["kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [:], "items": .array(items)])
            case ("pods", 2):
                let name = rest[rest.startIndex + 1]
                guard let pod = runningPods(namespace: namespace ?? "default").first(where: { ObjectKey(object: $0.value).name == name }) else {
                    throw .notFound(BuiltInTypes.podMetrics, name)
                }
                return .json(podMetrics(pod.value, now: now))
            case ("nodes", 1):
                return .json(["kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [:], "items": [nodeMetrics(now: now)]])
            case ("nodes", 2) where rest.last == settings.nodeName:
                return .json(nodeMetrics(now: now))
            default:
                throw .notFoundPath
            }
        }
        // custom.metrics.k8s.io/v1beta2/namespaces/{ns}/pods/{name or *}/{metric}
        guard let namespace, rest.count == 3, rest.first == "pods", let metric = rest.last else { throw .notFoundPath }
        let name = rest[rest.startIndex + 1]
        guard metric == "http_rps" else {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the metric \(metric) for pods")
        }
        let pods = runningPods(namespace: namespace).filter { labels.matches($0.labels) && (name == "*" || ObjectKey(object: $0.value).name == name) }
        let items: [JSONValue] = pods.map { pod in
            [
                "describedObject": ["kind": "Pod", "namespace": .string(namespace), "name": pod.value[path: ["metadata", "name"]] ?? "", "apiVersion": "/v1"],
                "metric": ["name": .string(metric), "selector": .null],
                "timestamp": .string(timestamp(now)), "windowSeconds": 60,
                "value": .string(Self.quantity(usage(of: pod.value).rps)),
            ]
        }
        return .json(["kind": "MetricValueList", "apiVersion": "custom.metrics.k8s.io/v1beta2", "metadata": [:], "items": .array(items)])
    }

    private func runningPods(namespace: String?) -> [StoredObject] {
        store.list(BuiltInTypes.pods.id, namespace: namespace).filter { $0.value[path: ["status", "phase"]] == "Running" }
    }

    /// A pod's share of its Deployment's load: only ready pods receive traffic.
    func usage(of pod: JSONValue) -> (rps: Double, millicores: Double) {
        guard Self.isReady(pod), let owner = Self.owners(of: pod).first, let deployment = simulation.deploymentsByUID[owner],
            let load = loads[deployment]
        else { return (0, Self.idleMillicores) }
        let ready = pods(ownedBy: owner).filter(Self.isReady).count
        let rps = load.httpRPS / Double(max(ready, 1))
        return (rps, Self.idleMillicores + rps * load.cpuMillisPerRequest)
    }

    private func podMetrics(_ pod: JSONValue, now: Date) -> JSONValue {
        let cpu = usage(of: pod).millicores
        let metadata = pod["metadata"] ?? [:]
        return [
            "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": ["name": metadata["name"] ?? "", "namespace": metadata["namespace"] ?? "", "labels": metadata["labels"] ?? [:],
                         "creationTimestamp": .string(timestamp(now))],
            "timestamp": .string(timestamp(now)), "window": "15s",
            "containers": .array((pod[path: ["spec", "containers"]]?.arrayValue ?? []).prefix(1).map { container in
                ["name": container["name"] ?? "", "usage": ["cpu": .string("\(Self.nanocores(cpu))n"), "memory": .string("\(Self.podMemoryBytes / 1024)Ki")]]
            }),
        ]
    }

    private func nodeMetrics(now: Date) -> JSONValue {
        let pods = runningPods(namespace: nil)
        let cpu = pods.reduce(0) { $0 + usage(of: $1.value).millicores }
        return [
            "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": ["name": .string(settings.nodeName), "creationTimestamp": .string(timestamp(now))],
            "timestamp": .string(timestamp(now)), "window": "15s",
            "usage": ["cpu": .string("\(Self.nanocores(cpu))n"), "memory": .string("\((pods.count * Self.podMemoryBytes + 512 << 20) / 1024)Ki")],
        ]
    }

    /// Millicores as whole nanocores, saturating rather than trapping on a value no test means.
    static func nanocores(_ millicores: Double) -> Int {
        let nano = (millicores * 1_000_000).rounded()
        return nano.isFinite ? Int(max(0, min(nano, 9e18))) : 0
    }

    /// A Kubernetes quantity for a metric value: whole numbers plain, fractions in milli-units.
    static func quantity(_ value: Double) -> String {
        let milli = (value * 1000).rounded()
        return milli.truncatingRemainder(dividingBy: 1000) == 0 ? String(Int(milli / 1000)) : "\(Int(milli))m"
    }

    // MARK: - Fixtures

    func newNamespace(_ name: String, now: Date) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": ["name": .string(name), "uid": .string(MockCluster.fixedUID(name)), "creationTimestamp": .string(timestamp(now)),
                         "labels": ["kubernetes.io/metadata.name": .string(name)]],
            "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
        ]
    }

    func newNode(now: Date) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(settings.nodeName), "uid": .string(MockCluster.fixedUID(settings.nodeName)),
                         "creationTimestamp": .string(timestamp(now)), "labels": ["kubernetes.io/hostname": .string(settings.nodeName), "kubernetes.io/os": "linux"]],
            "spec": [:],
            "status": [
                "capacity": ["cpu": "16", "memory": "65536Mi", "pods": "1000"],
                "allocatable": ["cpu": "16", "memory": "65536Mi", "pods": "1000"],
                "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                                "lastHeartbeatTime": .string(timestamp(now)), "lastTransitionTime": .string(timestamp(now))]],
                "addresses": [["type": "InternalIP", "address": "192.168.49.2"], ["type": "Hostname", "address": .string(settings.nodeName)]],
                "nodeInfo": ["kubeletVersion": "v1.32.4", "containerRuntimeVersion": "containerd://1.7.24", "operatingSystem": "linux",
                             "architecture": "amd64", "osImage": "hms mock", "kernelVersion": "6.1.0", "machineID": "", "systemUUID": "",
                             "bootID": "", "kubeProxyVersion": "v1.32.4"],
            ],
        ]
    }

    /// A uid that names the same built-in object on every start.
    static func fixedUID(_ name: String) -> String {
        let hash = Array(templateHash(.string(name)) + templateHash(.string(name + "/")) + templateHash(.string(name + "//")) + "00")
        let hex = hash.map { String(Int($0.asciiValue ?? 0) % 16, radix: 16) }
        return [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]].map { $0.joined() }.joined(separator: "-")
    }
}
