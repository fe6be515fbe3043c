import Foundation
import JSON
import Model

/// Identifies an object: kind, namespace and name.
public struct ObjectRef: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var kind: ObjectKind
    public var namespace: String
    public var name: String

    public init(kind: ObjectKind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public static func < (left: ObjectRef, right: ObjectRef) -> Bool {
        (left.namespace, left.name, left.kind) < (right.namespace, right.name, right.kind)
    }

    public var description: String { "\(kind) \(namespace)/\(name)" }
}

/// What the operators declared: our resources, as decoded from manifests or read from the cluster.
public struct DesiredState: Sendable {
    public var services: [ServiceSpec] = []
    public var autoscaleRules: [AutoscaleRule] = []
    public var budgets: [Budget] = []
    public var directives: [Directive] = []
    public var policies: [GovernancePolicy] = []
    public var approvals: [Approval] = []
    /// Whether the cluster still lets each Approval's author approve (asked by the shell): the
    /// gate honours an Approval only when its approver is `.authorized`.
    public var approverStandings = ApproverStandings()
    /// Objects of our kinds that the cluster holds but that do not decode or validate. They are
    /// not planned for, but their presence still counts: what they may own is never pruned, and
    /// an invalid GovernancePolicy or Budget holds back the changes it could have governed.
    public var invalid: [InvalidObject] = []

    public init(_ resources: [AnyResource] = [], invalid: [InvalidObject] = []) {
        self.invalid = invalid
        for resource in resources {
            switch resource {
            case .serviceSpec(let service): services.append(service)
            case .autoscaleRule(let rule): autoscaleRules.append(rule)
            case .budget(let budget): budgets.append(budget)
            case .directive(let directive): directives.append(directive)
            case .governancePolicy(let policy): policies.append(policy)
            case .approval(let approval): approvals.append(approval)
            }
        }
    }
}

/// What the cluster holds, as the observer read it: typed snapshots of the objects, read from
/// their JSON once, so that planning compares values rather than walking documents.
public struct ObservedState: Sendable {
    public var deployments: [ObjectRef: ObservedDeployment] = [:]
    public var services: [ObjectRef: ObservedService] = [:]
    /// Pods by owning Deployment, each with how many health checks it failed in a row.
    public var pods: [ObjectRef: [ObservedPod]] = [:]
    /// The Jobs of Directives, by Directive.
    public var directiveJobs: [ObjectRef: [ObservedJob]] = [:]

    public init() {}

    public init(deployments: [JSONValue], services: [JSONValue] = [], pods: [ObservedPod] = [], jobs: [JSONValue] = []) {
        self.deployments.reserveCapacity(deployments.count)
        for object in deployments {
            let deployment = ObservedDeployment(object)
            self.deployments[deployment.ref] = deployment
        }
        for object in services {
            let service = ObservedService(object)
            self.services[service.ref] = service
        }
        for pod in pods {
            self.pods[ObjectRef(kind: .deployment, namespace: pod.namespace, name: pod.deployment), default: []].append(pod)
        }
        for object in jobs {
            guard let job = ObservedJob(object) else { continue }
            directiveJobs[ObjectRef(kind: .directive, namespace: job.namespace, name: job.directive), default: []].append(job)
        }
    }

    public static func ref(_ kind: ObjectKind, _ object: JSONValue) -> ObjectRef {
        ObjectRef(
            kind: kind, namespace: object["metadata"]?["namespace"]?.stringValue ?? "default",
            name: object["metadata"]?["name"]?.stringValue ?? "")
    }
}

/// The parts of a live Service that planning looks at: whose it is, the port it serves, and the
/// object itself (compared through field ownership, `ServiceDiff`).
public struct ObservedService: Sendable, Equatable {
    public var ref: ObjectRef
    /// Carries our managed-by label: we may change it.
    public var isManaged: Bool
    /// Its first port (nil when absent): what the plan shows it moving from.
    public var port: Int?
    /// Its uid, owner and source, as a Deployment's (see `ObservedDeployment`): what a prune of a
    /// Service left without its Deployment confirms and deletes on.
    public var uid: String?
    public var owner: ServiceSpecOwner?
    public var fromManifests: Bool
    /// The object as read, without its status: what `OwnedFieldComparison` compares ours with,
    /// its managedFields included.
    public var object: JSONValue

    public init(_ object: JSONValue) {
        ref = ObservedState.ref(.service, object)
        isManaged = object[path: ["metadata", "labels", Rendering.managedByKey]]?.stringValue == Rendering.managedByValue
        uid = object[path: ["metadata", "uid"]]?.stringValue
        owner = ServiceSpecOwner(ownerReferences: object[path: ["metadata", "ownerReferences"]])
        fromManifests = object[path: ["metadata", "annotations", Rendering.sourceKey]]?.stringValue == Rendering.sourceManifests
        port = object[path: ["spec", "ports"]]?.arrayValue?.first?["port"]?.intValue
        var object = object
        object["status"] = nil
        self.object = object
    }
}

/// The parts of a live Deployment that planning looks at: what we set, and how it is doing.
public struct ObservedDeployment: Sendable, Equatable {
    public var ref: ObjectRef
    /// Carries our managed-by label: we may change it.
    public var isManaged: Bool
    public var replicas: Int
    public var readyReplicas: Int
    /// The rolling-restart stamp on its pod template.
    public var restartedAt: String?
    /// Its own uid: a delete is conditional on it, so it never removes a successor of the same name.
    public var uid: String?
    /// The version read: with the uid, what a comparison with it is remembered by (`RenderedDeployment.comparison`).
    public var resourceVersion: String?
    /// The ServiceSpec its controller ownerReference names, if it has one.
    public var owner: ServiceSpecOwner?
    /// Made by a controller reading a manifests directory (`Rendering.sourceKey`).
    public var fromManifests: Bool
    /// The field managers that own `spec.replicas`, from its managedFields (sorted, each once).
    public var replicaManagers: [String]
    /// Every container and init container of its pod template (what `ForeignContainer` judges).
    public var templateContainers: [TemplateContainer]
    /// The fields our own apply entry owns (`Rendering.workloadFieldManager`, operation Apply), as
    /// paths; nil without such an entry. Decoded from its `fieldsV1` here, once per version the
    /// informer reads, rather than by every plan that compares it (`OwnedFieldComparison`).
    public var appliedFields: [[PathElement]]?
    /// The object as read, without its status: what `OwnedFieldComparison` compares ours with,
    /// its managedFields included.
    public var object: JSONValue

    public init(_ object: JSONValue) {
        ref = ObservedState.ref(.deployment, object)
        let metadata = object["metadata"]
        isManaged = metadata?["labels"]?[Rendering.managedByKey]?.stringValue == Rendering.managedByValue
        uid = metadata?["uid"]?.stringValue
        resourceVersion = metadata?["resourceVersion"]?.stringValue
        owner = ServiceSpecOwner(ownerReferences: metadata?["ownerReferences"])
        fromManifests = metadata?["annotations"]?[Rendering.sourceKey]?.stringValue == Rendering.sourceManifests
        let spec = object["spec"]
        replicas = spec?["replicas"]?.intValue ?? 1
        readyReplicas = object["status"]?["readyReplicas"]?.intValue ?? 0
        let template = spec?["template"]
        restartedAt = template?["metadata"]?["annotations"]?[Rendering.restartedAtKey]?.stringValue
        replicaManagers = Self.managers(owning: ["f:spec", "f:replicas"], in: metadata?["managedFields"])
        templateContainers = TemplateContainer.all(in: template, managedFields: metadata?["managedFields"])
        appliedFields = OwnedFieldComparison.appliedFields(in: object, applier: Rendering.workloadFieldManager)?.paths
        var object = object
        object["status"] = nil
        self.object = object
    }

    /// Our container in its pod template: the one named as `Rendering.container` names it, which
    /// is the list-map key our apply owns (`k:{"name":...}`) and the element `OwnedFieldComparison`
    /// matches ours with. Never merely the first: a sidecar injected in front of it (a mesh, an
    /// agent) is another manager's. nil when the template has none of that name: our apply adds it.
    public func ownContainer(for service: ServiceSpec) -> TemplateContainer? {
        let name = Rendering.containerName(service)
        return templateContainers.first { $0.role == .container && $0.name == name }
    }

    /// Who owns a field, by the server's record: managedFields entries whose fieldsV1 set holds it.
    static func managers(owning path: [String], in managedFields: JSONValue?) -> [String] {
        let owners = (managedFields?.arrayValue ?? []).compactMap { entry -> String? in
            guard let manager = entry["manager"]?.stringValue, entry["fieldsV1"]?[path: path] != nil else { return nil }
            return manager
        }
        return Array(Set(owners)).sorted()
    }
}

/// The ServiceSpec a managed object belongs to, from its controller ownerReference.
public struct ServiceSpecOwner: Sendable, Equatable, Hashable {
    public var name: String
    public var uid: String

    public init(name: String, uid: String) {
        self.name = name
        self.uid = uid
    }

    /// The controller reference of kind ServiceSpec in our group, if any.
    init?(ownerReferences: JSONValue?) {
        let controller = (ownerReferences?.arrayValue ?? []).first { reference in
            reference["controller"]?.boolValue == true && reference["kind"]?.stringValue == ServiceSpec.kind
                && reference["apiVersion"]?.stringValue == API.apiVersion
        }
        guard let name = controller?["name"]?.stringValue, let uid = controller?["uid"]?.stringValue else { return nil }
        self.init(name: name, uid: uid)
    }
}

public struct ObservedPod: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var deployment: String
    public var ready: Bool
    /// When its Ready condition last turned False (kubelet sets it after failureThreshold failed
    /// readiness probes in a row); nil while ready, while not yet running (a pod starting up is
    /// not failing its check) or when not reported.
    public var unreadySince: Date?
    public var createdAt: Date?
    /// Set while the pod is terminating.
    public var deletedAt: Date?

    public init(namespace: String, name: String, deployment: String, ready: Bool, unreadySince: Date? = nil,
                createdAt: Date? = nil, deletedAt: Date? = nil) {
        self.namespace = namespace
        self.name = name
        self.deployment = deployment
        self.ready = ready
        self.unreadySince = ready ? nil : unreadySince
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }

    /// The facts of a Pod object from the API; nil without a name or the `app` label.
    public init?(_ pod: JSONValue) {
        guard let name = pod[path: ["metadata", "name"]]?.stringValue, !name.isEmpty,
              let owner = pod[path: ["metadata", "labels", "app"]]?.stringValue
        else { return nil }
        let readyCondition = (pod[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"] == "Ready" }
        let ready = readyCondition?["status"] == "True"
        let running = pod[path: ["status", "phase"]] == "Running"
        func time(_ value: JSONValue?) -> Date? { value?.stringValue.flatMap(RFC3339.date(from:)) }
        self.init(namespace: pod[path: ["metadata", "namespace"]]?.stringValue ?? "default", name: name, deployment: owner, ready: ready,
                  unreadySince: running ? time(readyCondition?["lastTransitionTime"]) : nil,
                  createdAt: time(pod[path: ["metadata", "creationTimestamp"]]),
                  deletedAt: time(pod[path: ["metadata", "deletionTimestamp"]]))
    }
}

/// Money already spent, per Budget, this month. Kept in each Budget's status, so it survives restarts.
public struct Ledger: Sendable, Equatable {
    public var spentUSD: [ObjectRef: Double]

    public init(spentUSD: [ObjectRef: Double] = [:]) { self.spentUSD = spentUSD }

    /// Reads the spend from the Budgets' status, counting only the current month's.
    public init(budgets: [Budget], now: Date) {
        var spent: [ObjectRef: Double] = [:]
        let month = Self.month(of: now)
        for budget in budgets where budget.status?.month == month {
            spent[budget.ref] = budget.status?.spentUSD ?? 0
        }
        spentUSD = spent
    }

    /// `2026-11`: months are UTC calendar months.
    public static func month(of date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    /// Hours from `now` to the start of the next UTC month.
    public static func hoursLeftInMonth(_ now: Date) -> Double {
        let calendar = Calendar.utc
        let start = calendar.dateInterval(of: .month, for: now)
        let end = start.map { $0.end } ?? now
        return max(0, end.timeIntervalSince(now) / 3600)
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()
}

extension Resource {
    /// This resource's reference; the namespace defaults as kubectl's does.
    public var ref: ObjectRef {
        ObjectRef(kind: ObjectKind(Self.self), namespace: metadata.namespace ?? "default", name: metadata.name)
    }
}
