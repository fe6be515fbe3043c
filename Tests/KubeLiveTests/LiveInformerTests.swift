import Controller
import Foundation
import JSON
import Kube
import Planner
import Synchronization
import TestSupport
import Testing

/// The controller's informer over real watches of the in-process mock: one list, then watches
/// only; resumed after cut connections without losing a change; a fresh list after 410 Gone
/// that also finds the deletions the watch missed.
@Suite(.tags(.live)) struct LiveInformerTests {
    typealias StepInformer = Informer<JSONValue, String>

    /// A ConfigMap cache that keeps each map's `step`.
    func informer() -> StepInformer {
        StepInformer(.configMaps, kind: "ConfigMap") { $0["data"]?["step"]?.stringValue ?? "" }
    }

    /// The changes the handler heard, as `name: old -> new`, in order.
    final class Heard: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func record(_ changes: [CacheChange<String>]) {
            lines.withLock { $0 += changes.map { "\($0.key.name): \($0.old ?? "-") -> \($0.new ?? "-")" } }
        }
    }

    func contents(_ informer: StepInformer) -> [String] {
        informer.keys.sorted().map { "\($0.name)=\(informer[$0] ?? "")" }
    }

    func start(_ informer: StepInformer, _ cluster: LiveCluster, timeout: Int, heard: Heard) -> Task<Void, Never> {
        Task(executorPreference: cluster.client.executor) {
            await informer.run(client: cluster.client, watchTimeoutSeconds: timeout, logger: LiveCluster.quiet) { heard.record($0) }
        }
    }

    @Test func itListsOnceThenFollowsTheWatchAndTellsTheHandler() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(ConfigMap("a", data: ["step": "0"]), .configMaps)
            let informer = informer()
            let heard = Heard()
            #expect(!informer.hasSynced)
            let running = start(informer, cluster, timeout: 300, heard: heard)
            defer { running.cancel() }
            try await eventually("synced") { informer.hasSynced }
            #expect(contents(informer) == ["a=0"])

            _ = try await client.create(ConfigMap("b", data: ["step": "0"]), .configMaps)
            var a = try await client.get(ConfigMap.self, .configMaps, name: "a")
            a.data = ["step": "1"]
            _ = try await client.update(a, .configMaps, name: "a")
            try await client.delete(.configMaps, name: "b")
            try await eventually("the changes arrived") { heard.all.count == 4 }
            #expect(heard.all == ["a: - -> 0", "b: - -> 0", "a: 0 -> 1", "b: 0 -> -"])
            #expect(contents(informer) == ["a=1"])

            // Reads: one list, one watch; nothing per change.
            let reads = try await cluster.requests().filter { $0.method == "GET" && $0.path == "/api/v1/configmaps" }
            #expect(reads.map(\.path) == ["/api/v1/configmaps", "/api/v1/configmaps"])
            #expect(reads.filter { $0.target.contains("watch=true") }.count == 1)
        }
    }

    @Test func aDroppedWatchResumesWithoutLosingOrRepeatingChanges() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let informer = informer()
            let heard = Heard()
            let running = start(informer, cluster, timeout: 1, heard: heard)
            defer { running.cancel() }
            try await eventually("synced") { informer.hasSynced }
            // Reconnections are cut while changes happen; they arrive once the faults are lifted.
            try await cluster.setFaults(resetRate: 1)
            try await eventually("a reconnection was cut", timeout: .seconds(4)) {
                try await cluster.requests().contains { $0.target.contains("watch=true") && $0.status == 0 }
            }
            try await cluster.setFaults()
            _ = try await client.create(ConfigMap("c", data: ["step": "0"]), .configMaps)
            _ = try await client.create(ConfigMap("d", data: ["step": "0"]), .configMaps)
            try await eventually("c and d arrived", timeout: .seconds(5)) { contents(informer) == ["c=0", "d=0"] }
            #expect(heard.all == ["c: - -> 0", "d: - -> 0"])
            // Resumed from versions, never listed again.
            #expect(try await cluster.requests().filter { $0.method == "GET" && !$0.target.contains("watch=true") }.count == 1)
        }
    }

    @Test func afterGoneItListsAgainAndSeesTheDeletionsItMissed() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(ConfigMap("a", data: ["step": "0"]), .configMaps)
            _ = try await client.create(ConfigMap("b", data: ["step": "0"]), .configMaps)
            let informer = informer()
            // Events pulled by hand, so that the informer is away while the history is compacted.
            let watch = client.watch(JSONValue.self, .configMaps, allNamespaces: true, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: 1))
            var events = watch.makeAsyncIterator()
            let listed = try #require(try await events.next())
            #expect(describe(informer.apply(listed)) == ["a: - -> 0", "b: - -> 0"])
            #expect(informer.hasSynced)
            // The server ends the stream after a second; meanwhile b goes, c comes, and the
            // history is compacted past the informer's place: its next watch gets 410.
            try await Task.sleep(for: .milliseconds(1500))
            try await client.delete(.configMaps, name: "b")
            _ = try await client.create(ConfigMap("c", data: ["step": "0"]), .configMaps)
            try await cluster.control(.post, "compact")
            let relisted = try #require(try await events.next())
            guard case .relisted = relisted else {
                Issue.record("expected a list after 410, got \(relisted)")
                return
            }
            #expect(describe(informer.apply(relisted)) == ["b: 0 -> -", "c: - -> 0"])
            #expect(contents(informer) == ["a=0", "c=0"])
        }
    }

    /// The pod informer's selector keeps the pods of our Deployments and leaves out a Directive's
    /// job pods (a run of 1,000 jobs would otherwise stream 1,000 pods into the cache).
    @Test func theServicePodSelectorLeavesOutJobPods() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let managed = [Rendering.managedByKey: Rendering.managedByValue]
            _ = try await client.create(ConfigMap("service-pod", labels: managed.merging(["app": "web"]) { a, _ in a }), .configMaps)
            _ = try await client.create(ConfigMap("job-pod", labels: managed.merging([DirectiveNaming.directiveLabel: "power"]) { a, _ in a }), .configMaps)
            _ = try await client.create(ConfigMap("someone-elses", labels: ["app": "web"]), .configMaps)
            let names = try await client.list(ConfigMap.self, .configMaps, options: ListOptions(labelSelector: Rendering.servicePodSelector)).items.map(\.metadata.name)
            #expect(names == ["service-pod"])
        }
    }

    func describe(_ changes: [CacheChange<String>]) -> [String] {
        changes.map { "\($0.key.name): \($0.old ?? "-") -> \($0.new ?? "-")" }.sorted()
    }
}
