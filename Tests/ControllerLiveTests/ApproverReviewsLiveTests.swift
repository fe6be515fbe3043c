import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// The approval gate's questions to the cluster: LocalSubjectAccessReviews in the Approval's
/// namespace, only for Approvals that could release a held action, a few a pass.
@Suite(.tags(.live)) struct ApproverReviewsLiveTests {
    let clock = TestClock(marchMorning)

    static let reviews = "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews"

    func approval(_ id: String, by user: String, name: String) -> JSONValue {
        var approval = ApprovalObject.make(id: id, decision: .approve, by: user, expires: clock.now.addingTimeInterval(3_600), comment: nil, namespace: "default")
        approval[path: ["metadata", "name"]] = .string(name)
        return approval
    }

    /// Ten Approvals of the held action by ten users, and twenty naming actions that are not held
    /// (with the admission policy off anyone may write them): a pass asks about four approvers,
    /// the next pass about the next four, and nothing about the twenty.
    @Test func manyApprovalsCostAFewQuestionsAPass() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.policy("rules", maxReplicasWithoutApproval: 3))
            let spec = try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            let reconciler = Reconciler(cluster: cluster.access, journal: nil, actor: "hms-live-tests")
            func pass() async throws -> Reconciler.Result {
                try await reconciler.reconcile(try await cluster.desiredState(), options: Planner.Options(prune: true), now: clock.now)
            }
            _ = try await pass()
            try await cluster.merge(spec, ["spec": ["replicas": 6]])
            let id = try #require(try await pass().outcomes.first?.action.id)
            for user in 0..<10 { try await cluster.create(approval(id, by: "user-\(user)", name: "user-\(user)")) }
            for other in 0..<20 { try await cluster.create(approval(String(format: "act-%016x", other), by: "stranger-\(other)", name: "stranger-\(other)")) }
            _ = try await cluster.control(.put, "auth", [
                "tokens": [], "roles": [["user": "user-7", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]]],
            ])

            try await cluster.clearRequests()
            let first = try await pass()
            let asked = try await cluster.requests().filter { $0.path.hasSuffix("subjectaccessreviews") }
            #expect(asked.map { "\($0.method) \($0.path) \($0.status)" } == Array(repeating: "POST \(Self.reviews) 201", count: ApproverQuestions.perNamespace))
            #expect(first.outcomes.map(\.result) == [.notCarriedOut(.hold)])
            #expect(first.outcomes.first?.action.gates.last?.reason.contains("not honoured") == true)

            // The next pass asks the next four (the first four's answers are kept): user-7 may approve.
            try await cluster.clearRequests()
            let second = try await pass()
            #expect(try await cluster.requests().filter { $0.path == Self.reviews }.count == ApproverQuestions.perNamespace)
            #expect(second.outcomes.map(\.result) == [.done])
            #expect(second.outcomes.first?.action.gates.last?.reason.hasSuffix("approved by user-7 (Approval user-7)") == true)
            #expect(try await cluster.deployment("web")?.replicas == 6)
        }
    }

    /// Approvals never change: the one writer creates, and a second write of the same name finds
    /// the first and says whose it is, as a normal outcome.
    @Test func aSecondWriteOfAnApprovalFindsTheFirst() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let id = "act-0123456789abcdef"
            let approval = ApprovalObject.make(id: id, decision: .approve, by: "alice", expires: clock.now.addingTimeInterval(3_600), comment: nil, namespace: "default")
            #expect(try await cluster.client.writeApproval(approval) == .created)
            let again = try await cluster.client.writeApproval(approval)
            guard case .exists(let existing) = again else {
                Issue.record("expected the existing Approval, got \(again)")
                return
            }
            #expect(existing.name == "approve-0123456789abcdef" && existing.namespace == "default")
            #expect(existing.summary.wholeMatch(of: /already approved \(by alice at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/) != nil)
            #expect(existing.says(.approve, on: id, by: "alice"))
            #expect(!existing.says(.approve, on: id, by: "bob"))
            #expect(!existing.says(.reject, on: id, by: "alice"))
        }
    }
}
