import Foundation
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
        /// The Deployments an earlier plan rendered (its `Plan.renderedDeployments`): each is
        /// reused when made from the inputs this plan would render it from.
        public var renderedDeployments: [ObjectRef: RenderedDeployment] = [:]

        public init(prune: Bool = false, recommendations: [ObjectRef: Recommendation] = [:], desiredFromManifests: Bool = false,
                    renderedDeployments: [ObjectRef: RenderedDeployment] = [:]) {
            self.prune = prune
            self.recommendations = recommendations
            self.desiredFromManifests = desiredFromManifests
            self.renderedDeployments = renderedDeployments
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
        var rendered: [ObjectRef: RenderedDeployment] = Dictionary(minimumCapacity: options.renderedDeployments.count)
        // Sorted by reference, computed once per service rather than per comparison.
        let order = desired.services.indices.map { (ref: desired.services[$0].ref, index: $0) }.sorted { $0.ref < $1.ref }
        for (_, position) in order {
            let service = desired.services[position]
            let deploymentRef = ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)
            declared.insert(deploymentRef)
            actions += serviceActions(service, deploymentRef, index: index, observed: observed, now: now, healthReports: &health, rendered: &rendered)
            if let finding = foreignContainerAction(service, deploymentRef, observed: observed) { actions.append(finding) }
        }
        var evaluations: [(Directive, DirectiveEvaluation)] = []
        for directive in desired.directives.sorted(by: { $0.ref < $1.ref }) {
            let evaluation = DirectiveRuns.evaluate(directive, jobs: observed.directiveJobs[directive.ref] ?? [], now: now)
            evaluations.append((directive, evaluation))
            actions += evaluation.starts.map { startAction(directive, $0) }
            actions += evaluation.deletions.map { deletion in
                Action(source: directive.ref, target: ObjectRef(kind: .job, namespace: directive.ref.namespace, name: deletion.jobName),
                       change: .deleteJob(deletion), reason: deletion.reason)
            }
        }
        // A ServiceSpec that exists but is invalid still declares its Deployment: a tenant's
        // broken edit must not delete what runs.
        for object in desired.invalid where object.kind == ServiceSpec.kind {
            declared.insert(ObjectRef(kind: .deployment, namespace: object.namespace, name: object.name))
        }
        if options.prune {
            actions += pruneActions(observed: observed, declared: declared, knownOwners: Self.ownerUIDs(desired))
        }
        let gates = Gates(index: index, observed: observed, ledger: ledger, now: now)
        let verdicts = gates.judge(actions)
        let rendering = ActionRendering(index: index, observed: observed, fromManifests: options.desiredFromManifests, judged: verdicts)
        let judged = verdicts.map(rendering.rendered)
        // Each Directive's status shows what the gates did to its starts.
        var startsByDirective: [ObjectRef: [String: Action]] = [:]
        for action in judged where action.verb == .startJob {
            startsByDirective[action.source, default: [:]][action.target.name] = action
        }
        let reports = evaluations.map { directive, evaluation in
            DirectiveReport(directive, evaluation, judged: startsByDirective[directive.ref] ?? [:])
        }
        var plan = Plan(actions: judged, directives: reports, health: health)
        plan.renderedDeployments = rendered
        return plan
    }

    // MARK: - Directives

    private func startAction(_ directive: Directive, _ start: JobStart) -> Action {
        let target = ObjectRef(kind: .job, namespace: directive.ref.namespace, name: start.jobName)
        let maxAttempts = max(1, directive.spec.retry?.maxAttempts ?? 1)
        return Action(source: directive.ref, target: target, change: .startJob(JobAttempt(start, maxAttempts: maxAttempts)), reason: start.reason)
    }

    // MARK: - Services

    /// The replica count a service should run: its AutoscaleRule's recommendation, else the live
    /// count held within the rule's bounds, else the manifest's baseline.
    func desiredReplicas(_ service: ServiceSpec, index: DesiredIndex, live: Int?) -> (replicas: Int, reason: String) {
        if service.spec.isScaledExternally {
            // Created without a count, the Deployment gets the API server's default until the
            // external scaler sets one; the gates judge that one replica.
            return (live ?? 1, "spec.scaling is external: the replica count is another scaler's")
        }
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
                                now: Date, healthReports: inout [ObjectRef: ServiceHealth],
                                rendered: inout [ObjectRef: RenderedDeployment]) -> [Action] {
        let source = service.ref
        guard let live = observed.deployments[deploymentRef] else {
            let (replicas, why) = desiredReplicas(service, index: index, live: nil)
            return [Action(source: source, target: deploymentRef, change: .replicas(ReplicaChange(from: nil, to: replicas)), reason: "not deployed yet; \(why)")]
        }
        // Never change what we did not create.
        guard live.isManaged else { return [] }

        var actions: [Action] = []
        var desired = TemplateDiff.desired(live: live, service: service, fromManifests: options.desiredFromManifests,
                                           reusing: options.renderedDeployments[deploymentRef])
        let differences = TemplateDiff.differences(live: live, service: service, remembering: &desired)
        rendered[deploymentRef] = desired
        if let diff = TemplateDiff(live: live, service: service, differences: differences) {
            actions.append(Action(source: source, target: deploymentRef, change: .template(diff), reason: diff.reason))
        }
        if let restartedAt = service.spec.restartedAt, restartedAt != live.restartedAt {
            actions.append(Action(source: source, target: deploymentRef, change: .rollingRestart(from: live.restartedAt, to: restartedAt),
                                  reason: "spec.restartedAt asks for a rolling restart"))
        }
        let (replicas, why) = desiredReplicas(service, index: index, live: live.replicas)
        if replicas != live.replicas, !service.spec.isScaledExternally {
            actions.append(Action(source: source, target: deploymentRef, change: .replicas(ReplicaChange(from: live.replicas, to: replicas)), reason: why))
        }
        let serviceRef = ObjectRef(kind: .service, namespace: source.namespace, name: service.metadata.name)
        if let port = service.spec.port {
            if let front = observed.services[serviceRef] {
                // Ours and differing from the spec: it follows (one that is not ours stays).
                if front.isManaged, let diff = ServiceDiff(live: front, service: service, fromManifests: options.desiredFromManifests) {
                    actions.append(Action(source: source, target: serviceRef, change: .updateService(diff), reason: diff.reason))
                }
            } else {
                actions.append(Action(source: source, target: serviceRef, change: .exposeService(port: port),
                                      reason: "spec.port is set: a Service sends traffic to ready pods only"))
            }
        }
        if let check = service.spec.healthCheck {
            actions += podReplacements(service, check: check, deploymentRef: deploymentRef, live: live, observed: observed, now: now,
                                       healthReports: &healthReports)
        }
        return actions
    }

    /// Pods failing their health check are replaced a few at a time, never all at once.
    private func podReplacements(_ service: ServiceSpec, check: ServiceSpec.HealthCheck, deploymentRef: ObjectRef, live: ObservedDeployment,
                                 observed: ObservedState, now: Date, healthReports: inout [ObjectRef: ServiceHealth]) -> [Action] {
        let source = service.ref
        let health = ServiceHealth.decide(pods: observed.pods[deploymentRef] ?? [], replicas: live.replicas, check: check, now: now)
        if health.failing > 0 { healthReports[source] = health }
        let seconds = Int(ServiceHealth.period(check))
        return health.replace.map { name in
            Action(source: source, target: ObjectRef(kind: .pod, namespace: source.namespace, name: name), change: .replacePod,
                   reason: "unready for at least \(seconds) s (failureThreshold x periodSeconds); \(health.failing) of \(health.pods) pods failing, at most a quarter replaced per \(seconds) s")
        }
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
            let target = ObjectRef(kind: .serviceSpec, namespace: rule.ref.namespace, name: rule.spec.target)
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
