import Foundation
import JSON
import Kube
import Testing
@testable import Controller
@testable import Planner

/// What the shell asks the cluster about an approver, and how it reads the answer.
@Suite(.tags(.unit)) struct ApproverReviewsTests {
    @Test func theReviewAsksForTheApproveVerbAsTheApproverInTheirGroups() throws {
        let spec = ApproverReviews.review(of: Approver(namespace: "relief", user: "alice", groups: ["relief-approvers", "system:authenticated"]))
        let body = try JSONValue(parsing: Array(JSONEncoder().encode(SubjectAccessReview(spec: spec))))
        #expect(body == [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": [
                "user": "alice", "groups": ["relief-approvers", "system:authenticated"],
                "resourceAttributes": ["group": "ops.hms.gov", "resource": "approvals", "verb": "approve", "namespace": "relief"],
            ],
        ])
        // No groups recorded: none sent.
        #expect(ApproverReviews.review(of: Approver(namespace: "relief", user: "bob")).groups == nil)
    }

    @Test func theReviewIsAskedInTheApprovalsNamespace() throws {
        let spec = ApproverReviews.review(of: Approver(namespace: "relief", user: "alice"))
        let body = try JSONValue(parsing: Array(JSONEncoder().encode(LocalSubjectAccessReview(namespace: "relief", spec: spec))))
        #expect(body == [
            "apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview", "metadata": ["namespace": "relief"],
            "spec": ["user": "alice", "resourceAttributes": ["group": "ops.hms.gov", "resource": "approvals", "verb": "approve", "namespace": "relief"]],
        ])
        #expect(LocalSubjectAccessReview.resource.path(namespace: "relief") == "/apis/authorization.k8s.io/v1/namespaces/relief/localsubjectaccessreviews")
    }

    @Test func aRefusalsReasonIsBoundedAsItIsKept() {
        let standing = ApproverReviews.standing(from: .init(allowed: false, reason: String(repeating: "r", count: 10_000) + "\n"))
        guard case .refused(let reason) = standing else { Issue.record("not refused: \(standing)"); return }
        #expect(reason.count == ClusterText.limit && reason.hasSuffix("..."))
    }

    @Test func onlyAnAllowedAnswerConfirms() {
        #expect(ApproverReviews.standing(from: .init(allowed: true, reason: "RBAC: allowed by RoleBinding")) == .authorized)
        #expect(ApproverReviews.standing(from: .init(allowed: false)) == .refused(""))
        #expect(ApproverReviews.standing(from: .init(allowed: false, denied: true, reason: "denied by policy")) == .refused("denied by policy"))
        #expect(ApproverReviews.standing(from: .init(allowed: false, evaluationError: "webhook timed out")) == .refused("webhook timed out"))
    }
}
