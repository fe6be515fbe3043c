import Foundation
import Kube
import Model
import Planner

/// Asks the cluster whether each Approval's author may still `approve` `approvals.ops.hms.gov` in
/// its namespace (a SubjectAccessReview, user = `spec.approvedBy`), and keeps the answers for a
/// while, so that a controller passing every few seconds asks once a minute per approver, not per
/// pass. The answers go to the gate as values (`DesiredState.approverStandings`); a review that
/// fails is not kept, so the next pass asks again.
public final class ApproverReviews: Sendable {
    let client: KubeClient
    let answers: TimedCache<Approver, ApproverStanding>

    /// `seconds`: how long an answer holds; an approver whose right is taken away stops releasing
    /// actions within it.
    public init(client: KubeClient, seconds: Double = 60) {
        self.client = client
        answers = TimedCache(seconds: seconds, capacity: 10_000)
    }

    /// `desired` with the standing of every approver of an unexpired Approval.
    public func confirm(_ desired: DesiredState, now: Date) async -> DesiredState {
        var desired = desired
        var standings: [Approver: ApproverStanding] = [:]
        for approver in ApproverStandings.approvers(of: desired.approvals, now: now) {
            standings[approver] = await standing(of: approver, now: now)
        }
        desired.approverStandings = ApproverStandings(standings)
        return desired
    }

    func standing(of approver: Approver, now: Date) async -> ApproverStanding {
        if let known = answers.get(approver, now: now) { return known }
        do {
            let status = try await client.subjectAccessReview(Self.review(of: approver))
            let standing = Self.standing(from: status)
            answers.put(approver, standing, now: now)
            return standing
        } catch {
            return .unknown("SubjectAccessReview failed: \(error.description)")
        }
    }

    static func review(of approver: Approver) -> SubjectAccessReview.Spec {
        SubjectAccessReview.Spec(
            user: approver.user, groups: approver.groups.isEmpty ? nil : approver.groups,
            resourceAttributes: .init(group: API.group, resource: Approval.plural, verb: "approve", namespace: approver.namespace))
    }

    static func standing(from status: SubjectAccessReview.Status) -> ApproverStanding {
        if status.allowed { return .authorized }
        return .refused(status.reason ?? status.evaluationError ?? "")
    }
}
