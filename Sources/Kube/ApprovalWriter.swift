import JSON
import Model

/// What writing an Approval came to. Approvals cannot change once written, and their name is the
/// action's id and the decision: a second approval of the same action finds the first one. That is
/// a normal outcome, reported with who wrote the existing one and when, not a failure.
public enum ApprovalWrite: Sendable, Equatable {
    case created
    case exists(ExistingApproval)
}

/// The Approval that was there already.
public struct ExistingApproval: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var action: String
    public var approvedBy: String
    public var decision: Approval.Decision
    /// Its `metadata.creationTimestamp`, as the cluster wrote it.
    public var createdAt: String?

    public init(name: String, namespace: String, action: String, approvedBy: String, decision: Approval.Decision, createdAt: String?) {
        self.name = name
        self.namespace = namespace
        self.action = action
        self.approvedBy = approvedBy
        self.decision = decision
        self.createdAt = createdAt
    }

    init(_ approval: Approval) {
        self.init(name: approval.metadata.name, namespace: approval.metadata.namespace ?? "", action: approval.spec.action,
                  approvedBy: approval.spec.approvedBy, decision: approval.spec.decision ?? .approve, createdAt: approval.metadata.creationTimestamp)
    }

    /// `already approved (by alice at 2026-11-16T09:00:00Z)`.
    public var summary: String {
        "already \(decision == .approve ? "approved" : "rejected") (by \(approvedBy) at \(createdAt ?? "an unknown time"))"
    }

    /// Whether it says what the writer meant to write: the same decision on the same action, by the same user.
    public func says(_ decision: Approval.Decision, on action: String, by user: String) -> Bool {
        self.decision == decision && self.action == action && approvedBy == user
    }
}

extension KubeClient {
    /// Writes `approval` (an Approval object) with a create, as `hmsctl approve` and the ops
    /// console both do: never an update or apply of one that exists. When one of its name exists
    /// (409 AlreadyExists), reads it and says whose it is.
    public func writeApproval(_ approval: JSONValue) async throws(KubeError) -> ApprovalWrite {
        let type = ResourceType.of(Approval.self)
        let namespace = approval[path: ["metadata", "namespace"]]?.stringValue
        let name = approval[path: ["metadata", "name"]]?.stringValue ?? ""
        do {
            _ = try await send(.create(type, namespace: namespace, body: approval.jsonBytes))
            return .created
        } catch where error.reason == .alreadyExists {
            let existing = try await get(Approval.self, type, name: name, namespace: namespace)
            return .exists(ExistingApproval(existing))
        }
    }
}
