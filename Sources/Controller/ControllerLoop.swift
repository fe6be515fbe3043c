import Foundation
import JSON
import Kube
import Logging
import Manifests
import Model
import Planner
import Synchronization

/// The in-cluster controller's work: level-triggered reconcile passes over the whole desired state,
/// every sync period, by the leader only.
public final class ControllerLoop: Sendable {
    public struct Settings: Sendable {
        /// Desired state from these manifests instead of the custom resources in the cluster.
        public var manifestsDirectory: String?
        public var syncPeriod: Duration = .seconds(5)
        /// Delete managed objects that no resource declares any more.
        public var prune = true

        public init() {}
    }

    let cluster: ClusterAccess
    let reconciler: Reconciler
    let elector: LeaderElector?
    let settings: Settings
    let logger: Logger
    private let synced = Atomic<Bool>(false)
    private let latest = Mutex<PassSnapshot?>(nil)

    public init(cluster: ClusterAccess, journal: Journal?, elector: LeaderElector?, identity: String, settings: Settings, logger: Logger) {
        self.cluster = cluster
        self.reconciler = Reconciler(cluster: cluster, journal: journal, actor: identity, autoscale: true)
        self.elector = elector
        self.settings = settings
        self.logger = logger
    }

    /// Ready once a pass read the cluster completely (`/readyz`). A replica that waits for the lease
    /// is ready too: it is healthy, and it has nothing to sync until it leads.
    public var isReady: Bool { !isLeader || synced.load(ordering: .acquiring) }

    public var isLeader: Bool { elector?.isLeader ?? true }

    /// The latest successful pass, for the console: a value, so readers never see a half-written pass.
    public var snapshot: PassSnapshot? { latest.withLock { $0 } }

    /// Runs passes until cancelled. A replica that does not lead reads nothing and writes nothing.
    /// The next pass comes after the sync period, or sooner when a Directive is due sooner.
    public func run() async {
        while !Task.isCancelled {
            ControllerMetrics.leader(isLeader)
            var wait = settings.syncPeriod
            if isLeader, let result = await pass() {
                wait = Requeue.wait(until: result.plan.requeueAt, now: Date(), period: settings.syncPeriod)
            }
            try? await Task.sleep(for: wait)
        }
    }

    /// One full pass: read the desired state, reconcile, record. Errors are logged; the next pass
    /// starts from scratch (level-triggered).
    @discardableResult
    public func pass(now: Date = Date()) async -> Reconciler.Result? {
        let start = ContinuousClock.now
        ControllerMetrics.queueDepth(1)
        defer { ControllerMetrics.queueDepth(0) }
        do {
            let desired = try await desiredState()
            // Stop at once when leadership was lost while reading.
            guard isLeader else { return nil }
            let result = try await reconciler.reconcile(desired, options: Planner.Options(prune: settings.prune), now: now)
            synced.store(true, ordering: .releasing)
            latest.withLock { previous in
                previous = PassSnapshot(number: (previous?.number ?? 0) + 1, time: now, desired: desired, result: result)
            }
            ControllerMetrics.actions(result.outcomes)
            ControllerMetrics.reconcile(result: "ok", seconds: (ContinuousClock.now - start).seconds)
            for outcome in result.outcomes {
                logger.info("action", metadata: [
                    "action.id": "\(outcome.action.id)", "action.verb": "\(outcome.action.verb.rawValue)",
                    "action.target": "\(outcome.action.target)", "action.to": "\(outcome.action.to)",
                    "action.verdict": "\(outcome.action.finalVerdict.rawValue)", "action.result": "\(outcome.journalText)",
                ])
            }
            return result
        } catch {
            ControllerMetrics.reconcile(result: "error", seconds: (ContinuousClock.now - start).seconds)
            logger.error("reconcile failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func desiredState() async throws -> DesiredState {
        guard let directory = settings.manifestsDirectory else {
            return DesiredState(try await cluster.resources(namespace: nil))
        }
        // Re-read on every pass: a mounted ConfigMap or git checkout changes underneath us.
        let result = ManifestLoader(recursive: true).load([directory])
        if !result.diagnostics.isEmpty {
            for diagnostic in result.diagnostics { logger.error("invalid manifest", metadata: ["diagnostic": "\(diagnostic)"]) }
            throw ConfigurationProblem("\(result.diagnostics.count) invalid manifests in \(directory): not acting on a partial state")
        }
        // Approvals live in the cluster (hmsctl approve writes them) even when the rest is files.
        let approvals = try await cluster.resources(namespace: nil).filter { if case .approval = $0 { true } else { false } }
        return DesiredState(result.manifests.map(\.resource) + approvals)
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
