import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Synchronization
import Testing

/// The in-cluster controller's loop against the mock: informers fill the caches, a watch event
/// queues its key, the worker reconciles it from the caches, a Directive comes back at its next
/// run's time on the test clock, and cancellation stops it all.
@Suite(.tags(.live)) struct ControllerLoopLiveTests {
    let clock = TestClock(marchMorning)

    func loop(_ cluster: LiveCluster, elector: LeaderElector? = nil) -> ControllerLoop {
        var settings = ControllerLoop.Settings()
        settings.clock = clock.wall
        settings.waitingClock = clock.waiting
        // A key comes back only because something asked (a change, its requeue time), never for
        // the periodic resync, which these tests' clock moves would otherwise reach.
        settings.resyncPeriod = .seconds(10 * 365 * 24 * 3600)
        return ControllerLoop(cluster: cluster.access, journal: nil, elector: elector, identity: "hms-live-tests", settings: settings,
                              logger: LiveCluster.quiet)
    }

    @Test func aWatchEventIsReconciledFromTheCaches() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let loop = loop(cluster)
            let running = Task { await loop.run() }
            try await eventually("the caches listed") { loop.isReady }
            try await cluster.clearRequests()

            try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            try await eventually("the Deployment was made") { try await cluster.deployment("web")?.replicas == 2 }
            try await eventually("the status was written") { try await cluster.serviceSpec("web").status?.replicas == 2 }
            try await eventually("the pass recorded") { loop.snapshot?.services.map(\.metadata.name) == ["web"] }
            // What the pass observed came from the caches: no list of Deployments, Services or Pods.
            let lists = try await cluster.requests().filter { request in
                request.method == "GET" && !request.target.contains("watch=true")
                    && ["/deployments", "/services", "/pods"].contains { request.path.hasSuffix($0) }
            }
            #expect(lists == [])
            try await stop(running)
        }
    }

    /// What the plan compares is kept between passes, not made again each one: the informer's
    /// Deployment carries our apply entry decoded at its version, and the cache holds the
    /// Deployment the last plan rendered, for the next plan to reuse.
    @Test func theCachesKeepTheDecodedApplyEntryAndTheLastRendering() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let loop = loop(cluster)
            let running = Task { await loop.run() }
            try await eventually("the caches listed") { loop.isReady }
            try await cluster.create(Declared.serviceSpec("web", replicas: 2))
            let ref = ObjectRef(kind: .deployment, namespace: "default", name: "web")
            try await eventually("the Deployment was read back with our apply entry") {
                loop.cache.deployments[ref]?.appliedFields?.contains([.field("spec"), .field("replicas")]) == true
            }
            // The pass its watch event brings compares it: the rendering is kept.
            try await eventually("a pass compared the Deployment") { loop.cache.renderedDeployments.withLock { $0[ref] } != nil }
            let rendered = try #require(loop.cache.renderedDeployments.withLock { $0[ref] })
            #expect(rendered.object[path: ["spec", "replicas"]] == 2)
            #expect(rendered.object[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.map { $0["name"] } == ["web"])
            try await stop(running)
        }
    }

    /// At 10:30 a Directive due daily at 11:00 has nothing to start; its pass asks to come back at
    /// 11:00. Moving the test clock half an hour on brings it back (nothing else does: no change,
    /// no resync), and the run's Job is started.
    @Test func aDirectiveComesBackAtItsNextRunOnTheTestClock() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.directive("nightly", schedule: "0 11 * * *"))
            let loop = loop(cluster)
            let running = Task { await loop.run() }
            try await eventually("the first pass") { loop.snapshot?.plan.directives.first?.requeueAt != nil }
            #expect(loop.snapshot?.plan.directives.first?.requeueAt == clock.now.addingTimeInterval(1_800))
            #expect(try await jobs(cluster).isEmpty)

            clock.advance(by: .seconds(1_800))
            try await eventually("the 11:00 run started its job") { try await jobs(cluster).count == 1 }
            try await eventually("the pass at 11:00 recorded") { loop.snapshot?.time == marchMorning.addingTimeInterval(1_800) }
            try await stop(running)
        }
    }

    /// The loop reports a tenant's invalid object (an Event, a condition, readiness) and goes on
    /// reconciling every other namespace.
    @Test func anInvalidObjectIsReportedAndOtherNamespacesAreReconciled() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.seedTenants()
            let loop = loop(cluster)
            let running = Task { await loop.run() }
            try await eventually("tenant-b's service was deployed") { try await cluster.deployment("web", namespace: "tenant-b") != nil }
            try await eventually("the broken object got its condition") {
                // Read as JSON: the object does not decode, which is the point.
                let broken = try await cluster.client.get(JSONValue.self, .of(ServiceSpec.self), name: "broken", namespace: "tenant-a")
                let conditions = broken[path: ["status", "conditions"]]?.arrayValue ?? []
                return conditions.map(Self.summary) == ["Ready=False InvalidSpec"]
            }
            let reported = try #require(try await cluster.events(about: "broken", namespace: "tenant-a")["InvalidSpec"])
            #expect(reported.count == 1)
            #expect(reported.first?.contains("spec.resources.cpu: must be at most 1000000 cores, found 2000000") == true)
            #expect(try await cluster.deployment("broken", namespace: "tenant-a") == nil)
            #expect(loop.readiness == "ok; 1 invalid object skipped (InvalidSpec Events, hms_invalid_objects)")
            try await stop(running)
        }
    }

    @Test func cancellationStopsTheInformersTheTimersAndTheWorker() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            let loop = loop(cluster)
            let running = Task { await loop.run() }
            try await eventually("the first pass") { loop.snapshot != nil }
            // Every child task ends: the open watches, the timer's sleep, the worker's wait.
            try await stop(running)
        }
    }

    /// A condition as `type=status reason`.
    static func summary(_ condition: JSONValue) -> String {
        let field = { (name: String) in condition[name]?.stringValue ?? "" }
        return "\(field("type"))=\(field("status")) \(field("reason"))"
    }

    func jobs(_ cluster: LiveCluster) async throws -> [JSONValue] {
        try await cluster.client.list(JSONValue.self, .jobs, namespace: "default").items
    }
}
