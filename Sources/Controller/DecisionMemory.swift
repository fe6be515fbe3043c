import Planner
import Synchronization

/// What a long-running reconciler last journaled for each resource among the decisions that carried
/// nothing out (held, deferred, denied). While an approval is awaited every pass comes to the same
/// decision again; the journal gets it once, not once per sync period. A decision that goes away and
/// comes back is journaled again.
public final class DecisionMemory: Sendable {
    /// By the resource that asked: action id → the result journaled.
    private let journaled = Mutex<[ObjectRef: [String: String]]>([:])

    public init() {}

    /// The outcomes worth journaling: all but the repeats of what was last journaled for the same
    /// resource. The decisions of this pass then replace the remembered ones of every resource it
    /// covered (`scope`, or every resource when nil).
    public func news(_ outcomes: [ActionOutcome], scope: Set<ObjectRef>?) -> [ActionOutcome] {
        journaled.withLock { memory in
            var current: [ObjectRef: [String: String]] = [:]
            let fresh = outcomes.filter { outcome in
                guard case .notCarriedOut = outcome.result else { return true }
                current[outcome.action.source, default: [:]][outcome.action.id] = outcome.journalText
                return memory[outcome.action.source]?[outcome.action.id] != outcome.journalText
            }
            let covered = (scope ?? Set(memory.keys)).union(outcomes.map(\.action.source))
            for source in covered { memory[source] = current[source] }
            return fresh
        }
    }

    /// Forgets everything: after a journal write failed, the next pass journals its decisions again.
    public func forget() {
        journaled.withLock { $0.removeAll() }
    }
}
