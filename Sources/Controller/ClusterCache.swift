import Foundation
import JSON
import Kube
import Logging
import Model
import Planner

/// The informers the controller reads instead of listing: our six kinds, and the Deployments,
/// Services, managed Pods, Unhealthy Events and Directive Jobs they lead to. One cluster-wide
/// list and watch per kind; the work queue hears which keys each change touches.
public final class ClusterCache: Sendable {
    public let serviceSpecs = Informer<ServiceSpec, ServiceSpec>()
    public let autoscaleRules = Informer<AutoscaleRule, AutoscaleRule>()
    public let budgets = Informer<Budget, Budget>()
    public let directives = Informer<Directive, Directive>()
    public let policies = Informer<GovernancePolicy, GovernancePolicy>()
    public let approvals = Informer<Approval, Approval>()
    public let deployments = Informer<JSONValue, ObservedDeployment>(.deployments, kind: "Deployment") { ObservedDeployment($0) }
    public let services = Informer<JSONValue, Bool>(.services, kind: "Service") { _ in true }
    public let pods = Informer<JSONValue, PodFacts>(
        .pods, kind: "Pod", labelSelector: Rendering.servicePodSelector, project: PodFacts.init)
    public let unhealthy = Informer<JSONValue, UnhealthyReport>(.events, kind: "Event", fieldSelector: "reason=Unhealthy", project: UnhealthyReport.init)
    public let jobs = Informer<JSONValue, ObservedJob?>(.jobs, kind: "Job", labelSelector: DirectiveNaming.directiveLabel) { ObservedJob($0) }

    /// Desired state comes from manifests: our kinds are not watched, except Approvals.
    public let manifestsMode: Bool

    public init(manifestsMode: Bool = false) {
        self.manifestsMode = manifestsMode
    }

    /// Every cache listed once.
    public var hasSynced: Bool {
        let ours = manifestsMode ? approvals.hasSynced
            : serviceSpecs.hasSynced && autoscaleRules.hasSynced && budgets.hasSynced && directives.hasSynced && policies.hasSynced && approvals.hasSynced
        return ours && deployments.hasSynced && services.hasSynced && pods.hasSynced && unhealthy.hasSynced && jobs.hasSynced
    }

    /// Runs every informer until cancelled; `enqueue` hears the keys each change touches.
    public func run(client: KubeClient, watchTimeoutSeconds: @escaping @Sendable () -> Int, logger: Logger, enqueue: @escaping @Sendable ([ObjectRef]) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            func start<O, V>(_ informer: Informer<O, V>, _ keys: @escaping @Sendable ([CacheChange<V>]) -> [ObjectRef]) {
                group.addTask { await informer.run(client: client, watchTimeoutSeconds: watchTimeoutSeconds(), logger: logger) { enqueue(keys($0)) } }
            }
            if !manifestsMode {
                // A spec's own status writes are no reason to reconcile it again.
                start(serviceSpecs) { changes in changes.filter(Self.isMeaningful).map(\.key) }
                start(autoscaleRules) { changes in
                    changes.filter(Self.isMeaningful).flatMap { [$0.old, $0.new].compactMap { $0.map(Self.target) } }
                }
                start(directives) { changes in changes.filter(Self.isMeaningful).map(\.key) }
                // What governs many keys enqueues them all: budgets project across services.
                start(budgets) { changes in changes.contains(where: Self.isMeaningful) ? self.allKeys() : [] }
                start(policies) { changes in changes.contains(where: Self.isMeaningful) ? self.allKeys() : [] }
            }
            start(approvals) { changes in changes.contains(where: Self.isMeaningful) ? self.allKeys() : [] }
            start(deployments) { changes in changes.map { Self.serviceKey($0.key) } }
            start(services) { changes in changes.map { Self.serviceKey($0.key) } }
            start(pods) { changes in
                changes.flatMap { [$0.old, $0.new].compactMap { $0?.serviceKey } }
            }
            start(unhealthy) { changes in
                changes.compactMap { change in
                    guard let report = change.new ?? change.old, let pod = report.pod else { return nil }
                    return self.pods[ObjectRef(kind: "Pod", namespace: report.namespace, name: pod)]?.serviceKey
                }
            }
            start(jobs) { changes in
                changes.flatMap { [$0.old, $0.new].compactMap { $0??.directiveKey } }
            }
        }
    }

    /// Keys a resync or a Budget, policy or Approval change reconciles: every ServiceSpec,
    /// Directive and Budget.
    public func allKeys() -> [ObjectRef] {
        serviceSpecs.values.map(\.ref) + directives.values.map(\.ref) + budgets.values.map(\.ref)
    }

    /// Our kinds as the caches hold them.
    public func desiredState() -> DesiredState {
        var desired = DesiredState()
        desired.services = serviceSpecs.values
        desired.autoscaleRules = autoscaleRules.values
        desired.budgets = budgets.values
        desired.directives = directives.values
        desired.policies = policies.values
        desired.approvals = approvals.values
        return desired
    }

    /// What the cluster holds where `desired` lives, as `Observer` reads it with lists: the
    /// services' namespaces, and the Directives' for Jobs.
    public func observed(for desired: DesiredState) -> ObservedState {
        let namespaces = Reconciler.namespaces(of: desired)
        let directiveNamespaces = Set(desired.directives.map(\.ref.namespace))
        var observed = ObservedState()
        for deployment in deployments.values where namespaces.contains(deployment.ref.namespace) {
            observed.deployments[deployment.ref] = deployment
        }
        observed.services = Set(services.keys.filter { namespaces.contains($0.namespace) })
        // Failures are read from each pod's own status (Ready=False since when), not from Event
        // counts: kubelet aggregates Events, and their count is no run of consecutive failures.
        for pod in pods.values.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) where namespaces.contains(pod.namespace) {
            guard let owner = pod.app, pod.phase == "Running" || pod.phase == "Pending", let facts = pod.observed else { continue }
            observed.pods[ObjectRef(kind: "Deployment", namespace: pod.namespace, name: owner), default: []].append(facts)
        }
        for case let job? in jobs.values where directiveNamespaces.contains(job.namespace) {
            observed.directiveJobs[ObjectRef(kind: Directive.kind, namespace: job.namespace, name: job.directive), default: []].append(job)
        }
        return observed
    }

    /// Stores the answer to one of our writes in its cache (see `Informer.overlay`).
    public func wrote(_ type: ResourceType, _ object: JSONValue) {
        switch type.kind {
        case "Deployment": deployments.overlay(object)
        case "Service": services.overlay(object)
        case "Job": jobs.overlay(object)
        case ServiceSpec.kind: Self.decoded(ServiceSpec.self, object).map(serviceSpecs.overlay)
        case AutoscaleRule.kind: Self.decoded(AutoscaleRule.self, object).map(autoscaleRules.overlay)
        case Budget.kind: Self.decoded(Budget.self, object).map(budgets.overlay)
        case Directive.kind: Self.decoded(Directive.self, object).map(directives.overlay)
        default: break
        }
    }

    static func decoded<T: Resource>(_ type: T.Type, _ object: JSONValue) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(object.jsonBytes))
    }

    /// A change to what a resource asks for (spec, labels, annotations, deletion), not merely
    /// to its status or version.
    static func isMeaningful<R: Resource>(_ change: CacheChange<R>) -> Bool {
        guard let old = change.old, let new = change.new else { return true }
        return old.spec != new.spec || old.metadata.labels != new.metadata.labels || old.metadata.annotations != new.metadata.annotations
            || old.metadata.deletionTimestamp != new.metadata.deletionTimestamp
    }

    static func serviceKey(_ ref: ObjectRef) -> ObjectRef {
        ObjectRef(kind: ServiceSpec.kind, namespace: ref.namespace, name: ref.name)
    }

    static func target(_ rule: AutoscaleRule) -> ObjectRef {
        ObjectRef(kind: ServiceSpec.kind, namespace: rule.ref.namespace, name: rule.spec.target)
    }
}

/// The parts of a managed Pod the observer uses.
public struct PodFacts: Sendable, Equatable {
    public var namespace: String
    public var name: String
    /// The `app` label: the Deployment (and ServiceSpec) it belongs to.
    public var app: String?
    public var phase: String?
    public var ready: Bool
    /// What the planner reads of it: readiness since when, creation and deletion times.
    public var observed: ObservedPod?

    public init(_ pod: JSONValue) {
        observed = ObservedPod(pod)
        namespace = pod[path: ["metadata", "namespace"]]?.stringValue ?? ""
        name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        app = pod[path: ["metadata", "labels", "app"]]?.stringValue
        phase = pod[path: ["status", "phase"]]?.stringValue
        ready = (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    var serviceKey: ObjectRef? { app.map { ObjectRef(kind: ServiceSpec.kind, namespace: namespace, name: $0) } }
}

/// A kubelet `Unhealthy` Event: which pod failed its probe. Only a reason to look at the pod again
/// (kubelet updates the Event each probe period); its count is not a count of failures in a row.
public struct UnhealthyReport: Sendable, Equatable {
    public var namespace: String
    /// nil when the Event is not about a Pod.
    public var pod: String?

    public init(_ event: JSONValue) {
        namespace = event[path: ["metadata", "namespace"]]?.stringValue ?? ""
        pod = event[path: ["involvedObject", "kind"]] == "Pod" ? event[path: ["involvedObject", "name"]]?.stringValue : nil
    }
}

extension ObservedJob {
    var directiveKey: ObjectRef { ObjectRef(kind: Directive.kind, namespace: namespace, name: directive) }
}
