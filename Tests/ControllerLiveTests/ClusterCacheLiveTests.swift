import Controller
import Foundation
import JSON
import Kube
import Model
import Planner
import TestSupport
import Testing

/// The controller's informers over real watches of the mock: every kind listed once and then
/// watched; each change queues the keys it touches (and a status write none); a watch whose place
/// the server no longer has lists again and finds the deletion it never heard of; bookmarks
/// tell a quiet cache how current it is.
@Suite(.tags(.live)) struct ClusterCacheLiveTests {
    let web = ObjectRef(kind: ServiceSpec.kind, namespace: "default", name: "web")

    @Test func everyKindIsListedThenWatchedAndEachChangeQueuesTheKeysItTouches() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let cache = ClusterCache()
            let queued = Heard<ObjectRef>()
            let running = Task { await cache.run(client: cluster.client, watchTimeoutSeconds: { 300 }, logger: LiveCluster.quiet) { queued.record($0) } }
            try await eventually("every cache listed") { cache.hasSynced }
            try await eventually("every kind watched") { try await cluster.requests().count { $0.target.contains("watch=true") } == 11 }
            #expect(try await cluster.requests().count { $0.method == "GET" && !$0.target.contains("watch=true") } == 11)

            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            try await eventually("the ServiceSpec's key") { queued.all == [web] }
            #expect(cache.desiredState().services.map(\.metadata.name) == ["web"])

            // Its status alone is no reason to reconcile it. The next ServiceSpec's event comes
            // after the status write's on the same watch: once its key is queued, the status
            // write was heard, and queued nothing.
            queued.clear()
            try await cluster.access.patchStatus(.of(ServiceSpec.self), namespace: "default", name: "web", body: Array(#"{"status":{"replicas":1}}"#.utf8))
            try await cluster.create(Declared.serviceSpec("api", replicas: 1))
            let api = ObjectRef(kind: ServiceSpec.kind, namespace: "default", name: "api")
            try await eventually("the next ServiceSpec's key") { queued.all.contains(api) }
            #expect(queued.all == [api])
            #expect(cache.serviceSpecs[web]?.value?.status?.replicas == 1)

            // A Deployment, its pods and their changes queue their ServiceSpec's key.
            queued.clear()
            _ = try await cluster.client.create(Rendering.deployment(try await cluster.serviceSpec("web"), replicas: 1), .deployments)
            try await eventually("the Deployment's ServiceSpec key") { queued.all.contains(web) }
            #expect(Set(queued.all) == [web])
            try await eventually("the Deployment cached") { cache.observed(for: cache.desiredState()).deployments.keys.map(\.name) == ["web"] }

            // A Budget governs every service of its namespace: every key, and its own.
            queued.clear()
            try await cluster.create(Declared.budget("aid", limitUSD: 100, coreHourUSD: 1))
            let budget = ObjectRef(kind: Budget.kind, namespace: "default", name: "aid")
            try await eventually("the Budget's keys") { Set(queued.all).isSuperset(of: [web, api, budget]) }
            try await stop(running)
        }
    }

    /// While the informer's next watch waits for its answer (the mock's injected latency), a
    /// ServiceSpec is deleted and the history compacted: the watch, started from a version the
    /// server no longer has, gets 410 Gone before it could send the DELETED event. The informer
    /// lists again, and the list shows the deletion.
    @Test func aWatchPastTheHistoryListsAgainAndFindsTheDeletionItMissed() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            try await cluster.create(Declared.serviceSpec("api", replicas: 1))
            let cache = ClusterCache()
            let heard = Heard<String>()
            let informer = cache.serviceSpecs
            let running = Task {
                await informer.run(client: cluster.client, watchTimeoutSeconds: 1, logger: LiveCluster.quiet) { changes in
                    heard.record(changes.map { "\($0.key.name): \($0.old == nil ? "-" : "x") -> \($0.new == nil ? "-" : "x")" })
                }
            }
            try await eventually("listed") { informer.hasSynced }
            #expect(heard.all.sorted() == ["api: - -> x", "web: - -> x"])

            try await cluster.setFaults(latencyMs: 4_000)
            try await cluster.clearRequests()
            try await eventually("the informer's next watch was received") {
                try await cluster.requests().contains { $0.path == Self.servicespecs && $0.target.contains("watch=true") }
            }
            // Its answer is four seconds away: delete and compact now.
            let deleting = Task { try await cluster.client.delete(.of(ServiceSpec.self), name: "web") }
            try await eventually("the delete was received") { try await cluster.requests().contains { $0.method == "DELETE" } }
            try await cluster.control(.post, "compact")
            try await deleting.value
            try await cluster.setFaults()

            try await eventually("the informer listed again") { informer.keys.map(\.name) == ["api"] }
            #expect(heard.all.last == "web: x -> -")
            let reads = try await cluster.requests().filter { $0.path == Self.servicespecs }
            #expect(reads.contains { !$0.target.contains("watch=true") })
            try await stop(running)
        }
    }

    /// Nothing of its kind changes, yet the cache learns how current it is from the watch's
    /// bookmarks: a gate input that has seen the cluster's newest version needs no quorum read.
    @Test func bookmarksTellAQuietCacheHowCurrentItIs() async throws {
        try await LiveCluster.run { cluster in
            try await cluster.installCRDs()
            let cache = ClusterCache()
            let informer = cache.policies
            let running = Task { await informer.run(client: cluster.client, watchTimeoutSeconds: 300, logger: LiveCluster.quiet) { _ in } }
            // The watch must be open before the write: the mock marks only versions that come
            // after a watch's start.
            try await eventually("watching") { try await cluster.requests().contains { $0.target.contains("watch=true") } }
            let other = try await cluster.create(Declared.serviceSpec("web", replicas: 1))
            let version = try #require(other[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap(UInt64.init))
            // The list was read before the ServiceSpec was written, and no policy changes: only a
            // bookmark can tell the cache that it has seen that version.
            try await eventually("a bookmark reached the policy cache") { informer.isCurrent(atLeast: version, namespace: "default") }
            #expect(informer.count == 0)
            try await stop(running)
        }
    }

    static let servicespecs = "/apis/ops.hms.gov/v1alpha1/servicespecs"
}
