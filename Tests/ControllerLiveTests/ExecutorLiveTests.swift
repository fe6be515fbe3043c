import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// The executor against the mock: a replica that lost its lease sends nothing, and a Job start
/// that finds its Job made already (by an earlier pass, or a controller that crashed) is done.
@Suite(.tags(.live)) struct ExecutorLiveTests {
    func plan(_ cluster: LiveCluster, at now: Date) async throws -> Plan {
        Planner().plan(desired: try await cluster.desiredState(), observed: ObservedState(), ledger: Ledger(), now: now)
    }

    @Test func aReplicaThatNoLongerLeadsSendsNothing() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            let plan = try await plan(cluster, at: marchMorning)
            var executor = Executor(cluster: cluster.access)
            executor.mayAct = { false }
            try await cluster.clearRequests()
            let outcomes = await executor.execute(plan)
            #expect(outcomes.map(\.result) == [.failed("not carried out: this replica no longer leads")])
            #expect(try await cluster.requests() == [])
        }
    }

    @Test func aJobStartedBeforeCountsAsStarted() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.directive("nightly", schedule: "0 11 * * *"))
            let plan = try await plan(cluster, at: marchMorning.addingTimeInterval(1_800))
            let executor = Executor(cluster: cluster.access)
            try await cluster.clearRequests()
            #expect(await executor.execute(plan).map(\.result) == [.done])
            #expect(await executor.execute(plan).map(\.result) == [.done])
            #expect(try await cluster.requests().filter { $0.method == "POST" }.map(\.status) == [201, 409])
            #expect(try await cluster.client.list(JSONValue.self, .jobs, namespace: "default").items.count == 1)
        }
    }
}
