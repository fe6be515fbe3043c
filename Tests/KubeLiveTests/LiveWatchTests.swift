import Foundation
import JSON
import Kube
import Synchronization
import TestSupport
import Testing

/// Watches over real streams: the server ends each after `timeoutSeconds` (or its connection is
/// cut), the client resumes from the last version it saw, and lists again when the server has
/// forgotten that version.
@Suite(.tags(.live)) struct LiveWatchTests {
    /// Events as short text, in the order they were delivered: `added b`, `relisted a,b`.
    final class Recorder: Sendable {
        private let events = Mutex<[String]>([])
        private let versionsSeen = Mutex<[String]>([])
        var all: [String] { events.withLock { $0 } }
        /// The resourceVersion each event carried (a relist: the list's).
        var versions: [String] { versionsSeen.withLock { $0 } }

        func record(_ event: WatchEvent<ConfigMap>) {
            let text: String
            var version: String?
            switch event {
            case .added(let object): text = "added \(object.metadata.name)"; version = object.metadata.resourceVersion
            case .modified(let object): text = "modified \(object.metadata.name) \(object.data?["step"] ?? "")"; version = object.metadata.resourceVersion
            case .deleted(let object): text = "deleted \(object.metadata.name)"; version = object.metadata.resourceVersion
            case .relisted(let objects, let listed): text = "relisted \(objects.map(\.metadata.name).joined(separator: ","))"; version = listed
            case .bookmark(let bookmark): text = "bookmark \(bookmark)"; version = bookmark
            case .error(let status): text = "error \(status.code ?? 0)"
            }
            events.withLock { $0.append(text) }
            if let version { versionsSeen.withLock { $0.append(version) } }
        }
    }

    /// The `resourceVersion` a watch request started from, for each watch request in the log.
    func watchVersions(_ cluster: LiveCluster) async throws -> [String] {
        try await cluster.requests().filter { $0.method == "GET" && $0.target.contains("watch=true") }.map { request in
            let query = request.target.split(separator: "?", maxSplits: 1).last ?? ""
            let version = query.split(separator: "&").first { $0.hasPrefix("resourceVersion=") }
            return version.map { String($0.dropFirst("resourceVersion=".count)) } ?? ""
        }
    }

    @Test func aWatchResumesFromItsLastVersionWithoutRepeatingEvents() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(ConfigMap("a", data: ["step": "0"]), .configMaps)
            let recorder = Recorder()
            // Bookmarks off: every version the watch resumes from is then one of an event below.
            let watch = client.watch(ConfigMap.self, .configMaps, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: 3))
            // Read on the client's own thread: stream chunks then reach the reader without a hop.
            let reading = Task(executorPreference: client.executor) {
                for try await event in watch { recorder.record(event) }
            }
            defer { reading.cancel() }
            try await eventually("the watch listed first") { recorder.all == ["relisted a"] }
            let listedAt = try #require(try await cluster.requests().first { $0.method == "GET" && !$0.target.contains("watch") })
            #expect(listedAt.path == "/api/v1/namespaces/default/configmaps")

            let b = try await client.create(ConfigMap("b"), .configMaps)
            try await eventually("b arrived") { recorder.all.count == 2 }
            // The server ends the first stream after three seconds (time enough for b on a loaded
            // machine); the next starts where it stopped.
            try await eventually("a second watch started", timeout: .seconds(10)) { try await watchVersions(cluster).count >= 2 }
            #expect(try await watchVersions(cluster)[1] == b.metadata.resourceVersion)

            var a = try await client.get(ConfigMap.self, .configMaps, name: "a")
            a.data = ["step": "1"]
            _ = try await client.update(a, .configMaps, name: "a")
            _ = try await client.create(ConfigMap("c"), .configMaps)
            try await client.delete(.configMaps, name: "b")
            try await eventually("the changes arrived") { recorder.all.count == 5 }

            // Across one more end of stream, whose reconnections have their connection cut before
            // an answer until the faults are lifted.
            try await cluster.setFaults(resetRate: 1)
            try await eventually("a reconnection was cut", timeout: .seconds(10)) {
                try await cluster.requests().contains { $0.target.contains("watch=true") && $0.status == 0 }
            }
            try await cluster.setFaults()
            _ = try await client.create(ConfigMap("d"), .configMaps)
            try await eventually("d arrived") { recorder.all.count == 6 }
            #expect(try await cluster.requests().last { $0.target.contains("watch=true") }?.status == 200)
            reading.cancel()
            _ = await reading.result

            #expect(recorder.all == ["relisted a", "added b", "modified a 1", "added c", "deleted b", "added d"])
            // Each watch starts from a version the client was handed (the list's or an event's),
            // in order: never from an earlier one (repeats), never a later one (gaps).
            let starts = try await watchVersions(cluster)
            #expect(starts.count >= 3)
            #expect(starts.allSatisfy(recorder.versions.contains))
            let numbers = starts.compactMap { Int($0) }
            #expect(numbers == numbers.sorted())
        }
    }

    @Test func aWatchFromAVersionTheServerNoLongerHasRelists() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let a = try await client.create(ConfigMap("a"), .configMaps)
            _ = try await client.create(ConfigMap("b"), .configMaps)
            // As an etcd compaction: versions before now can no longer be watched from.
            try await cluster.control(.post, "compact")

            let watch = client.watch(ConfigMap.self, .configMaps, options: WatchOptions(resourceVersion: a.metadata.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 5))
            var iterator = watch.makeAsyncIterator()
            let first = try await iterator.next()
            guard case .relisted(let objects, let version)? = first else {
                Issue.record("expected a relist, got \(String(describing: first))")
                return
            }
            #expect(objects.map(\.metadata.name) == ["a", "b"])
            let c = try await client.create(ConfigMap("c"), .configMaps)
            let next = try await iterator.next()
            #expect(next == .added(c))

            let calls = try await cluster.requests().filter { $0.method == "GET" }.map(\.target)
            let collection = "/api/v1/namespaces/default/configmaps"
            #expect(calls == [
                "\(collection)?resourceVersion=\(a.version)&timeoutSeconds=5&watch=true",
                collection,
                "\(collection)?resourceVersion=\(version)&timeoutSeconds=5&watch=true",
            ])
        }
    }

    @Test func aWatchThatWasAwayDuringACompactionRelists() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(ConfigMap("a"), .configMaps)
            let watch = client.watch(ConfigMap.self, .configMaps, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: 1))
            var iterator = watch.makeAsyncIterator()
            guard case .relisted(let objects, let listedAt)? = try await iterator.next() else {
                Issue.record("expected the first list")
                return
            }
            #expect(objects.map(\.metadata.name) == ["a"])
            let b = try await client.create(ConfigMap("b"), .configMaps)
            #expect(try await iterator.next() == .added(b))

            // A watch is pulled: nothing is read while the server ends this stream after its
            // second, and meanwhile c is created and the history compacted past b.
            try await Task.sleep(for: .milliseconds(1500))
            _ = try await client.create(ConfigMap("c"), .configMaps)
            try await cluster.control(.post, "compact")

            guard case .relisted(let relisted, let relistedAt)? = try await iterator.next() else {
                Issue.record("expected a relist after 410")
                return
            }
            #expect(relisted.map(\.metadata.name) == ["a", "b", "c"])
            let d = try await client.create(ConfigMap("d"), .configMaps)
            #expect(try await iterator.next() == .added(d))
            // From the list, from b (refused: 410), and from the new list.
            #expect(try await watchVersions(cluster) == [listedAt, try #require(b.metadata.resourceVersion), relistedAt])
            #expect(try await cluster.requests().filter { $0.method == "GET" && !$0.target.contains("watch") }.count == 2)
        }
    }
}
