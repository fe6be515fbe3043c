import Foundation
import Model
import Testing
@testable import Planner

/// The approval gate with the cluster's answers about approvers passed in as values: an Approval
/// releases its action only when the cluster still lets its author approve.
@Suite(.tags(.unit)) struct ApproverStandingTests {
    let twelve = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
    let state = observed(live(replicas: 4), services: [frontService])

    func approval(_ id: String, by user: String = "alice", groups: String = "", decision: String = "approve", expires: String = "2026-11-17T00:00:00Z") -> String {
        let groupsField = groups.isEmpty ? "" : ", approverGroups: [\(groups)]"
        return "\n---\napiVersion: ops.hms.gov/v1alpha1\nkind: Approval\nmetadata: {name: ok, namespace: aid}\n"
            + "spec: {action: \(id), approvedBy: \(user)\(groupsField), expiresAt: \"\(expires)\", decision: \(decision)}\n"
    }

    func judged(_ yaml: String, _ standing: ApproverStanding) -> Action {
        Planner().plan(desired: desired(yaml, approvers: standing), observed: state, ledger: Ledger(spentUSD: [:]), now: now).actions[0]
    }

    var heldID: String { plan(twelve + governance, state).actions[0].id }

    @Test func aConfirmedApproverReleasesTheAction() {
        let action = judged(twelve + governance + approval(heldID), .authorized)
        #expect(action.finalVerdict == .allow)
        #expect(action.gates.last?.reason.hasSuffix("; approved by alice (Approval ok)") == true)
    }

    @Test func anApproverTheClusterNoLongerAuthorizesReleasesNothing() {
        let action = judged(twelve + governance + approval(heldID), .refused("no RoleBinding"))
        #expect(action.finalVerdict == .hold)
        #expect(action.gates.last?.reason == "[max-replicas] 12 replicas need approval above 10 (GovernancePolicy rules); "
            + "Approval ok by alice not honoured: the cluster no longer lets alice approve approvals.ops.hms.gov in aid (no RoleBinding)")
    }

    @Test func anApproverNotConfirmedReleasesNothing() {
        let action = judged(twelve + governance + approval(heldID), .unknown("SubjectAccessReview failed: 503"))
        #expect(action.finalVerdict == .hold)
        #expect(action.gates.last?.reason.hasSuffix("Approval ok by alice not honoured: could not confirm that alice may approve in aid (SubjectAccessReview failed: 503)") == true)
        // Nobody asked at all: the same.
        let unasked = Planner().plan(desired: desired(twelve + governance + approval(heldID), approvers: .authorized).withoutStandings,
                                     observed: state, ledger: Ledger(spentUSD: [:]), now: now).actions[0]
        #expect(unasked.finalVerdict == .hold)
    }

    @Test func aRejectionCountsOnlyFromAConfirmedApprover() {
        #expect(judged(twelve + governance + approval(heldID, decision: "reject"), .authorized).finalVerdict == .deny)
        // Anyone else's rejection neither denies nor releases: the action stays held.
        #expect(judged(twelve + governance + approval(heldID, decision: "reject"), .refused("")).finalVerdict == .hold)
    }

    @Test func theShellAsksOnlyAboutApproversOfUnexpiredApprovals() {
        let approvals = desired(approval("act-1", by: "bob", groups: "ops, ops, leads") + approval("act-2", by: "carol", expires: "2026-11-15T00:00:00Z")
            + approval("act-3", by: "bob", groups: "leads, ops")).approvals
        #expect(ApproverStandings.approvers(of: approvals, now: now) == [Approver(namespace: "aid", user: "bob", groups: ["leads", "ops"])])
    }

    @Test func theStandingIsPerNamespaceUserAndGroups() {
        let standings = ApproverStandings([Approver(namespace: "aid", user: "bob", groups: ["ops"]): .authorized])
        #expect(standings[Approver(namespace: "aid", user: "bob", groups: ["ops"])] == .authorized)
        #expect(standings[Approver(namespace: "aid", user: "bob")] == .waiting)
        #expect(standings[Approver(namespace: "other", user: "bob", groups: ["ops"])] == .waiting)
    }
}

extension DesiredState {
    var withoutStandings: DesiredState {
        var state = self
        state.approverStandings = ApproverStandings()
        return state
    }
}
