import JSON
import Model

/// The CustomResourceDefinition of each kind, with its schema derived from the Swift types.
public enum CustomResourceDefinitions {
    public static func all() -> [JSONValue] {
        AnyResource.kinds.map { definition(for: $0) }
    }

    public static func definition(for kind: any Resource.Type) -> JSONValue {
        definition(kind)
    }

    /// `manifests/crds/` as files: name and YAML text.
    public static func files() throws -> [(name: String, yaml: String)] {
        try AnyResource.kinds.map { kind in
            let header = "# Generated from the Swift types by `hmsctl crds`; do not edit.\n"
            return ("\(API.group)_\(kind.plural).yaml", header + (try ResourceWriter.yaml([definition(for: kind)])))
        }
    }

    private static func definition<R: Resource>(_ kind: R.Type) -> JSONValue {
        let name = "\(kind.plural).\(API.group)"
        let version: [String: JSONValue] = [
            "name": .string(API.version),
            "served": .bool(true),
            "storage": .bool(true),
            "schema": .object(["openAPIV3Schema": OpenAPISchema.resource(kind).json]),
            "subresources": .object(["status": .object([:])]),
            "additionalPrinterColumns": .array(printerColumns(kind).map(\.json)),
        ]
        return .object([
            "apiVersion": .string("apiextensions.k8s.io/v1"),
            "kind": .string("CustomResourceDefinition"),
            "metadata": .object([
                "name": .string(name),
                "labels": .object(["app.kubernetes.io/part-of": .string("hms-controller")]),
            ]),
            "spec": .object([
                "group": .string(API.group),
                "scope": .string("Namespaced"),
                "names": .object([
                    "kind": .string(kind.kind),
                    "listKind": .string("\(kind.kind)List"),
                    "plural": .string(kind.plural),
                    "singular": .string(kind.singular),
                    "shortNames": .array(kind.shortNames.map(JSONValue.string)),
                    "categories": .array([.string("hms")]),
                ]),
                "versions": .array([.object(version)]),
            ]),
        ])
    }

    public struct Column: Sendable {
        public var name: String
        public var type: String
        public var path: String
        /// 0: always shown; 1: only with `-o wide`.
        public var priority = 0

        var json: JSONValue {
            var object: [String: JSONValue] = ["name": .string(name), "type": .string(type), "jsonPath": .string(path)]
            if priority > 0 { object["priority"] = .int(priority) }
            return .object(object)
        }
    }

    /// What `kubectl get` shows for each kind.
    public static func printerColumns(_ kind: any Resource.Type) -> [Column] {
        let ready = Column(name: "Ready", type: "string", path: ".status.conditions[?(@.type==\"Ready\")].status")
        let age = Column(name: "Age", type: "date", path: ".metadata.creationTimestamp")
        switch kind {
        case is ServiceSpec.Type:
            return [
                Column(name: "Image", type: "string", path: ".spec.image", priority: 1),
                Column(name: "Desired", type: "integer", path: ".spec.replicas"),
                Column(name: "Ready-Replicas", type: "integer", path: ".status.readyReplicas"),
                Column(name: "Cost/h", type: "number", path: ".status.costUSDPerHour"),
                ready, age,
            ]
        case is AutoscaleRule.Type:
            return [
                Column(name: "Target", type: "string", path: ".spec.target"),
                Column(name: "Min", type: "integer", path: ".spec.minReplicas"),
                Column(name: "Max", type: "integer", path: ".spec.maxReplicas"),
                Column(name: "Current", type: "integer", path: ".status.currentReplicas"),
                Column(name: "Desired", type: "integer", path: ".status.desiredReplicas"),
                Column(name: "Mode", type: "string", path: ".spec.mode", priority: 1),
                age,
            ]
        case is Budget.Type:
            return [
                Column(name: "Limit", type: "number", path: ".spec.monthlyLimitUSD"),
                Column(name: "Spent", type: "number", path: ".status.spentUSD"),
                Column(name: "Projected", type: "number", path: ".status.projectedUSD"),
                Column(name: "Enforcement", type: "string", path: ".spec.enforcement", priority: 1),
                age,
            ]
        case is Directive.Type:
            return [
                Column(name: "Schedule", type: "string", path: ".spec.schedule"),
                Column(name: "Time-Zone", type: "string", path: ".spec.timeZone"),
                Column(name: "Last-Run", type: "date", path: ".status.lastScheduleTime"),
                Column(name: "Next-Run", type: "string", path: ".status.nextRunTime", priority: 1),
                age,
            ]
        case is GovernancePolicy.Type:
            return [
                Column(name: "Approval-Above", type: "integer", path: ".spec.maxReplicasWithoutApproval"),
                Column(name: "Frozen", type: "string", path: ".status.activeFreezeWindow"),
                age,
            ]
        case is Approval.Type:
            return [
                Column(name: "Action", type: "string", path: ".spec.action"),
                Column(name: "Decision", type: "string", path: ".spec.decision"),
                Column(name: "By", type: "string", path: ".spec.approvedBy"),
                Column(name: "Expires", type: "string", path: ".spec.expiresAt"),
                age,
            ]
        default:
            return [age]
        }
    }
}
