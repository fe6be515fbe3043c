import Foundation

/// What happened to one action.
public struct ActionOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case done
        /// Not carried out: its verdict was HOLD, DEFER or DENY.
        case notCarriedOut(Verdict)
        /// Not carried out, and rightly: a live read showed the premise was wrong (a prune whose
        /// owner is still there). Not an error.
        case skipped(String)
        case failed(String)
    }

    public var action: Action
    public var result: Result

    public init(action: Action, result: Result) {
        self.action = action
        self.result = result
    }

    /// The replica count a done scale or deploy set, for a Deployment.
    public var replicasSet: Int? {
        guard result == .done, case .replicas(let replicas) = action.change else { return nil }
        return replicas.to
    }

    public var journalText: String {
        switch result {
        case .done: "done"
        case .notCarriedOut(let verdict): "not carried out (\(verdict.rawValue))"
        case .skipped(let why): "skipped: \(why)"
        case .failed(let message): "failed: \(message)"
        }
    }
}
