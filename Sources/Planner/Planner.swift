import Foundation
import JSON
import Model

/// `plan(desired, observed, ledger, now)`: what to change so the cluster matches the manifests, each
/// change with its reason, its cost and every gate's verdict. Pure: same inputs, same plan.
public struct Planner: Sendable {
    public struct Options: Sendable {
        /// Delete managed objects that no manifest declares any more.
        public var prune = false
        /// Replica counts an AutoscaleRule asks for, by ServiceSpec.
        public var recommendations: [ObjectRef: Recommendation] = [:]
        /// The desired state is a manifests directory (`hms-controller --manifests`): what is made
        /// carries `Rendering.sourceKey`, and only objects carrying it are pruned.
        public var desiredFromManifests = false

        public init(prune: Bool = false, recommendations: [ObjectRef: Recommendation] = [:], desiredFromManifests: Bool = false) {
            self.prune = prune
            self.recommendations = recommendations
            self.desiredFromManifests = desiredFromManifests
        }
    }

    /// An AutoscaleRule's answer for one service, and why.
    public struct Recommendation: Sendable, Equatable {
        public var replicas: Int
        public var rule: String
        public var reason: String

        public init(replicas: Int, rule: String, reason: String) {
            self.replicas = replicas
            self.rule = rule
            self.reason = reason
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func plan(desired: DesiredState, observed: ObservedState, ledger: Ledger, now: Date) -> Plan {
        let index = DesiredIndex(desired)
        var actions: [Action] = []
        var declared: Set<ObjectRef> = []
        var health: [ObjectRef: ServiceHealth] = [:]
        // Sorted by reference, computed once per service rather than per comparison.
        let order = desired.services.indices.map { (ref: desired.services[$0].ref, index: $0) }.sorted { $0.ref < $1.ref }
        for (_, position) in order {
            let service = desired.services[position]
            let deploymentRef = ObjectRef(kind: "Deployment", namespace: service.ref.namespace, name: service.metadata.name)
            declared.insert(deploymentRef)
            actions += serviceActions(service, deploymentRef, index: index, observed: observed, now: now, healthReports: &health)
        }
        var evaluations: [(Directive, DirectiveEvaluation)] = []
        for directive in desired.directives.sorted(by: { $0.ref < $1.ref }) {
            let evaluation = DirectiveRuns.evaluate(directive, jobs: observed.directiveJobs[directive.ref] ?? [], now: now)
            evaluations.append((directive, evaluation))
            actions += evaluation.starts.map { startAction(directive, $0) }
        }
        // A ServiceSpec that exists but is invalid still declares its Deployment: a tenant's
        // broken edit must not delete what runs.
        for object in desired.invalid where object.kind == ServiceSpec.kind {
            declared.insert(ObjectRef(kind: "Deployment", namespace: object.namespace, name: object.name))
        }
        if options.prune {
            actions += pruneActions(observed: observed, declared: declared)
        }
        let gates = Gates(index: index, observed: observed, ledger: ledger, now: now)
        let judged = gates.judge(actions)
        // Each Directive's status shows what the gates did to its starts.
        var startsByDirective: [ObjectRef: [String: Action]] = [:]
        for action in judged where action.verb == .startJob {
            startsByDirective[action.source, default: [:]][action.target.name] = action
        }
        let reports = evaluations.map { directive, evaluation in
            DirectiveReport(directive, evaluation, judged: startsByDirective[directive.ref] ?? [:])
        }
        return Plan(actions: judged, directives: reports, health: health)
    }

    // MARK: - Directives

    private func startAction(_ directive: Directive, _ start: JobStart) -> Action {
        let target = ObjectRef(kind: "Job", namespace: directive.ref.namespace, name: start.jobName)
        let maxAttempts = max(1, directive.spec.retry?.maxAttempts ?? 1)
        return action(.startJob, directive.ref, target, from: start.jobID, to: "attempt \(start.attempt) of \(maxAttempts)",
                      reason: start.reason, manifests: [DirectiveRendering.job(directive, start)])
    }

    // MARK: - Services

    /// The replica count a service should run: its AutoscaleRule's recommendation, else the live
    /// count held within the rule's bounds, else the manifest's baseline.
    func desiredReplicas(_ service: ServiceSpec, index: DesiredIndex, live: Int?) -> (replicas: Int, reason: String) {
        if let recommendation = options.recommendations[service.ref] {
            return (recommendation.replicas, "AutoscaleRule \(recommendation.rule): \(recommendation.reason)")
        }
        // A rule in recommend mode only says what it would do: the spec decides the count.
        if let rule = index.rules[service.ref], rule.spec.mode != .recommend {
            let current = live ?? rule.spec.minReplicas ?? 1
            let bounded = min(max(current, rule.spec.minReplicas ?? 1), rule.spec.maxReplicas)
            return (bounded, "AutoscaleRule \(rule.metadata.name): within minReplicas \(rule.spec.minReplicas ?? 1) and maxReplicas \(rule.spec.maxReplicas)")
        }
        return (service.spec.replicas ?? 1, "spec.replicas is \(service.spec.replicas ?? 1)")
    }

    private func serviceActions(_ service: ServiceSpec, _ deploymentRef: ObjectRef, index: DesiredIndex, observed: ObservedState,
                                now: Date, healthReports: inout [ObjectRef: ServiceHealth]) -> [Action] {
        let source = service.ref
        guard let live = observed.deployments[deploymentRef] else {
            let (replicas, why) = desiredReplicas(service, index: index, live: nil)
            var manifests = [Rendering.deployment(service, replicas: replicas, fromManifests: options.desiredFromManifests)]
            if let frontService = Rendering.service(service, fromManifests: options.desiredFromManifests) { manifests.append(frontService) }
            return [action(.deploy, source, deploymentRef, from: "0", to: "\(replicas)", reason: "not deployed yet; \(why)", manifests: manifests)]
        }
        // Never change what we did not create.
        guard live.isManaged else { return [] }

        var actions: [Action] = []
        let liveReplicas = live.replicas
        let changes = Rendering.differences(live: live, service: service, fromManifests: options.desiredFromManifests)
        if !changes.isEmpty {
            let liveImage = live.container?.image ?? ""
            actions.append(action(.update, source, deploymentRef, from: liveImage, to: service.spec.image,
                                  reason: "changed: " + changes.joined(separator: ", "),
                                  manifests: [Rendering.deployment(service, replicas: liveReplicas, fromManifests: options.desiredFromManifests)]))
        }
        let liveRestart = live.restartedAt
        if let restartedAt = service.spec.restartedAt, restartedAt != liveRestart {
            actions.append(action(.restart, source, deploymentRef, from: liveRestart ?? "never", to: restartedAt,
                                  reason: "spec.restartedAt asks for a rolling restart",
                                  manifests: [Rendering.deployment(service, replicas: liveReplicas, fromManifests: options.desiredFromManifests)]))
        }
        let (replicas, why) = desiredReplicas(service, index: index, live: liveReplicas)
        if replicas != liveReplicas {
            actions.append(action(.scale, source, deploymentRef, from: "\(liveReplicas)", to: "\(replicas)", reason: why,
                                  manifests: [Rendering.deployment(service, replicas: replicas, fromManifests: options.desiredFromManifests)]))
        }
        let serviceRef = ObjectRef(kind: "Service", namespace: source.namespace, name: service.metadata.name)
        if service.spec.port != nil, !observed.services.contains(serviceRef), let frontService = Rendering.service(service, fromManifests: options.desiredFromManifests) {
            actions.append(action(.deploy, source, serviceRef, from: "none", to: "port \(service.spec.port ?? 0)",
                                  reason: "spec.port is set: a Service sends traffic to ready pods only", manifests: [frontService]))
        }
        // Pods failing their health check are replaced a few at a time, never all at once.
        if let check = service.spec.healthCheck {
            let pods = observed.pods[deploymentRef] ?? []
            let health = ServiceHealth.decide(pods: pods, replicas: liveReplicas, check: check, now: now)
            let seconds = Int(ServiceHealth.period(check))
            for name in health.replace {
                let podRef = ObjectRef(kind: "Pod", namespace: source.namespace, name: name)
                actions.append(action(.restart, source, podRef, from: "unhealthy", to: "replaced",
                                      reason: "unready for at least \(seconds) s (failureThreshold x periodSeconds); \(health.failing) of \(health.pods) pods failing, at most a quarter replaced per \(seconds) s",
                                      manifests: []))
            }
            if health.failing > 0 { healthReports[source] = health }
        }
        return actions
    }

    /// Deletes of managed Deployments no ServiceSpec of the desired state declares. Only proposed:
    /// the desired state may be a cache that has not caught up, so each carries what the executor
    /// must confirm with live reads first (`PruneCondition`). From a manifests directory, only what
    /// was made from files is pruned; otherwise never what was.
    func pruneActions(observed: ObservedState, declared: Set<ObjectRef>) -> [Action] {
        observed.deployments.keys.sorted().compactMap { ref in
            guard !declared.contains(ref), let live = observed.deployments[ref], live.isManaged,
                live.fromManifests == options.desiredFromManifests
            else { return nil }
            let owner: PruneCondition.Owner =
                options.desiredFromManifests ? .createdFromManifests : live.owner.map { PruneCondition.Owner.serviceSpec($0) } ?? .serviceSpecNamed(ref.name)
            let source = ObjectRef(kind: ServiceSpec.kind, namespace: ref.namespace, name: live.owner?.name ?? ref.name)
            var delete = action(.delete, source, ref, from: "\(live.replicas)", to: "0", reason: owner.pruneReason, manifests: [])
            delete.prune = PruneCondition(uid: live.uid, owner: owner)
            return delete
        }
    }

    private func action(_ verb: Action.Verb, _ source: ObjectRef, _ target: ObjectRef, from: String, to: String,
                        reason: String, manifests: [JSONValue]) -> Action {
        Action(id: Action.id(verb: verb, target: target, from: from, to: to), source: source, target: target, verb: verb,
               from: from, to: to, reason: reason, costDeltaUSDPerHour: 0, gates: [], manifests: manifests)
    }
}

/// The desired state indexed once per plan, so each lookup is a hash, not a scan: plans of 100,000
/// services stay linear.
struct DesiredIndex {
    let desired: DesiredState
    /// Positions in `desired.services`, by reference.
    let servicePositions: [ObjectRef: Int]
    /// The AutoscaleRule that targets each ServiceSpec (the first by name, when several do).
    let rules: [ObjectRef: AutoscaleRule]
    /// The Budget that covers each ServiceSpec, if any.
    let budgets: [ObjectRef: Budget]
    let policiesByNamespace: [String: [GovernancePolicy]]
    let approvalsByAction: [String: [Approval]]
    let directives: [ObjectRef: Directive]
    /// The Budget that covers each Directive (its selector matches the Directive's labels), if any.
    let directiveBudgets: [ObjectRef: Budget]
    /// Invalid GovernancePolicies and Budgets by namespace, sorted by kind and name.
    let invalidGateInputs: [String: [InvalidObject]]

    func service(_ ref: ObjectRef) -> ServiceSpec? {
        servicePositions[ref].map { desired.services[$0] }
    }

    init(_ desired: DesiredState) {
        self.desired = desired
        var positions: [ObjectRef: Int] = Dictionary(minimumCapacity: desired.services.count)
        for (position, service) in desired.services.enumerated() { positions[service.ref] = position }
        servicePositions = positions
        var rules: [ObjectRef: AutoscaleRule] = Dictionary(minimumCapacity: desired.autoscaleRules.count)
        for rule in desired.autoscaleRules {
            let target = ObjectRef(kind: ServiceSpec.kind, namespace: rule.ref.namespace, name: rule.spec.target)
            // Several rules for one target: the first by name wins, whatever the input order.
            if let other = rules[target], other.metadata.name < rule.metadata.name { continue }
            rules[target] = rule
        }
        self.rules = rules
        let budgetsByNamespace = Dictionary(grouping: desired.budgets, by: \.ref.namespace)
        var budgets: [ObjectRef: Budget] = Dictionary(minimumCapacity: desired.services.count)
        for service in desired.services {
            guard let candidates = budgetsByNamespace[service.ref.namespace] else { continue }
            budgets[service.ref] = CostModel.budget(for: service, in: candidates)
        }
        self.budgets = budgets
        directives = Dictionary(desired.directives.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        var directiveBudgets: [ObjectRef: Budget] = [:]
        for directive in desired.directives {
            guard let candidates = budgetsByNamespace[directive.ref.namespace] else { continue }
            directiveBudgets[directive.ref] = CostModel.budget(forLabels: directive.metadata.labels ?? [:], in: candidates)
        }
        self.directiveBudgets = directiveBudgets
        policiesByNamespace = Dictionary(grouping: desired.policies, by: \.ref.namespace)
        invalidGateInputs = Dictionary(
            grouping: desired.invalid.filter { $0.kind == GovernancePolicy.kind || $0.kind == Budget.kind }
                .sorted { ($0.kind, $0.name) < ($1.kind, $1.name) },
            by: \.namespace)
        approvalsByAction = Dictionary(grouping: desired.approvals, by: \.spec.action)
    }
}
