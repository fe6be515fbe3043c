@testable import Controller
import Foundation
import JSON
import Kube
import Model
import TestSupport
import Testing

/// Two replicas' electors over one Lease of the mock: one leads; the other takes over when the
/// leader releases the lease on shutdown, or, when it stopped without a word, once the lease has
/// gone unrenewed for its duration on the test clock.
@Suite(.tags(.live)) struct LeaderElectorLiveTests {
    let clock = TestClock(marchMorning)

    /// A 15 s lease on the test clock; looks at it every 20 ms of real time (unless the clock is frozen).
    func elector(_ cluster: LiveCluster, _ identity: String, on clock: TestClock? = nil) -> LeaderElector {
        let clock = clock ?? self.clock
        var timing = LeaseTiming()
        timing.retryPeriod = .milliseconds(20)
        return LeaderElector(cluster: cluster.access, name: "hms-controller", namespace: "default", identity: identity, timing: timing,
                             clock: clock.wall, monotonic: clock.waiting, logger: LiveCluster.quiet)
    }

    /// An elector running until the returned task is stopped, leading already.
    func leader(_ cluster: LiveCluster, _ identity: String, on clock: TestClock? = nil) async throws -> (LeaderElector, Task<Void, Never>) {
        let elector = elector(cluster, identity, on: clock)
        let running = Task { await elector.run() }
        try await eventually("\(identity) leads") { elector.isLeader }
        return (elector, running)
    }

    /// The Lease as `holder/transitions`.
    func lease(_ cluster: LiveCluster) async throws -> String {
        let lease = try await cluster.client.get(JSONValue.self, .leases, name: "hms-controller", namespace: "default")
        return "\(lease[path: ["spec", "holderIdentity"]]?.stringValue ?? "none")/\(lease[path: ["spec", "leaseTransitions"]]?.intValue ?? -1)"
    }

    /// How many times the Lease was read.
    func looks(_ cluster: LiveCluster) async throws -> Int {
        try await cluster.requests().count { $0.method == "GET" && $0.path == "/apis/coordination.k8s.io/v1/namespaces/default/leases/hms-controller" }
    }

    @Test func oneLeadsAndTheOtherTakesOverAtOnceWhenItReleases() async throws {
        try await LiveCluster.run { cluster in
            let (a, leading) = try await leader(cluster, "a")
            let b = elector(cluster, "b")
            // b finds the lease held and renewed: it follows.
            #expect(await b.tryAcquireOrRenew() == false)
            #expect(await b.tryAcquireOrRenew() == false)
            #expect(try await lease(cluster) == "a/0")

            // a shuts down: it stops renewing and gives the lease up.
            try await stop(leading)
            await a.release()
            #expect(!a.isLeader)
            #expect(try await lease(cluster) == "/0")
            // b takes it at its next look, the clock unmoved: no waiting out the lease.
            let following = Task { await b.run() }
            try await eventually("b leads") { b.isLeader }
            #expect(try await lease(cluster) == "b/1")
            try await stop(following)
            await b.release()
            #expect(try await lease(cluster) == "/1")
        }
    }

    @Test func aLeaderThatStoppedWithoutAWordIsTakenOverWhenItsLeaseExpires() async throws {
        try await LiveCluster.run { cluster in
            let (a, leading) = try await leader(cluster, "a")
            let b = elector(cluster, "b")
            // a's process dies: no release.
            try await stop(leading)
            #expect(await b.tryAcquireOrRenew() == false)
            // Expiry is judged on b's clock, from when b saw the lease change: 15 s.
            clock.advance(by: .seconds(14))
            #expect(await b.tryAcquireOrRenew() == false)
            #expect(try await lease(cluster) == "a/0")
            clock.advance(by: .seconds(1))
            #expect(await b.tryAcquireOrRenew() == true)
            #expect(try await lease(cluster) == "b/1")
            // a, back, finds b renewing and follows.
            #expect(await a.tryAcquireOrRenew() == false)
        }
    }

    /// client-go bounds each renewal by the renew deadline: a leader whose renewals hang (a dead
    /// connection, a server that no longer answers) stops leading when the deadline passes on its
    /// monotonic clock, without waiting for the request to give up, and well before the others
    /// may take the lease over (its duration, 15 s). On a frozen clock: how long the machine takes
    /// between two steps moves no deadline, so only the test's moves decide.
    @Test func aLeaderWhoseRenewalsHangStopsLeadingAtTheRenewDeadline() async throws {
        let clock = TestClock(marchMorning, frozen: true)
        try await LiveCluster.run { cluster in
            // a acquires at t0 and waits its retry period (20 ms), which only the test moves.
            let (a, leading) = try await leader(cluster, "a", on: clock)
            // From now on the API server answers nothing within the test (a minute, the most it allows).
            try await cluster.setFaults(latencyMs: 60_000)
            // Its retry period ends when the clock moves past it (moved again until it has, as a may
            // not have begun to wait when the test first moves).
            let looked = try await looks(cluster)
            try await eventually("a's renewal reached the server") {
                clock.advance(by: a.timing.retryPeriod)
                return try await looks(cluster) > looked
            }
            // That renewal hangs; a leads until t0 + 10 s, its last success plus the renew deadline.
            clock.advance(by: a.timing.renewDeadline - clock.moved - .milliseconds(10))
            #expect(a.isLeader)
            clock.advance(by: .milliseconds(10))
            #expect(!a.isLeader)
            // a gave the hung renewal up at the deadline (rather than waiting a minute for it)
            // and tries again after its retry period: a second request reaches the server.
            try await eventually("a abandoned the hung renewal and tried again") {
                clock.advance(by: a.timing.retryPeriod)
                return try await looks(cluster) > looked + 1
            }
            #expect(!a.isLeader)
            try await cluster.setFaults()
            try await stop(leading)
        }
    }

    /// A replica that does not lead keeps its caches warm and writes nothing; when it takes over,
    /// it reconciles everything at once.
    @Test func aFollowersLoopActsOnlyOnceItLeads() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let a = elector(cluster, "a")
            #expect(await a.tryAcquireOrRenew() == true)
            let b = elector(cluster, "b")
            var settings = ControllerLoop.Settings()
            settings.clock = clock.wall
            settings.waitingClock = clock.waiting
            let loop = ControllerLoop(cluster: cluster.access, journal: nil, elector: b, identity: "b", settings: settings, logger: LiveCluster.quiet)
            let electing = Task { await b.run() }
            let running = Task { await loop.run() }
            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            try await eventually("b's caches hold the ServiceSpec") { loop.isReady && loop.cache.serviceSpecs.count == 1 }
            // a read the Lease once, before creating it; b has looked at it since, and decided.
            try await eventually("b looked at the lease twice") { try await looks(cluster) >= 3 }
            #expect(!b.isLeader)
            #expect(loop.snapshot == nil)
            #expect(try await cluster.deployment("web") == nil)

            clock.advance(by: .seconds(16))
            try await eventually("b took over") { b.isLeader }
            try await eventually("b's loop deployed web") { try await cluster.deployment("web") != nil }
            try await stop(running)
            try await stop(electing)
        }
    }
}
