import Foundation
import JSON
import Kube
import Model
import Planner
import Synchronization

/// One reconcile pass: observe, plan, gate, execute, then record: Events, status and the journal.
/// Level-triggered: it reads everything again each time and writes only what differs.
public struct Reconciler: Sendable {
    public let cluster: ClusterAccess
    public let journal: Journal?
    /// Who acts, for the journal and Events (`hmsctl` run by a user, or the controller's identity).
    public let actor: String

    /// Which ServiceSpecs get their status written: all (the controller keeps them current), or only
    /// those a pass acted on (a one-shot `hmsctl apply`, so that a pass with nothing to do writes nothing).
    public enum StatusScope: Sendable { case all, acted }
    public let statusScope: StatusScope
    /// Evaluate AutoscaleRules from live metrics (the controller), or leave replicas as they are
    /// within the rules' bounds (a one-shot `hmsctl apply`, as kubectl leaves scaling to the HPA).
    public let autoscale: Bool
    /// Set by a long-running controller: a decision that carried nothing out is journaled once, not
    /// again on every pass that comes to it (see `DecisionMemory`).
    public var decisionMemory: DecisionMemory?
    /// The Events recorded so far: a decision that repeats updates its Event, rate-limited.
    public var events = EventRecorder()
    /// Whether each Approval's author may still approve, asked of the cluster and cached: the
    /// gate honours an Approval only when the answer is yes.
    public var approverReviews: ApproverReviews
    /// Observe our Deployments and Services in every namespace, not only where the desired state
    /// lives: set by the controller, whose desired state is the whole cluster's, so that its prune
    /// finds what is left where no ServiceSpec is. (`hmsctl` prunes within its files' namespaces.)
    public var observesEverywhere = false

    public init(cluster: ClusterAccess, journal: Journal?, actor: String, statusScope: StatusScope = .all, autoscale: Bool = false) {
        self.cluster = cluster
        self.journal = journal
        self.actor = actor
        self.statusScope = statusScope
        self.autoscale = autoscale
        approverReviews = ApproverReviews(client: cluster.client)
    }

    public struct Result: Sendable {
        public var plan: Plan
        public var outcomes: [ActionOutcome]
        /// What the pass saw, for the console's ready counts.
        public var observed = ObservedState()
        /// The keys (ServiceSpecs, Directives, Budgets) whose actions or status writes failed: to retry.
        public var failed: Set<ObjectRef> = []
        /// The outcomes the journal got: all of them, but for repeated decisions a `decisionMemory` left out.
        public var journaled: [ActionOutcome] = []
        /// The Events and statuses the cluster refused to take (the first `RefusedWrites.limit`),
        /// and how many there were.
        public var refusedWrites: [RefusedWrite] = []
        public var refusedWriteCount = 0
    }

    public func plan(_ desired: DesiredState, options: Planner.Options, now: Date) async throws(KubeError) -> (Plan, ObservedState) {
        let observed = try await observe(desired)
        let plan = await approverReviews.plan(desired, now: now) { Self.plan($0, observed: observed, options: options, now: now) }
        return (plan, observed)
    }

    /// What the cluster holds where the desired state lives: services' and directives' namespaces.
    public func observe(_ desired: DesiredState) async throws(KubeError) -> ObservedState {
        try await Observer(cluster: cluster).observe(
            namespaces: Self.namespaces(of: desired), directiveNamespaces: Set(desired.directives.map(\.ref.namespace)),
            managedEverywhere: observesEverywhere)
    }

    static func plan(_ desired: DesiredState, observed: ObservedState, options: Planner.Options, now: Date) -> Plan {
        Planner(options: options).plan(desired: desired, observed: observed, ledger: Ledger(budgets: desired.budgets, now: now), now: now)
    }

    public func reconcile(
        _ desired: DesiredState, options: Planner.Options, now: Date, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws(KubeError) -> Result {
        let observed = try await observe(desired)
        return try await reconcile(desired, observed: observed, options: options, now: now, progress: progress)
    }

    /// Reconciles what was observed already (the controller's caches). Plans over the whole
    /// desired state, since budgets and policies judge every action against all the others, but
    /// carries out, records and writes the status of only what `scope` names (the work queue's
    /// keys: ServiceSpecs, Directives, Budgets); nil is everything. `mayAct` is asked before each
    /// write: a controller that lost its lease stops at once.
    public func reconcile(
        _ desired: DesiredState, observed: ObservedState, options: Planner.Options, now: Date, scope: Set<ObjectRef>? = nil,
        mayAct: @escaping @Sendable () -> Bool = { true }, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws(KubeError) -> Result {
        func inScope(_ ref: ObjectRef) -> Bool { scope?.contains(ref) ?? true }
        var options = options
        var ruleStatuses: [ObjectRef: AutoscaleRule.Status] = [:]
        if autoscale {
            let evaluated = await AutoscaleReader(cluster: cluster).evaluate(desired, observed: observed, now: now, scope: scope)
            options.recommendations.merge(evaluated.recommendations) { _, evaluated in evaluated }
            ruleStatuses = evaluated.statuses
        }
        let plan = await approverReviews.plan(desired, now: now) { [options] in Self.plan($0, observed: observed, options: options, now: now) }
        var executor = Executor(cluster: cluster)
        executor.mayAct = mayAct
        // The journal hears of each action before it is sent (its intent) and after (its result):
        // a crash in between leaves an intent that the next start completes.
        let journalTime = RFC3339.string(from: now)
        let actionJournal = journal.map { ActionJournal(journal: $0, actor: actor, time: journalTime) }
        actionJournal?.attach(to: &executor)
        let mine = Plan(actions: plan.actions.filter { inScope($0.source) }, directives: plan.directives.filter { inScope($0.directive) })
        guard mayAct() else { return Result(plan: plan, outcomes: [], observed: observed) }
        let services = scope.map { scope in desired.services.filter { scope.contains($0.ref) } } ?? desired.services
        let servicesByRef = Dictionary(services.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        let uids = Self.uids(desired)
        let events = events
        let recorded = Mutex<(services: Set<ObjectRef>, failed: Set<ObjectRef>)>(([], []))
        let refused = RefusedWrites()
        // Records and status only while leading; the journal keeps what was done either way. Each
        // ServiceSpec's Events and status follow its own actions at once, not after everyone's.
        let outcomes = await executor.execute(mine, progress: progress) { source, outcomes in
            guard mayAct(), outcomes.first?.action.change.isDirectiveJob != true else { return }
            for outcome in outcomes { await Self.recordEvent(outcome, uid: uids[source] ?? nil, events: events, cluster: cluster, now: now, refused: refused) }
            guard let service = servicesByRef[source] else { return }
            let written = await writeStatus(desired, services: [service], observed: observed, outcomes: outcomes, health: plan.health, now: now, refused: refused)
            recorded.withLock { recorded in
                recorded.services.insert(source)
                recorded.failed.formUnion(written)
            }
        }
        var failed = Set(outcomes.filter { if case .failed = $0.result { true } else { false } }.map(\.action.source))
        if mayAct() {
            let (statusDone, statusFailed) = recorded.withLock { $0 }
            failed.formUnion(statusFailed)
            failed.formUnion(await writeRuleStatus(desired, statuses: ruleStatuses, outcomes: outcomes, now: now, refused: refused))
            await recordJobStarts(outcomes, uids: uids, now: now, refused: refused)
            // Incidents before status: should this pass stop in between, the next raises them again,
            // and an Event that exists already is not doubled.
            await raiseIncidents(mine.directives, now: now, refused: refused)
            let unrecorded = services.filter { !statusDone.contains($0.ref) }
            failed.formUnion(await writeStatus(desired, services: unrecorded, observed: observed, outcomes: outcomes, health: plan.health, now: now, refused: refused))
            if statusScope == .all { failed.formUnion(await writeBudgetStatus(desired, observed: observed, outcomes: outcomes, now: now, refused: refused)) }
            failed.formUnion(await writeDirectiveStatus(mine.directives, desired: desired, outcomes: outcomes, refused: refused))
        }
        let journaled = decisionMemory?.news(outcomes, scope: scope) ?? outcomes
        if let journal {
            // Actions sent were journaled as they went; the rest (held, deferred, denied, or not
            // sent at all) and the incidents now.
            let (early, failure) = actionJournal?.journaled ?? ([], nil)
            do {
                if let failure { throw JournalError.append(failure) }
                let time = journalTime
                try journal.append(journaled.filter { !early.contains($0.action.id) }.map { JournalLine.decision($0.action, actor: actor, result: $0.journalText, time: time) }
                    + mine.incidents.map { JournalLine.incident($0, actor: actor, time: time) })
            } catch {
                decisionMemory?.forget()
                throw .decoding("cannot append to the journal \(journal.path): \(error)")
            }
        }
        return Result(plan: plan, outcomes: outcomes, observed: observed, failed: failed, journaled: journaled,
                      refusedWrites: refused.all, refusedWriteCount: refused.count)
    }

    static func namespaces(of desired: DesiredState) -> Set<String> {
        Set(desired.services.map(\.ref.namespace))
    }

    // MARK: - Events

    /// The uid of each ServiceSpec and Directive, for the Events about them.
    static func uids(_ desired: DesiredState) -> [ObjectRef: String?] {
        Dictionary(desired.services.map { ($0.ref, $0.metadata.uid) } + desired.directives.map { ($0.ref, $0.metadata.uid) },
                   uniquingKeysWith: { first, _ in first })
    }

    /// A run's job starts share one Event per outcome: a run of 1,000 jobs is one line, not 1,000.
    func recordJobStarts(_ outcomes: [ActionOutcome], uids: [ObjectRef: String?], now: Date, refused: RefusedWrites) async {
        await record(Records.runStartEvents(outcomes, uids: uids), now: now, refused: refused)
    }

    /// The Event of a decision (see `Records.event`).
    static func recordEvent(_ outcome: ActionOutcome, uid: String?, events: EventRecorder, cluster: ClusterAccess, now: Date, refused: RefusedWrites) async {
        refused.add(await events.record(Records.event(for: outcome, uid: uid), cluster: cluster, now: now))
        if let drift = Records.driftEvent(for: outcome, uid: uid) { refused.add(await events.record(drift, cluster: cluster, now: now)) }
    }

    /// Events the core decided on, sixteen at a time.
    func record(_ planned: [PlannedEvent], now: Date, refused: RefusedWrites) async {
        let cluster = cluster
        let events = events
        _ = await concurrentMap(planned) { event in refused.add(await events.record(event, cluster: cluster, now: now)) }
    }

    // MARK: - Incidents

    /// A Warning Event per incident, raised once however many passes see it.
    func raiseIncidents(_ reports: [DirectiveReport], now: Date, refused: RefusedWrites) async {
        await record(Records.incidentEvents(reports), now: now, refused: refused)
    }

    // MARK: - Directive status

    /// Each Directive's status, as the core worked it out, written when it differs from the stored one.
    func writeDirectiveStatus(_ reports: [DirectiveReport], desired: DesiredState, outcomes: [ActionOutcome], refused: RefusedWrites) async -> Set<ObjectRef> {
        let stored = Dictionary(desired.directives.map { ($0.ref, $0.status) }, uniquingKeysWith: { first, _ in first })
        // Only failed starts change a status; filtered once, not once per Directive (a pass may hold thousands of starts).
        let failedStarts = outcomes.filter { outcome in
            guard outcome.action.verb == .startJob, case .failed = outcome.result else { return false }
            return true
        }
        let patches = reports.compactMap { report -> (ObjectRef, [UInt8])? in
            let previous = stored[report.directive] ?? nil
            return Records.directiveStatus(report, stored: previous, outcomes: failedStarts).map { (report.directive, Self.statusPatch($0, replacing: previous)) }
        }
        return await patchStatuses(patches, Directive.self, refused: refused)
    }

    /// A merge patch that turns the stored status into `status`: fields it no longer has are set to
    /// null (a merge patch leaves out what it does not mention); arrays are replaced whole.
    static func statusPatch(_ status: Directive.Status, replacing previous: Directive.Status?) -> [UInt8] {
        let encoded = ClusterAccess.encoded(status)
        var members = encoded.objectValue ?? [:]
        for key in (previous.map(ClusterAccess.encoded)?.objectValue ?? [:]).keys where members[key] == nil {
            members[key] = .null
        }
        return JSONValue.object(["status": .object(members)]).jsonBytes
    }

    // MARK: - Budget spend

    /// Integrates each Budget's spend from the replicas that ran: the hourly cost stored at the last
    /// update, times the hours since. Kept in the Budget's status, so it survives restarts; written
    /// when the month or the hourly cost changes, and otherwise every five minutes.
    func writeBudgetStatus(_ desired: DesiredState, observed: ObservedState, outcomes: [ActionOutcome], now: Date, refused: RefusedWrites) async -> Set<ObjectRef> {
        var patches: [(ObjectRef, [UInt8])] = []
        for budget in desired.budgets {
            let hourly = Statuses.hourlyUSD(of: budget, services: desired.services, budgets: desired.budgets, deployments: observed.deployments,
                                            outcomes: outcomes)
            guard let status = Statuses.budget(budget, hourlyUSD: hourly, now: now) else { continue }
            ControllerMetrics.budget(budget.metadata.name, spent: status.spentUSD ?? 0, projected: status.projectedUSD ?? 0, limit: budget.spec.monthlyLimitUSD)
            // The spend figures alone (a merge patch): alerts and conditions are not this writer's.
            let spend = Budget.Status(month: status.month, spentUSD: status.spentUSD, projectedUSD: status.projectedUSD,
                                      costUSDPerHour: status.costUSDPerHour, lastUpdated: status.lastUpdated)
            patches.append((budget.ref, JSONValue.object(["status": ClusterAccess.encoded(spend)]).jsonBytes))
        }
        return await patchStatuses(patches, Budget.self, refused: refused)
    }

    // MARK: - Status

    /// Each evaluated AutoscaleRule's status: metrics, recommendation history and scale events, so
    /// that stabilization survives a controller restart (the HPA forgets it).
    /// Returns the ServiceSpecs whose rule's status could not be written.
    func writeRuleStatus(_ desired: DesiredState, statuses: [ObjectRef: AutoscaleRule.Status], outcomes: [ActionOutcome], now: Date,
                         refused: RefusedWrites) async -> Set<ObjectRef> {
        var patches: [(ObjectRef, [UInt8])] = []
        for rule in desired.autoscaleRules {
            guard let evaluated = statuses[rule.ref] else { continue }
            let status = Statuses.rule(evaluated, service: ClusterCache.target(rule), outcomes: outcomes, now: now)
            guard status != rule.status else { continue }
            patches.append((rule.ref, JSONValue.object(["status": ClusterAccess.encoded(status)]).jsonBytes))
        }
        let targets = Dictionary(desired.autoscaleRules.map { ($0.ref, ClusterCache.target($0)) }, uniquingKeysWith: { first, _ in first })
        return Set(await patchStatuses(patches, AutoscaleRule.self, refused: refused).compactMap { targets[$0] })
    }

    /// Each ServiceSpec's status: replicas, readiness, cost, last action, conditions. Written only
    /// when it differs from what is stored, so a pass with nothing to do writes nothing.
    func writeStatus(_ desired: DesiredState, services: [ServiceSpec], observed: ObservedState, outcomes: [ActionOutcome],
                     health: [ObjectRef: ServiceHealth] = [:], now: Date, refused: RefusedWrites) async -> Set<ObjectRef> {
        var patches: [(ObjectRef, [UInt8])] = []
        var degradedEvents: [PlannedEvent] = []
        let outcomesBySource = Dictionary(grouping: outcomes, by: \.action.source)
        for service in services where statusScope == .all || outcomesBySource[service.ref] != nil {
            let live = observed.deployments[ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)]
            let previous = service.status ?? ServiceSpec.Status()
            let status = Statuses.service(service, budgets: desired.budgets, live: live, outcomes: outcomesBySource[service.ref] ?? [],
                                          health: health[service.ref], now: now)
            guard status != previous else { continue }
            if let degraded = Records.degradedEvent(service, health: health[service.ref]) { degradedEvents.append(degraded) }
            // A merge patch of the status alone: no resourceVersion precondition, nothing else touched.
            patches.append((service.ref, JSONValue.object(["status": ClusterAccess.encoded(status)]).jsonBytes))
        }
        await record(degradedEvents, now: now, refused: refused)
        return await patchStatuses(patches, ServiceSpec.self, refused: refused)
    }

    /// Merge patches of the status, sixteen at a time; returns the resources whose patch failed,
    /// and tells `refused` why.
    func patchStatuses<R: Resource>(_ patches: [(ObjectRef, [UInt8])], _ kind: R.Type, refused: RefusedWrites) async -> Set<ObjectRef> {
        let cluster = cluster
        let failed = await concurrentMap(patches) { ref, body -> ObjectRef? in
            do throws(KubeError) {
                try await cluster.patchStatus(.of(kind), namespace: ref.namespace, name: ref.name, body: body)
                return nil
            } catch {
                // Gone meanwhile, or declared only in --manifests files: nothing to retry.
                guard error.reason != .notFound else { return nil }
                refused.add(RefusedWrite(kind: R.kind, namespace: ref.namespace, name: ref.name, subresource: "status", error: error))
                return ref
            }
        }
        return Set(failed.compactMap { $0 })
    }
}
