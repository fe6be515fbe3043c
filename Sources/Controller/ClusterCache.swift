import Foundation
import JSON
import Kube
import Logging
import Model
import Planner
import Synchronization

/// The informers the controller reads instead of listing: our six kinds, and the Deployments,
/// Services, managed Pods, Unhealthy Events and Directive Jobs they lead to. One cluster-wide
/// list and watch per kind; the work queue hears which keys each change touches.
public final class ClusterCache: Sendable {
    // Our kinds are read as JSON and admitted one object at a time: an object that does not
    // decode or validate is kept as a finding about it, never a failure of the whole list.
    public let serviceSpecs = Informer<JSONValue, Admitted<ServiceSpec>>(admitting: ServiceSpec.self)
    public let autoscaleRules = Informer<JSONValue, Admitted<AutoscaleRule>>(admitting: AutoscaleRule.self)
    public let budgets = Informer<JSONValue, Admitted<Budget>>(admitting: Budget.self)
    public let directives = Informer<JSONValue, Admitted<Directive>>(admitting: Directive.self)
    public let policies = Informer<JSONValue, Admitted<GovernancePolicy>>(admitting: GovernancePolicy.self)
    public let approvals = Informer<JSONValue, Admitted<Approval>>(admitting: Approval.self)
    public let deployments = Informer<JSONValue, ObservedDeployment>(.deployments, kind: .deployment) { ObservedDeployment($0) }
    public let services = Informer<JSONValue, ObservedService>(.services, kind: .service) { ObservedService($0) }
    public let pods = Informer<JSONValue, PodFacts>(
        .pods, kind: .pod, labelSelector: Rendering.servicePodSelector, project: PodFacts.init)
    public let unhealthy = Informer<JSONValue, UnhealthyReport>(.events, kind: ObjectKind("Event"), fieldSelector: "reason=Unhealthy", project: UnhealthyReport.init)
    public let jobs = Informer<JSONValue, ObservedJob?>(.jobs, kind: .job, labelSelector: DirectiveNaming.directiveLabel) { ObservedJob($0) }

    /// Desired state comes from manifests: our kinds are not watched, except Approvals.
    public let manifestsMode: Bool

    /// The Deployments the last plan rendered, for the next to reuse (`Planner.Options.renderedDeployments`):
    /// kept between passes here, as the informers keep each object decoded once per version.
    public let renderedDeployments = Mutex<[ObjectRef: RenderedDeployment]>([:])

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
                // A spec's own status writes are no reason to reconcile it again. An invalid
                // object's key is queued too: the pass that takes it reports the object.
                start(serviceSpecs) { changes in changes.filter(Self.isMeaningful).map(\.key) }
                start(autoscaleRules) { changes in
                    changes.filter(Self.isMeaningful).flatMap { change in
                        [change.old, change.new].compactMap { $0?.value.map(Self.target) } + (change.new?.invalid.map { _ in [change.key] } ?? [])
                    }
                }
                start(directives) { changes in changes.filter(Self.isMeaningful).map(\.key) }
                // What governs many keys enqueues them all: budgets project across services.
                start(budgets) { changes in changes.contains(where: Self.isMeaningful) ? self.allKeys() + changes.map(\.key) : [] }
                start(policies) { changes in changes.contains(where: Self.isMeaningful) ? self.allKeys() + changes.map(\.key) : [] }
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
                    return self.pods[ObjectRef(kind: .pod, namespace: report.namespace, name: pod)]?.serviceKey
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
        serviceSpecs.values.compactMap(\.value?.ref) + directives.values.compactMap(\.value?.ref) + budgets.values.compactMap(\.value?.ref)
            + orphanKeys()
    }

    /// The ServiceSpec keys of our Deployments and Services whose ServiceSpec is not cached: a
    /// pass for such a key is where their prune is planned and carried out.
    func orphanKeys() -> [ObjectRef] {
        var keys: Set<ObjectRef> = []
        for deployment in deployments.values where deployment.isManaged {
            keys.insert(Self.serviceKey(deployment.ref))
            if let owner = deployment.owner { keys.insert(ObjectRef(kind: .serviceSpec, namespace: deployment.ref.namespace, name: owner.name)) }
        }
        for service in services.values where service.isManaged { keys.insert(Self.serviceKey(service.ref)) }
        return keys.filter { serviceSpecs[$0] == nil }.sorted()
    }

    // MARK: - Gates judge a complete picture

    /// The newest version, by namespace, of the objects that ask for changes in `keys`: each
    /// ServiceSpec with the AutoscaleRules that target it, each Directive.
    func triggerVersions(_ keys: Set<ObjectRef>) -> [String: UInt64] {
        var newest: [String: UInt64] = [:]
        func note(_ namespace: String, _ version: String?) {
            guard let number = version.flatMap(UInt64.init) else { return }
            newest[namespace] = max(newest[namespace] ?? 0, number)
        }
        let services = keys.filter { $0.kind == .serviceSpec }
        for key in keys {
            switch key.kind {
            case .serviceSpec: note(key.namespace, serviceSpecs.version(of: key))
            case .directive: note(key.namespace, directives.version(of: key))
            default: continue
            }
        }
        if !services.isEmpty {
            for rule in autoscaleRules.values.compactMap(\.value) where services.contains(Self.target(rule)) {
                note(rule.ref.namespace, rule.metadata.resourceVersion)
            }
        }
        return newest
    }

    /// Before the gates judge what `keys` ask for, the caches they read (GovernancePolicies,
    /// Budgets, Approvals) must have seen each namespace at least up to the version of the
    /// objects that ask: a policy applied together with a ServiceSpec may reach its watch later
    /// than the ServiceSpec reaches its own, and must not be judged absent. A cache that lags is
    /// brought up to date with a quorum list of that namespace; when that fails, the pass fails
    /// and its keys wait for the next one.
    public func catchUpGateInputs(for keys: Set<ObjectRef>, client: KubeClient) async throws(KubeError) {
        var lagging: [(input: GateInput, namespace: String)] = []
        for (namespace, version) in triggerVersions(keys).sorted(by: { $0.key < $1.key }) {
            for input in GateInput.allCases where !isCurrent(input, atLeast: version, namespace: namespace) {
                lagging.append((input, namespace))
            }
        }
        let results = await concurrentMap(lagging, limit: 8) { entry in
            await attempt { () async throws(KubeError) in try await self.refresh(entry.input, namespace: entry.namespace, client: client) }
        }
        for result in results { try result.get() }
    }

    /// The caches the gates read.
    private enum GateInput: CaseIterable { case policies, budgets, approvals }

    private func isCurrent(_ input: GateInput, atLeast version: UInt64, namespace: String) -> Bool {
        switch input {
        case .policies: policies.isCurrent(atLeast: version, namespace: namespace)
        case .budgets: budgets.isCurrent(atLeast: version, namespace: namespace)
        case .approvals: approvals.isCurrent(atLeast: version, namespace: namespace)
        }
    }

    private func refresh(_ input: GateInput, namespace: String, client: KubeClient) async throws(KubeError) {
        switch input {
        case .policies: try await policies.refresh(namespace: namespace, client: client)
        case .budgets: try await budgets.refresh(namespace: namespace, client: client)
        case .approvals: try await approvals.refresh(namespace: namespace, client: client)
        }
    }

    /// Our kinds as the caches hold them: the valid objects, and the invalid ones as findings.
    public func desiredState() -> DesiredState {
        var desired = DesiredState()
        desired.services = serviceSpecs.values.compactMap(\.value)
        desired.autoscaleRules = autoscaleRules.values.compactMap(\.value)
        desired.budgets = budgets.values.compactMap(\.value)
        desired.directives = directives.values.compactMap(\.value)
        desired.policies = policies.values.compactMap(\.value)
        desired.approvals = approvals.values.compactMap(\.value)
        desired.invalid = invalidObjects
        return desired
    }

    /// Every cached object of our kinds that does not decode or validate.
    public var invalidObjects: [InvalidObject] {
        serviceSpecs.values.compactMap(\.invalid) + autoscaleRules.values.compactMap(\.invalid) + budgets.values.compactMap(\.invalid)
            + directives.values.compactMap(\.invalid) + policies.values.compactMap(\.invalid) + approvals.values.compactMap(\.invalid)
    }

    /// What the cluster holds where `desired` lives, as `Observer` reads it with lists: the
    /// services' namespaces, and the Directives' for Jobs; with `managedEverywhere`, our own
    /// Deployments and Services in every other namespace too (for the prune).
    public func observed(for desired: DesiredState, managedEverywhere: Bool = false) -> ObservedState {
        let namespaces = Reconciler.namespaces(of: desired)
        let directiveNamespaces = Set(desired.directives.map(\.ref.namespace))
        var observed = ObservedState()
        for deployment in deployments.values where namespaces.contains(deployment.ref.namespace) || (managedEverywhere && deployment.isManaged) {
            observed.deployments[deployment.ref] = deployment
        }
        for service in services.values where namespaces.contains(service.ref.namespace) || (managedEverywhere && service.isManaged) {
            observed.services[service.ref] = service
        }
        // Failures are read from each pod's own status (Ready=False since when), not from Event
        // counts: kubelet aggregates Events, and their count is no run of consecutive failures.
        for pod in pods.values.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) where namespaces.contains(pod.namespace) {
            guard let owner = pod.app, pod.phase == "Running" || pod.phase == "Pending", let facts = pod.observed else { continue }
            observed.pods[ObjectRef(kind: .deployment, namespace: pod.namespace, name: owner), default: []].append(facts)
        }
        for case let job? in jobs.values where directiveNamespaces.contains(job.namespace) {
            observed.directiveJobs[ObjectRef(kind: .directive, namespace: job.namespace, name: job.directive), default: []].append(job)
        }
        return observed
    }

    /// Stores the answer to one of our writes in its cache (see `Informer.overlay`).
    public func wrote(_ type: ResourceType, _ object: JSONValue) {
        switch ObjectKind(type.kind) {
        case .deployment: deployments.overlay(object)
        case .service: services.overlay(object)
        case .job: jobs.overlay(object)
        case .serviceSpec: serviceSpecs.overlay(object)
        case .autoscaleRule: autoscaleRules.overlay(object)
        case .budget: budgets.overlay(object)
        case .directive: directives.overlay(object)
        default: break
        }
    }

    /// Drops an object this controller deleted from its cache (see `Informer.forget`).
    public func deleted(_ type: ResourceType, namespace: String, name: String) {
        let key = ObjectRef(kind: ObjectKind(type.kind), namespace: namespace, name: name)
        switch key.kind {
        case .deployment: deployments.forget(key)
        case .service: services.forget(key)
        case .job: jobs.forget(key)
        // A replaced pod stays until its watch event: while it terminates it counts against the
        // health replacement's allowance.
        default: break
        }
    }

    /// A change to what a resource asks for (spec, labels, annotations, deletion), not merely
    /// to its status or version. A change to or from an invalid object always counts.
    static func isMeaningful<R: Resource>(_ change: CacheChange<Admitted<R>>) -> Bool {
        guard let old = change.old?.value, let new = change.new?.value else { return change.old != change.new }
        return old.spec != new.spec || old.metadata.labels != new.metadata.labels || old.metadata.annotations != new.metadata.annotations
            || old.metadata.deletionTimestamp != new.metadata.deletionTimestamp
    }

    static func serviceKey(_ ref: ObjectRef) -> ObjectRef {
        ObjectRef(kind: .serviceSpec, namespace: ref.namespace, name: ref.name)
    }

    static func target(_ rule: AutoscaleRule) -> ObjectRef {
        ObjectRef(kind: .serviceSpec, namespace: rule.ref.namespace, name: rule.spec.target)
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

    var serviceKey: ObjectRef? { app.map { ObjectRef(kind: .serviceSpec, namespace: namespace, name: $0) } }
}

/// A kubelet `Unhealthy` Event: which pod failed its probe. Only a reason to look at the pod again
/// (kubelet updates the Event each probe period); its count is not a count of failures in a row.
public struct UnhealthyReport: Sendable, Equatable {
    public var namespace: String
    /// nil when the Event is not about a Pod.
    public var pod: String?

    public init(_ event: JSONValue) {
        namespace = event[path: ["metadata", "namespace"]]?.stringValue ?? ""
        pod = event[path: ["involvedObject", "kind"]]?.stringValue.map(ObjectKind.init) == .pod ? event[path: ["involvedObject", "name"]]?.stringValue : nil
    }
}

extension ObservedJob {
    var directiveKey: ObjectRef { ObjectRef(kind: .directive, namespace: namespace, name: directive) }
}
