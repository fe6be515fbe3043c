import Foundation
import JSON
import Kube
import Planner
import Synchronization

/// What happened to one action.
public struct ActionOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case done
        /// Not carried out: its verdict was HOLD, DEFER or DENY.
        case notCarriedOut(Verdict)
        case failed(String)
    }

    public var action: Action
    public var result: Result

    public var journalText: String {
        switch result {
        case .done: "done"
        case .notCarriedOut(let verdict): "not carried out (\(verdict.rawValue))"
        case .failed(let message): "failed: \(message)"
        }
    }
}

/// Carries out the actions the gates let through, idempotently: objects are written with
/// server-side apply, so a retry after a crash changes nothing twice.
public struct Executor: Sendable {
    public let cluster: ClusterAccess
    /// How many writes may be in flight at once.
    public var concurrency = 16
    /// Asked before each write: false stops carrying out actions at once (the lease was lost).
    public var mayAct: @Sendable () -> Bool = { true }

    public init(cluster: ClusterAccess) { self.cluster = cluster }

    /// Carries out the plan; `progress` hears (done, total) after each action, for a progress line.
    public func execute(_ plan: Plan, progress: (@Sendable (Int, Int) -> Void)? = nil) async -> [ActionOutcome] {
        let done = Atomic<Int>(0)
        let total = plan.actions.count
        return await concurrentMap(plan.actions, limit: concurrency) { action in
            let outcome = await perform(action)
            let count = done.add(1, ordering: .relaxed).newValue
            progress?(count, total)
            return outcome
        }
    }

    func perform(_ action: Action) async -> ActionOutcome {
        guard action.finalVerdict.proceeds else { return ActionOutcome(action: action, result: .notCarriedOut(action.finalVerdict)) }
        guard mayAct() else { return ActionOutcome(action: action, result: .failed("not carried out: this replica no longer leads")) }
        do throws(KubeError) {
            switch action.verb {
            case .deploy, .update, .scale, .restart where action.target.kind != "Pod":
                for manifest in action.manifests {
                    guard let kind = manifest["kind"]?.stringValue,
                        let type = ObjectRef(kind: kind, namespace: "", name: "").resourceType
                    else { continue }
                    try await cluster.apply(manifest, type)
                }
            case .restart:
                // A pod that keeps failing its health check is replaced: its Deployment makes a new one.
                try await ignoringNotFound { () throws(KubeError) in
                    try await cluster.delete(.pods, namespace: action.target.namespace, name: action.target.name)
                }
            case .delete:
                for type in [ResourceType.deployments, .services] {
                    try await ignoringNotFound { () throws(KubeError) in
                        try await cluster.delete(type, namespace: action.target.namespace, name: action.target.name)
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
            default:
                break
            }
            return ActionOutcome(action: action, result: .done)
        } catch {
            return ActionOutcome(action: action, result: .failed(error.description))
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
