import Foundation
import Model

/// Who wrote an Approval, and where: the subject the cluster is asked about (the user and the
/// groups the Approval records).
public struct Approver: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var user: String
    /// Sorted, without repeats.
    public var groups: [String]

    public init(namespace: String, user: String, groups: [String] = []) {
        self.namespace = namespace
        self.user = user
        self.groups = Set(groups).sorted()
    }

    public init(of approval: Approval) {
        self.init(namespace: approval.ref.namespace, user: approval.spec.approvedBy, groups: approval.spec.approverGroups ?? [])
    }

    public static func < (left: Approver, right: Approver) -> Bool {
        (left.namespace, left.user, left.groups.joined(separator: ",")) < (right.namespace, right.user, right.groups.joined(separator: ","))
    }

    public var description: String { "\(user) in \(namespace)" }
}

/// What the cluster answered when asked whether an approver may still `approve`
/// `approvals.ops.hms.gov` in the Approval's namespace (a SubjectAccessReview the shell sends).
/// The gate releases an action only on `.authorized`: an approver whose right was taken away, or
/// one the shell could not ask about, releases nothing.
public enum ApproverStanding: Sendable, Equatable {
    case authorized
    /// The cluster said no (the reason it gave, if any).
    case refused(String)
    /// The question could not be answered (the error).
    case unknown(String)
    /// Not asked yet: more approvers in the namespace wait to be confirmed than a pass asks about
    /// (`ApproverQuestions.perNamespace`); a later pass asks.
    case waiting
}

/// The approvers the shell asked about, as values the gate reads.
public struct ApproverStandings: Sendable, Equatable {
    public var byApprover: [Approver: ApproverStanding]

    public init(_ byApprover: [Approver: ApproverStanding] = [:]) {
        self.byApprover = byApprover
    }

    public subscript(_ approver: Approver) -> ApproverStanding {
        byApprover[approver] ?? .waiting
    }

    /// The approvers worth asking about at `now`: those of the unexpired Approvals (the gate
    /// ignores the others), in order.
    public static func approvers(of approvals: [Approval], now: Date) -> [Approver] {
        Set(approvals.filter { $0.expiry.map { $0 > now } ?? false }.map(Approver.init(of:))).sorted()
    }
}

extension Approval {
    var expiry: Date? { RFC3339.date(from: spec.expiresAt) }
}
