import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport

/// Our kinds as an operator would apply them: JSON, straight to the API (the mock validates them
/// against the CRDs of manifests/crds, as the API server would).
enum Declared {
    /// A service of one core per replica, labelled `program: aid` (what the Budgets select).
    static func serviceSpec(_ name: String, namespace: String = "default", replicas: Int, cpu: String = "1") -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["program": "aid"]],
            "spec": ["image": .string("registry.gov/\(name):1.0"), "replicas": .int(replicas), "port": 8080, "resources": ["cpu": .string(cpu)]],
        ]
    }

    /// A Budget over the `program: aid` services of its namespace: a core costs `coreHourUSD` an hour.
    static func budget(_ name: String, namespace: String = "default", limitUSD: Double, coreHourUSD: Double) -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "Budget",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "selector": ["matchLabels": ["program": "aid"]], "monthlyLimitUSD": .double(limitUSD),
                "pricing": ["cpuCoreHourUSD": .double(coreHourUSD), "memoryGiBHourUSD": 0],
            ],
        ]
    }

    static func policy(_ name: String, namespace: String = "default", maxReplicasWithoutApproval: Int) -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "GovernancePolicy",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["maxReplicasWithoutApproval": .int(maxReplicasWithoutApproval), "allowedRegistries": ["registry.gov/"]],
        ]
    }

    /// A Directive of one job on `schedule` (UTC), each run started once.
    static func directive(_ name: String, namespace: String = "default", schedule: String) -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "Directive",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["schedule": .string(schedule), "template": ["image": "registry.gov/batch:1"], "jobs": [["id": "only"]]],
        ]
    }

    /// Scales `target` on the mock's per-pod `http_rps`, `perPod` requests a second per replica.
    static func autoscaleRule(_ target: String, namespace: String = "default", maxReplicas: Int, perPod: Int) -> JSONValue {
        [
            "apiVersion": "ops.hms.gov/v1alpha1", "kind": "AutoscaleRule",
            "metadata": ["name": .string(target), "namespace": .string(namespace)],
            "spec": [
                "target": .string(target), "minReplicas": 1, "maxReplicas": .int(maxReplicas),
                "metrics": [["type": "pods", "name": "http_rps", "targetAverageValue": .int(perPod)]],
            ],
        ]
    }
}

extension LiveCluster {
    /// The controller's view of the cluster, writing as the controller does.
    var access: ClusterAccess { ClusterAccess(client: client, fieldManager: "hms-controller") }

    func createNamespace(_ name: String) async throws {
        let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
        _ = try await client.create(namespace, .namespaces)
    }

    /// Creates one of our kinds; returns it as stored (with its uid).
    @discardableResult
    func create(_ object: JSONValue) async throws -> JSONValue {
        try await client.create(object, try Self.type(of: object), namespace: object[path: ["metadata", "namespace"]]?.stringValue)
    }

    /// Changes a stored object of our kinds with a merge patch.
    func merge(_ object: JSONValue, _ patch: JSONValue) async throws {
        _ = try await client.patch(JSONValue.self, try Self.type(of: object), name: object[path: ["metadata", "name"]]?.stringValue ?? "",
                                   namespace: object[path: ["metadata", "namespace"]]?.stringValue, patch: patch.jsonBytes, patchType: .merge)
    }

    static func type(of object: JSONValue) throws -> ResourceType {
        guard let kind = object["kind"]?.stringValue.flatMap(AnyResource.kind(named:)) else {
            throw LiveClusterError("not one of our kinds: \(object["kind"] ?? .null)")
        }
        return .of(kind)
    }

    /// Our kinds as the controller reads them with lists (`hmsctl apply`, `--once`).
    func desiredState() async throws -> DesiredState {
        let resources = try await access.resources(namespace: nil)
        return DesiredState(resources.valid, invalid: resources.invalid)
    }

    func deployment(_ name: String, namespace: String = "default") async throws -> JSONValue? {
        try await access.getIfPresent(.deployments, namespace: namespace, name: name)
    }

    func serviceSpec(_ name: String, namespace: String = "default") async throws -> ServiceSpec {
        try await client.get(ServiceSpec.self, .of(ServiceSpec.self), name: name, namespace: namespace)
    }

    /// The Events about one object, by reason.
    func events(about name: String, namespace: String = "default") async throws -> [String: [String]] {
        let events = try await client.list(JSONValue.self, .events, namespace: namespace).items
        var byReason: [String: [String]] = [:]
        for event in events where event[path: ["involvedObject", "name"]]?.stringValue == name {
            byReason[event["reason"]?.stringValue ?? "", default: []].append(event["message"]?.stringValue ?? "")
        }
        return byReason
    }

    /// Two tenants' namespaces: in tenant-a a ServiceSpec whose CPU is out of range ("2000000" cores:
    /// the CRD's pattern takes a string quantity of any size, as its CEL bound covers integers
    /// only), in tenant-b a valid `web`.
    func seedTenants() async throws {
        try await installCRDs()
        try await createNamespace("tenant-a")
        try await createNamespace("tenant-b")
        try await create(Declared.serviceSpec("broken", namespace: "tenant-a", replicas: 1, cpu: "2000000"))
        try await create(Declared.serviceSpec("web", namespace: "tenant-b", replicas: 1))
    }

    /// Waits until the Deployment's pods are ready (the mock starts them in a fraction of a second).
    func waitUntilReady(_ name: String, namespace: String = "default", replicas: Int) async throws {
        try await eventually("\(namespace)/\(name) has \(replicas) ready replicas") {
            try await deployment(name, namespace: namespace)?[path: ["status", "readyReplicas"]]?.intValue == replicas
        }
    }
}

extension JSONValue {
    var replicas: Int? { self[path: ["spec", "replicas"]]?.intValue }
    var uid: String? { self[path: ["metadata", "uid"]]?.stringValue }
}

extension ServiceSpec {
    /// Each condition as `type=status reason`.
    var conditionSummary: [String] {
        (status?.conditions ?? []).map { "\($0.type)=\($0.status) \($0.reason ?? "")" }
    }
}

/// Monday 1 March 2027, 10:30 UTC: 733.5 hours to the end of the month.
let marchMorning = Date(timeIntervalSince1970: 1_803_897_000)
