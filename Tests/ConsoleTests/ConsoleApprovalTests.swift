@testable import Console
import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// The console's Approve button against the mock cluster served in the test process: the
/// Approval is created once; a second click finds it and says whose it is (no 502).
@Suite(.tags(.live)) struct ConsoleApprovalTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func approvingTwiceShowsTheFirstApproval() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.declareHeldService()
            let access = ClusterAccess(client: cluster.client, fieldManager: "hms-controller")
            let loop = ControllerLoop(cluster: access, journal: nil, elector: nil, identity: "test", settings: .init(), logger: LiveCluster.quiet)
            await loop.pass(now: Self.now)
            let id = try #require(loop.snapshot?.held.first?.id)
            let journal = JournalTailCache(journal: Journal(path: FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID()).jsonl").path))
            let tokens = try StaticTokens(parsing: "\(ConsoleServerTests.approverToken) alice approver\n")
            let server = ConsoleServer(loop: loop, cluster: access, journal: journal, authenticator: tokens, logger: LiveCluster.quiet,
                                       clock: ManualClock(Self.now).clock)
            try await Application(router: server.router()).test(.router) { client in
                let headers: HTTPFields = [.authorization: "Bearer \(ConsoleServerTests.approverToken)", .contentType: "application/x-www-form-urlencoded"]
                try await client.execute(uri: "/ops/approve", method: .post, headers: headers, body: ByteBuffer(string: "id=\(id)")) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/ops/approve", method: .post, headers: headers, body: ByteBuffer(string: "id=\(id)")) { response in
                    #expect(response.status == .ok)
                    let page = String(buffer: response.body)
                    #expect(page.contains("\(id) already approved (by alice at "))
                    #expect(page.firstMatch(of: /already approved \(by alice at \d{4}-\d\d-\d\dT[\d:]+Z\)\./) != nil)
                }
            }
            let stored = try await access.getIfPresent(.of(Approval.self), namespace: "default", name: "approve-\(id.dropFirst(4))")
            #expect(stored?[path: ["spec", "approvedBy"]] == "alice")
        }
    }
}
