import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// `hmsctl approve` against the mock cluster served in the test process: an Approval is written
/// once; approving again finds it, and is done when it is the same user's, an error otherwise.
@Suite(.tags(.live)) struct ApproveCommandTests {
    static let now = InProcess.clock.now()

    /// A kubeconfig for the cluster without credentials: the open mock takes its requests as system:anonymous's.
    static func kubeconfig(_ cluster: LiveCluster) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hmsctl-approve-\(UUID()).kubeconfig").path
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: mock, cluster: {server: "\(cluster.baseURL)"}}]
            users: [{name: anyone, user: {}}]
            contexts: [{name: mock, context: {cluster: mock, user: anyone, namespace: default}}]
            current-context: mock
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The id of the action the cluster's resources hold for approval.
    static func heldID(_ cluster: LiveCluster) async throws -> String {
        let access = ClusterAccess(client: cluster.client, fieldManager: "hmsctl")
        let resources = try await access.resources(namespace: "default")
        let (plan, _) = try await Reconciler(cluster: access, journal: nil, actor: "tests").plan(
            DesiredState(resources.valid, invalid: resources.invalid), options: Planner.Options(), now: now)
        return try #require(plan.actions.first { $0.finalVerdict == .hold }?.id)
    }

    @Test func approvingAgainFindsTheApprovalAndFailsOnlyWhenItIsSomeoneElses() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.declareHeldService()
            let id = try await Self.heldID(cluster)
            let config = try Self.kubeconfig(cluster)
            let name = "approve-\(id.dropFirst(4))"

            // Bob approved first (no admission policy on this cluster): not this user's, so an error.
            let bobs = ApprovalObject.make(id: id, decision: .approve, by: "bob", expires: Self.now.addingTimeInterval(3_600), comment: nil, namespace: "default")
            #expect(try await cluster.client.writeApproval(bobs) == .created)
            let theirs = await InProcess.hmsctl(["approve", id, "--kubeconfig", config])
            #expect(theirs.status == 1)
            #expect(theirs.stderr.contains("error: approval.ops.hms.gov/\(name) in namespace default: \(id) already approved (by bob at "))
            #expect(theirs.stderr.contains("an Approval cannot change once written"))

            try await cluster.client.delete(.of(Approval.self), name: name, namespace: "default")
            let created = await InProcess.hmsctl(["approve", id, "--kubeconfig", config])
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains("approval.ops.hms.gov/\(name) created: \(id) approved by system:anonymous until "))
            let again = await InProcess.hmsctl(["approve", id, "--kubeconfig", config])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("approval.ops.hms.gov/\(name) in namespace default: \(id) already approved (by system:anonymous at "))
        }
    }
}
