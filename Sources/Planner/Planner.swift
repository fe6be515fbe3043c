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

        public init(prune: Bool = false, recommendations: [ObjectRef: Recommendation] = [:]) {
            self.prune = prune
            self.recommendations = recommendations
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
        if let rule = index.rules[service.ref] {
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
            var manifests = [Rendering.deployment(service, replicas: replicas)]
            if let frontService = Rendering.service(service) { manifests.append(frontService) }
            return [action(.deploy, source, deploymentRef, from: "0", to: "\(replicas)", reason: "not deployed yet; \(why)", manifests: manifests)]
        }
        // Never change what we did not create.
        guard live.isManaged else { return [] }

        var actions: [Action] = []
        let liveReplicas = live.replicas
        let changes = Rendering.differences(live: live, service: service)
        if !changes.isEmpty {
            let liveImage = live.container?.image ?? ""
            actions.append(action(.update, source, deploymentRef, from: liveImage, to: service.spec.image,
                                  reason: "changed: " + changes.joined(separator: ", "),
                                  manifests: [Rendering.deployment(service, replicas: liveReplicas)]))
        }
        let liveRestart = live.restartedAt
        if let restartedAt = service.spec.restartedAt, restartedAt != liveRestart {
            actions.append(action(.restart, source, deploymentRef, from: liveRestart ?? "never", to: restartedAt,
                                  reason: "spec.restartedAt asks for a rolling restart",
                                  manifests: [Rendering.deployment(service, replicas: liveReplicas)]))
        }
        let (replicas, why) = desiredReplicas(service, index: index, live: liveReplicas)
        if replicas != liveReplicas {
            actions.append(action(.scale, source, deploymentRef, from: "\(liveReplicas)", to: "\(replicas)", reason: why,
                                  manifests: [Rendering.deployment(service, replicas: replicas)]))
        }
        let serviceRef = ObjectRef(kind: "Service", namespace: source.namespace, name: service.metadata.name)
        if service.spec.port != nil, !observed.services.contains(serviceRef), let frontService = Rendering.service(service) {
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

    private func pruneActions(observed: ObservedState, declared: Set<ObjectRef>) -> [Action] {
        observed.deployments.keys.sorted().compactMap { ref in
            guard !declared.contains(ref), let live = observed.deployments[ref], live.isManaged else { return nil }
            let replicas = live.replicas
            let source = ObjectRef(kind: "ServiceSpec", namespace: ref.namespace, name: ref.name)
            return action(.delete, source, ref, from: "\(replicas)", to: "0", reason: "no ServiceSpec declares it (--prune)", manifests: [])
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
        approvalsByAction = Dictionary(grouping: desired.approvals, by: \.spec.action)
    }
}
