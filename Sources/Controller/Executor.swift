import Foundation
import JSON
import Kube
import Model
import Planner
import Synchronization

/// Carries out the actions the gates let through, idempotently: objects are written with
/// server-side apply, so a retry after a crash changes nothing twice.
public struct Executor: Sendable {
    public let cluster: ClusterAccess
    /// How many writes may be in flight at once.
    public var concurrency = 16
    /// Asked before each write: false stops carrying out actions at once (the lease was lost).
    public var mayAct: @Sendable () -> Bool = { true }
    /// Told before an action goes to the cluster (the journal's intent); a throw keeps it from going.
    public var willAct: @Sendable (Action) throws -> Void = { _ in }
    /// Told the outcome of each action that went to the cluster, as soon as it is known.
    public var didAct: @Sendable (ActionOutcome) -> Void = { _ in }

    public init(cluster: ClusterAccess) { self.cluster = cluster }

    /// Carries out the plan; `progress` hears (done, total) after each action, for a progress line.
    /// A resource's actions go in plan order, one after the other, and `afterwards` hears their
    /// outcomes as soon as the last is known (to record them), while other resources' actions
    /// proceed alongside: no resource waits for the slowest write of another. Job starts do not
    /// depend on each other, nor do a Directive's Job deletes: each goes on its own. Returns the outcomes in plan order.
    public func execute(
        _ plan: Plan, progress: (@Sendable (Int, Int) -> Void)? = nil,
        afterwards: @escaping @Sendable (ObjectRef, [ActionOutcome]) async -> Void = { _, _ in }
    ) async -> [ActionOutcome] {
        let done = Atomic<Int>(0)
        let total = plan.actions.count
        let chains = Self.chains(plan.actions)
        let results = await concurrentMap(chains, limit: concurrency) { chain in
            var outcomes: [(Int, ActionOutcome)] = []
            for index in chain {
                outcomes.append((index, await perform(plan.actions[index])))
                progress?(done.add(1, ordering: .relaxed).newValue, total)
            }
            await afterwards(plan.actions[chain[0]].source, outcomes.map(\.1))
            return outcomes
        }
        return results.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The plan's action indexes by resource, in plan order; each job start alone.
    static func chains(_ actions: [Action]) -> [[Int]] {
        var chains: [[Int]] = []
        var chainOfSource: [ObjectRef: Int] = [:]
        for (index, action) in actions.enumerated() {
            if !action.change.isDirectiveJob, let chain = chainOfSource[action.source] {
                chains[chain].append(index)
            } else {
                if !action.change.isDirectiveJob { chainOfSource[action.source] = chains.count }
                chains.append([index])
            }
        }
        return chains
    }

    func perform(_ action: Action) async -> ActionOutcome {
        guard action.finalVerdict.proceeds else { return ActionOutcome(action: action, result: .notCarriedOut(action.finalVerdict)) }
        guard mayAct() else { return ActionOutcome(action: action, result: .failed("not carried out: this replica no longer leads")) }
        do {
            try willAct(action)
        } catch {
            return ActionOutcome(action: action, result: .failed("not carried out: its intent could not be journaled: \(error)"))
        }
        let outcome = await send(action)
        didAct(outcome)
        return outcome
    }

    private func send(_ action: Action) async -> ActionOutcome {
        do throws(KubeError) {
            switch action.change {
            case .replicas, .exposeService, .updateService, .template, .rollingRestart:
                // As one field manager whoever carries out the plan (`Rendering.workloadFieldManager`).
                let manager = Rendering.workloadFieldManager
                for manifest in action.manifests {
                    guard let type = manifest["kind"]?.stringValue.map(ObjectKind.init)?.resourceType else { continue }
                    try await cluster.apply(manifest, type, manager: manager)
                }
                if let patch = action.patch, let type = action.target.kind.resourceType {
                    try await cluster.mergePatch(type, namespace: action.target.namespace, name: action.target.name, body: patch.jsonBytes,
                                                 manager: manager)
                }
            case .replacePod:
                // A pod that keeps failing its health check is replaced: its Deployment makes a new one.
                try await ignoringNotFound { () throws(KubeError) in
                    try await cluster.delete(.pods, namespace: action.target.namespace, name: action.target.name)
                }
            case .foreignContainers:
                // A finding: the gate denies it, so it never comes here.
                return ActionOutcome(action: action, result: .skipped("a finding on the live state is reported, never carried out"))
            case .prune(_, let condition):
                if let why = try await prune(action, condition) { return ActionOutcome(action: action, result: .skipped(why)) }
            case .deleteJob(let deletion):
                // On the uid observed, in the background: the Job goes at once, its pods after it.
                // Gone already is done; a Job of the same name made since is not this one.
                guard let uid = deletion.uid else { return ActionOutcome(action: action, result: .skipped("the plan gives no uid to delete on")) }
                do {
                    try await cluster.delete(.jobs, namespace: action.target.namespace, name: action.target.name, uid: uid)
                } catch {
                    switch error.reason {
                    case .notFound: break
                    case .conflict: return ActionOutcome(action: action, result: .skipped("Job \(action.target.namespace)/\(action.target.name) is no longer uid \(uid)"))
                    default: throw error
                    }
                }
            case .startJob:
                // Created, never applied: a Job's name stands for one attempt, so one that exists
                // already was started by an earlier pass (or a controller that crashed) and is left alone.
                for manifest in action.manifests {
                    do {
                        try await cluster.create(manifest, .jobs, named: true)
                    } catch {
                        if error.reason != .alreadyExists { throw error }
                    }
                }
            }
            return ActionOutcome(action: action, result: .done)
        } catch {
            return ActionOutcome(action: action, result: .failed(error.description))
        }
    }

    /// Deletes the Deployment (and Service) a prune names once live reads confirm its condition;
    /// else says why not. A cache that has seen a Deployment but not yet its ServiceSpec proposes
    /// such deletes: the owner read here is what keeps them from removing anything alive.
    func prune(_ action: Action, _ condition: PruneCondition) async throws(KubeError) -> String? {
        guard let uid = condition.uid else {
            return "the plan gives no uid to delete on"
        }
        let namespace = action.target.namespace
        if let alive = try await ownerAlive(condition.owner, namespace: namespace) { return alive }
        // A Service left without its Deployment is pruned on its own uid.
        if action.target.kind == .service { return try await deleteService(namespace: namespace, name: action.target.name, uid: uid) }
        do {
            try await cluster.delete(.deployments, namespace: namespace, name: action.target.name, uid: uid)
        } catch {
            switch error.reason {
            case .notFound: break
            // The precondition failed: another Deployment of that name took its place.
            case .conflict: return "Deployment \(namespace)/\(action.target.name) is no longer uid \(uid)"
            default: throw error
            }
        }
        // The Service of the same name, when it is ours and belongs to the same owner.
        guard let service = try await cluster.getIfPresent(.services, namespace: namespace, name: action.target.name),
            let serviceUID = service[path: ["metadata", "uid"]]?.stringValue,
            service[path: ["metadata", "labels", Rendering.managedByKey]]?.stringValue == Rendering.managedByValue,
            (service[path: ["metadata", "annotations", Rendering.sourceKey]]?.stringValue == Rendering.sourceManifests)
                == (condition.owner == .createdFromManifests)
        else { return nil }
        if case .serviceSpec(let owner) = condition.owner,
            let references = service[path: ["metadata", "ownerReferences"]]?.arrayValue, !references.isEmpty,
            !references.contains(where: { $0["uid"]?.stringValue == owner.uid })
        {
            return nil
        }
        _ = try await deleteService(namespace: namespace, name: action.target.name, uid: serviceUID)
        return nil
    }

    /// Deletes a Service on its uid; says why not when another Service of that name took its place.
    private func deleteService(namespace: String, name: String, uid: String) async throws(KubeError) -> String? {
        do {
            try await cluster.delete(.services, namespace: namespace, name: name, uid: uid)
        } catch {
            switch error.reason {
            case .notFound: break
            case .conflict: return "Service \(namespace)/\(name) is no longer uid \(uid)"
            default: throw error
            }
        }
        return nil
    }

    /// Why the owner counts as alive (a live read found it), or nil when it is confirmed gone.
    private func ownerAlive(_ owner: PruneCondition.Owner, namespace: String) async throws(KubeError) -> String? {
        switch owner {
        case .createdFromManifests:
            return nil
        case .serviceSpec(let reference):
            let live = try await cluster.getIfPresent(.of(ServiceSpec.self), namespace: namespace, name: reference.name)
            guard let live, live[path: ["metadata", "uid"]]?.stringValue == reference.uid else { return nil }
            return "its ServiceSpec \(namespace)/\(reference.name) (uid \(reference.uid)) exists"
        case .serviceSpecNamed(let name):
            guard try await cluster.getIfPresent(.of(ServiceSpec.self), namespace: namespace, name: name) != nil else { return nil }
            return "a ServiceSpec \(namespace)/\(name) exists"
        }
    }

    private func ignoringNotFound(_ body: () async throws(KubeError) -> Void) async throws(KubeError) {
        do {
            try await body()
        } catch {
            if error.reason != .notFound { throw error }
        }
    }
}
