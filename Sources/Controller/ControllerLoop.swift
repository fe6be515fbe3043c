import Foundation
import JSON
import Kube
import Logging
import Manifests
import Model
import Planner
import Synchronization

/// The in-cluster controller's work, as client-go controllers do it: informers keep a cache of
/// every kind it reads (one list, then a watch), each change puts the keys it touches on a work
/// queue (deduplicated, with per key exponential backoff), and the leader reconciles the keys that
/// are due, reading only the caches. Timers add what time alone changes: AutoscaleRules due for
/// an evaluation, Directive runs falling due, Budget spend to integrate, and a periodic resync of
/// every key.
public final class ControllerLoop: Sendable {
    public struct Settings: Sendable {
        /// Desired state from these manifests instead of the custom resources in the cluster.
        public var manifestsDirectory: String?
        /// How often the timers look: autoscaling, budgets, the manifests directory.
        public var syncPeriod: Duration = .seconds(5)
        /// How often every key is reconciled again although nothing changed (from the caches:
        /// no request unless something differs).
        public var resyncPeriod: Duration = .seconds(600)
        /// The server ends each watch after this long (client-go: 5 to 10 minutes at random).
        public var watchTimeoutSeconds: ClosedRange<Int> = 300...600
        /// Delete managed objects that no resource declares any more.
        public var prune = true
        /// How many namespaces are reconciled at once (each by one worker).
        public var workers = 4
        /// The time decisions are made at (budgets' months, schedules, windows, approvals): the
        /// system clock, unless a test pins the calendar.
        public var clock = WallClock.system
        /// When to look again (a key's backoff or requeue time, the timers' periods): the
        /// continuous clock, unless a test moves time on.
        public var waitingClock = WaitingClock.continuous

        public init() {}
    }

    let cluster: ClusterAccess
    let reconciler: Reconciler
    let elector: LeaderElector?
    let settings: Settings
    let logger: Logger
    public let cache: ClusterCache
    private let queue = Mutex(WorkQueue<ObjectRef>())
    private let wakeup = Wakeup()
    private let manifests = Mutex<ManifestSource>(ManifestSource())
    private let latest = Mutex<PassSnapshot?>(nil)
    let invalidReports = Mutex(InvalidObjectReports())
    /// The namespaces workers are reconciling now, and how many workers are busy.
    private let busy = Mutex<(namespaces: Set<String>, workers: Int)>(([], 0))

    public init(cluster: ClusterAccess, journal: Journal?, elector: LeaderElector?, identity: String, settings: Settings, logger: Logger) {
        let cache = ClusterCache(manifestsMode: settings.manifestsDirectory != nil)
        var cluster = cluster
        // Our own writes reach the caches at once, not only when their watch event comes.
        cluster.written = { type, object in cache.wrote(type, object) }
        cluster.deleted = { type, namespace, name in cache.deleted(type, namespace: namespace, name: name) }
        self.cache = cache
        self.cluster = cluster
        var reconciler = Reconciler(cluster: cluster, journal: journal, actor: identity, autoscale: true)
        reconciler.decisionMemory = DecisionMemory()
        reconciler.observesEverywhere = settings.prune
        self.reconciler = reconciler
        self.elector = elector
        self.settings = settings
        self.logger = logger
    }

    /// Ready once every cache has listed its kind (`/readyz`). Followers run the caches too, so
    /// that a takeover starts from a warm cache.
    public var isReady: Bool { cache.hasSynced }

    public var isLeader: Bool { elector?.isLeader ?? true }

    /// What `/readyz` says when ready: caches synced, and how many objects the controller skips
    /// because they do not decode or validate (each has an `InvalidSpec` Event).
    public var readiness: String {
        let invalid = cache.invalidObjects.count
        return invalid == 0 ? "ok" : "ok; \(invalid) invalid \(invalid == 1 ? "object" : "objects") skipped (InvalidSpec Events, hms_invalid_objects)"
    }

    /// The latest reconcile, for the console: a value, so readers never see a half-written one.
    public var snapshot: PassSnapshot? { latest.withLock { $0 } }

    public var queueDepth: Int { queue.withLock { $0.depth } }

    /// Queues keys for reconciling.
    public func enqueue(_ keys: [ObjectRef]) {
        guard !keys.isEmpty else { return }
        let depth = queue.withLock { queue in
            for key in keys { queue.add(key) }
            return queue.depth
        }
        ControllerMetrics.queueDepth(depth)
        wakeup.signal()
    }

    /// Runs the caches, the timers and the worker until cancelled. A replica that does not lead
    /// keeps its caches warm and writes nothing.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            let range = settings.watchTimeoutSeconds
            group.addTask { [self] in
                await cache.run(client: cluster.client, watchTimeoutSeconds: { Int.random(in: range) }, logger: logger) { keys in self.enqueue(keys) }
            }
            group.addTask { [self] in await tick() }
            group.addTask { [self] in await work() }
            await group.waitForAll()
        }
    }

    // MARK: - Worker

    /// Takes the keys that are due and reconciles them on up to `settings.workers` workers at
    /// once, dealt by namespace: a namespace whose requests are slow or hang holds up its own
    /// worker only, while the others go on taking keys. A key is never reconciled twice at once,
    /// one changed meanwhile is reconciled again after, and a namespace is reconciled by one worker
    /// at a time (a Budget judges its namespace's actions in order, in one pass).
    func work() async {
        let workers = max(1, settings.workers)
        let timer = settings.waitingClock
        await withDiscardingTaskGroup { running in
            var wasLeader = false
            while !Task.isCancelled {
                let leading = isLeader
                ControllerMetrics.leader(leading)
                if leading != wasLeader {
                    wasLeader = leading
                    // A new leader starts with everything: it does not know what the last one finished.
                    if leading { enqueue(allKeys()) }
                }
                let (namespaces, active) = busy.withLock { $0 }
                guard leading, cache.hasSynced, active < workers else {
                    await wakeup.wait(until: timer.now() + .milliseconds(200), on: timer)
                    continue
                }
                let now = timer.now()
                let (batch, depth, nextReady) = queue.withLock { queue in (queue.nextBatch(now: now), queue.depth, queue.nextReady) }
                ControllerMetrics.queueDepth(depth)
                guard !batch.isEmpty else {
                    // Wake for new keys, a key's backoff ending, a worker finishing, or leadership to check.
                    await wakeup.wait(until: min(nextReady ?? now + .seconds(1), now + .seconds(1)), on: timer)
                    continue
                }
                let (groups, deferred) = Self.deal(batch, busy: namespaces, workers: workers - active)
                // Keys of a namespace another worker has: back in the queue, for when it is done.
                queue.withLock { queue in
                    for key in deferred {
                        queue.done(key)
                        queue.add(key, after: .milliseconds(20), now: now)
                    }
                }
                for group in groups {
                    let owned = Set(group.map(\.namespace))
                    busy.withLock { state in
                        state.namespaces.formUnion(owned)
                        state.workers += 1
                    }
                    running.addTask { [self] in
                        await process(group)
                        busy.withLock { state in
                            state.namespaces.subtract(owned)
                            state.workers -= 1
                        }
                        wakeup.signal()
                    }
                }
                if groups.isEmpty { await wakeup.wait(until: now + .milliseconds(20), on: timer) }
            }
        }
    }

    /// A batch shared among `workers` free workers: the keys of namespaces another worker is
    /// reconciling wait (`deferred`); the others are dealt out whole namespace by whole
    /// namespace, in name order, into at most `workers` groups.
    static func deal(_ batch: [ObjectRef], busy: Set<String>, workers: Int) -> (groups: [[ObjectRef]], deferred: [ObjectRef]) {
        let deferred = batch.filter { busy.contains($0.namespace) }
        let free = batch.filter { !busy.contains($0.namespace) }
        let namespaces = Array(Set(free.map(\.namespace))).sorted()
        let count = min(max(1, workers), namespaces.count)
        guard count > 0 else { return ([], deferred) }
        var slot: [String: Int] = [:]
        for (index, namespace) in namespaces.enumerated() { slot[namespace] = index % count }
        var groups = Array(repeating: [ObjectRef](), count: count)
        for key in free { groups[slot[key.namespace] ?? 0].append(key) }
        return (groups, deferred)
    }

    func process(_ batch: [ObjectRef]) async {
        let start = ContinuousClock.now
        let now = settings.clock.now()
        let keys = Set(batch)
        if settings.manifestsDirectory == nil { await reportInvalidObjects(now: now) }
        guard let desired = desiredFromCaches() else {
            queue.withLock { queue in for key in batch { queue.addRateLimited(key, now: settings.waitingClock.now()); queue.done(key) } }
            return
        }
        let elector = elector
        do {
            if settings.manifestsDirectory == nil { try await cache.catchUpGateInputs(for: keys, client: cluster.client) }
            // After the catch-up: a policy it brought in is part of what is judged.
            let desired = desiredFromCaches() ?? desired
            let observed = cache.observed(for: desired, managedEverywhere: settings.prune)
            let result = try await reconciler.reconcile(
                desired, observed: observed, options: plannerOptions, now: now, scope: keys,
                mayAct: { elector?.isLeader ?? true })
            cache.renderedDeployments.withLock { $0 = result.plan.renderedDeployments }
            // Actions a gate held, deferred, clamped or denied are looked at again every sync
            // period: approvals, freeze windows and budgets change with time.
            let gated = Set(result.outcomes.filter { $0.action.finalVerdict != .allow }.map(\.action.source))
            let syncPeriod = settings.syncPeriod
            queue.withLock { queue in
                let clock = settings.waitingClock.now()
                for key in batch {
                    if result.failed.contains(key) {
                        queue.addRateLimited(key, now: clock)
                    } else {
                        queue.forget(key)
                        if gated.contains(key) { queue.add(key, after: syncPeriod, now: clock) }
                    }
                    queue.done(key)
                }
                // A timer per Directive's next moment: a run falls due, a retry, an SLO deadline.
                for report in result.plan.directives {
                    guard let at = report.requeueAt else { continue }
                    queue.add(report.directive, after: .seconds(max(1, at.timeIntervalSince(settings.clock.now()))), now: clock)
                }
            }
            latest.withLock { previous in
                previous = PassSnapshot(number: (previous?.number ?? 0) + 1, time: now, desired: desired, result: result)
            }
            ControllerMetrics.actions(result.outcomes)
            ControllerMetrics.findings(result.plan.findings)
            ControllerMetrics.reconcile(result: result.failed.isEmpty ? "ok" : "error", seconds: (ContinuousClock.now - start).seconds)
            log(result.journaled)
            if !result.failed.isEmpty {
                logger.notice("reconcile incomplete; retrying with backoff", metadata: ["keys": "\(result.failed.sorted().map(\.description))"])
            }
        } catch {
            queue.withLock { queue in for key in batch { queue.addRateLimited(key, now: settings.waitingClock.now()); queue.done(key) } }
            ControllerMetrics.reconcile(result: "error", seconds: (ContinuousClock.now - start).seconds)
            logger.error("reconcile failed", metadata: ["error": "\(error)"])
        }
    }

    /// Prune as set; objects made from a manifests directory are marked so; the Deployments the
    /// last pass rendered, to reuse (see `Planner.Options`).
    var plannerOptions: Planner.Options {
        Planner.Options(prune: settings.prune, desiredFromManifests: settings.manifestsDirectory != nil,
                        renderedDeployments: cache.renderedDeployments.withLock { $0 })
    }

    func log(_ outcomes: [ActionOutcome]) {
        for outcome in outcomes {
            logger.info("action", metadata: [
                "action.id": "\(outcome.action.id)", "action.verb": "\(outcome.action.verb.rawValue)",
                "action.target": "\(outcome.action.target)", "action.to": "\(outcome.action.change.toText)",
                "action.verdict": "\(outcome.action.finalVerdict.rawValue)", "action.result": "\(outcome.journalText)",
            ])
        }
    }

    /// The desired state from the caches (or the manifests and the cached Approvals); nil while
    /// the manifests do not load.
    func desiredFromCaches() -> DesiredState? {
        guard settings.manifestsDirectory != nil else { return cache.desiredState() }
        guard var desired = manifests.withLock({ $0.desired }) else { return nil }
        desired.approvals = cache.approvals.values.compactMap(\.value)
        return desired
    }

    func allKeys() -> [ObjectRef] {
        guard settings.manifestsDirectory != nil else { return cache.allKeys() }
        guard let desired = manifests.withLock({ $0.desired }) else { return [] }
        return desired.services.map(\.ref) + desired.directives.map(\.ref) + desired.budgets.map(\.ref) + cache.orphanKeys()
    }

    // MARK: - Timers

    /// Every sync period: the manifests directory, AutoscaleRules due for an evaluation (their
    /// metrics are read then), Budgets whose spend is due to be written; every resync period, all.
    func tick() async {
        let timer = settings.waitingClock
        var lastResync = timer.now()
        while !Task.isCancelled {
            if let directory = settings.manifestsDirectory { reloadManifests(directory) }
            if isLeader, cache.hasSynced {
                let now = settings.clock.now()
                let desired = desiredFromCaches() ?? DesiredState()
                enqueue(desired.autoscaleRules.filter { AutoscaleEvaluation.isDue($0, now: now) }.map(ClusterCache.target))
                enqueue(desired.budgets.filter { Self.spendIsDue($0, now: now) }.map(\.ref))
                if timer.now() - lastResync >= settings.resyncPeriod {
                    lastResync = timer.now()
                    enqueue(allKeys())
                }
            }
            try? await timer.sleep(for: settings.syncPeriod)
        }
    }

    /// A Budget's spend is written when the month turns and at least every five minutes.
    static func spendIsDue(_ budget: Budget, now: Date) -> Bool {
        guard let status = budget.status, status.month == Ledger.month(of: now),
            let last = status.lastUpdated.flatMap(RFC3339.date(from:))
        else { return true }
        return now.timeIntervalSince(last) >= 300
    }

    /// Loads the manifests again when a file under the directory changed (by modification time
    /// and size); every key of the old and the new state is reconciled.
    func reloadManifests(_ directory: String) {
        let fingerprint = ManifestSource.fingerprint(directory)
        guard manifests.withLock({ $0.fingerprint != fingerprint }) else { return }
        let result = ManifestLoader(recursive: true).load([directory])
        let before = allKeys()
        guard result.diagnostics.isEmpty else {
            for diagnostic in result.diagnostics { logger.error("invalid manifest", metadata: ["diagnostic": "\(diagnostic)"]) }
            logger.error("not acting on a partial state", metadata: ["directory": "\(directory)", "invalid": "\(result.diagnostics.count)"])
            manifests.withLock { $0 = ManifestSource(fingerprint: fingerprint, desired: nil) }
            return
        }
        manifests.withLock { $0 = ManifestSource(fingerprint: fingerprint, desired: DesiredState(result.manifests.map(\.resource))) }
        logger.notice("manifests loaded", metadata: ["directory": "\(directory)", "resources": "\(result.manifests.count)"])
        enqueue(before + allKeys())
    }

    // MARK: - One pass

    /// One full pass with plain lists (`--once`): read the desired state, reconcile, record.
    @discardableResult
    public func pass(now: Date? = nil) async -> Reconciler.Result? {
        let now = now ?? settings.clock.now()
        let start = ContinuousClock.now
        do {
            let desired = try await desiredState()
            // Stop at once when leadership was lost while reading.
            guard isLeader else { return nil }
            let result = try await reconciler.reconcile(desired, options: plannerOptions, now: now)
            latest.withLock { previous in
                previous = PassSnapshot(number: (previous?.number ?? 0) + 1, time: now, desired: desired, result: result)
            }
            ControllerMetrics.actions(result.outcomes)
            ControllerMetrics.findings(result.plan.findings)
            ControllerMetrics.reconcile(result: "ok", seconds: (ContinuousClock.now - start).seconds)
            log(result.journaled)
            return result
        } catch {
            ControllerMetrics.reconcile(result: "error", seconds: (ContinuousClock.now - start).seconds)
            logger.error("reconcile failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func desiredState() async throws -> DesiredState {
        guard let directory = settings.manifestsDirectory else {
            let resources = try await cluster.resources(namespace: nil)
            return DesiredState(resources.valid, invalid: resources.invalid)
        }
        let result = ManifestLoader(recursive: true).load([directory])
        if !result.diagnostics.isEmpty {
            for diagnostic in result.diagnostics { logger.error("invalid manifest", metadata: ["diagnostic": "\(diagnostic)"]) }
            throw ConfigurationProblem("\(result.diagnostics.count) invalid manifests in \(directory): not acting on a partial state")
        }
        // Approvals live in the cluster (hmsctl approve writes them) even when the rest is files.
        let approvals = try await cluster.resources(namespace: nil, kinds: [Approval.self]).valid
        return DesiredState(result.manifests.map(\.resource) + approvals)
    }
}

/// The manifests directory as last loaded: what its files looked like, and what they declared
/// (nil while one of them is invalid).
struct ManifestSource: Sendable {
    var fingerprint: [String] = []
    var desired: DesiredState?

    /// Path, size and modification time of every file under `directory`, sorted.
    static func fingerprint(_ directory: String) -> [String] {
        let url = URL(fileURLWithPath: directory)
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys) else { return ["unreadable"] }
        var lines: [String] = []
        for case let file as URL in walker {
            guard let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            lines.append("\(file.path) \(values.fileSize ?? 0) \(values.contentModificationDate?.timeIntervalSince1970 ?? 0)")
        }
        return lines.sorted()
    }
}

/// Wakes the worker: new keys, or a deadline. A signal while nobody waits is kept for the next wait.
final class Wakeup: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    func wait(until deadline: ContinuousClock.Instant, on clock: WaitingClock) async {
        let timer = Task { [self] in
            try? await clock.sleep(until: deadline)
            if !Task.isCancelled { signal() }
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}

/// One reconcile pass as the console shows it: what was desired, seen, planned and done.
public struct PassSnapshot: Sendable {
    /// Counts passes since start, so that live views can tell a new pass from the one they show.
    public var number: Int
    public var time: Date
    public var services: [ServiceSpec]
    public var autoscaleRules: [AutoscaleRule]
    public var budgets: [Budget]
    public var deployments: [ObjectRef: ObservedDeployment]
    public var plan: Plan
    public var outcomes: [ActionOutcome]

    public init(number: Int, time: Date, desired: DesiredState, result: Reconciler.Result) {
        self.init(number: number, time: time, services: desired.services, autoscaleRules: desired.autoscaleRules, budgets: desired.budgets,
                  deployments: result.observed.deployments, plan: result.plan, outcomes: result.outcomes)
    }

    public init(number: Int, time: Date, services: [ServiceSpec] = [], autoscaleRules: [AutoscaleRule] = [], budgets: [Budget] = [],
                deployments: [ObjectRef: ObservedDeployment] = [:], plan: Plan = Plan(), outcomes: [ActionOutcome] = []) {
        self.number = number
        self.time = time
        self.services = services
        self.autoscaleRules = autoscaleRules
        self.budgets = budgets
        self.deployments = deployments
        self.plan = plan
        self.outcomes = outcomes
    }

    /// The actions of this pass that wait for an approval.
    public var held: [Action] { plan.actions.filter { $0.finalVerdict == .hold } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
