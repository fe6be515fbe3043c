import Foundation
import JSON
import Kube
import TestSupport
import Testing

/// Retries under the faults the mock injects (its fault sequence is seeded, so each run sees the
/// same one), judged by the mock's log of what actually reached it.
@Suite(.tags(.live)) struct LiveFaultTests {
    let path = "/api/v1/namespaces/default/configmaps"

    @Test func readsSucceedWhenHalfOfAllRequestsFail() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let created = try await client.create(ConfigMap("settings", data: ["mode": "strict"]), .configMaps)
            try await cluster.clearRequests()
            try await cluster.setFaults(errorRate: 0.5)
            for _ in 0..<30 {
                #expect(try await client.get(ConfigMap.self, .configMaps, name: "settings") == created)
            }
            let gets = try await cluster.requests().filter { $0.target == "\(path)/settings" }
            #expect(gets.filter { $0.status == 200 }.count == 30)
            let failures = gets.filter { $0.status == 500 }.count
            #expect(failures > 5, "the fault injection should have failed a good part of \(gets.count) requests")
            #expect(gets.count == 30 + failures)

            // A create is not repeated after a 500: it may have been carried out.
            try await cluster.setFaults(errorRate: 1)
            try await cluster.clearRequests()
            let error = await #expect(throws: KubeError.self) { try await client.create(ConfigMap("new"), .configMaps) }
            #expect(error?.reason == .internalError)
            #expect(try await cluster.requests().map(\.description) == ["POST \(path) 500"])
        }
    }

    @Test func cutConnectionsAreRetriedOnlyForRequestsThatMayBeRepeated() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            var settings = try await client.create(ConfigMap("settings", data: ["mode": "strict"]), .configMaps)
            try await cluster.clearRequests()
            try await cluster.setFaults(resetRate: 0.5)
            for _ in 0..<20 {
                #expect(try await client.get(ConfigMap.self, .configMaps, name: "settings").data == ["mode": "strict"])
            }
            // An update carries its resourceVersion, so a replay cannot write twice: retried too.
            settings.data = ["mode": "lenient"]
            settings = try await client.update(settings, .configMaps, name: "settings")
            let listed = try await client.list(ConfigMap.self, .configMaps)
            #expect(listed.items.map(\.data) == [["mode": "lenient"]])

            let log = try await cluster.requests()
            let gets = log.filter { $0.method == "GET" && $0.path == "\(path)/settings" }
            #expect(gets.filter { $0.status == 200 }.count == 20)
            #expect(gets.contains { $0.status == 0 }, "some connections should have been cut")
            let puts = log.filter { $0.method == "PUT" }.map(\.status)
            #expect(puts.contains(0), "the seeded faults cut the update's connection at least once")
            #expect(puts.last == 200)

            // Every connection cut: a create goes out once and fails, and nothing was created.
            try await cluster.setFaults(resetRate: 1)
            try await cluster.clearRequests()
            let error = await #expect(throws: KubeError.self) { try await client.create(ConfigMap("new"), .configMaps) }
            guard case .transport(let failure)? = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(failure.requestMayHaveBeenSent)
            // A JSON patch is not repeated either; a GET is, until the attempts run out.
            await #expect(throws: KubeError.self) {
                try await client.patch(ConfigMap.self, .configMaps, name: "settings", patch: bytes(#"[{"op":"add","path":"/data/x","value":"1"}]"#), patchType: .json)
            }
            await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, .configMaps, name: "settings") }
            let sent = try await cluster.requests().map(\.description)
            #expect(sent.prefix(2) == ["POST \(path) 0", "PATCH \(path)/settings 0"])
            // Our attempts, each of which libcurl may itself send once more when it went out on a
            // kept-alive connection (harmless for a GET, and why the two above went on new ones).
            let retried = sent.dropFirst(2)
            let attempts = LiveCluster.fastRetries.maxAttempts
            #expect(retried.allSatisfy { $0 == "GET \(path)/settings 0" })
            #expect(retried.count >= attempts && retried.count <= 2 * attempts)

            try await cluster.setFaults()
            let missing = await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, .configMaps, name: "new") }
            #expect(missing?.reason == .notFound)
            #expect(try await client.get(ConfigMap.self, .configMaps, name: "settings").data == ["mode": "lenient"])
        }
    }

    @Test func aStaleUpdateIsAConflictAndIsNotRetried() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let original = try await client.create(ConfigMap("settings", data: ["owner": "nobody"]), .configMaps)
            var first = original
            first.data = ["owner": "first"]
            let won = try await client.update(first, .configMaps, name: "settings")

            var second = original  // read before the first update landed
            second.data = ["owner": "second"]
            let error = await #expect(throws: KubeError.self) { try await client.update(second, .configMaps, name: "settings") }
            #expect(error?.reason == .conflict)
            guard case .api(let conflict)? = error else {
                Issue.record("expected an API error, got \(String(describing: error))")
                return
            }
            #expect(conflict.code == 409)
            #expect(conflict.message.contains("the object has been modified"))
            #expect(conflict.status?.details?.name == "settings")
            #expect(try await client.get(ConfigMap.self, .configMaps, name: "settings") == won)

            // Injected conflicts are surfaced the same way, on the first attempt.
            try await cluster.setFaults(conflictRate: 1)
            try await cluster.clearRequests()
            var fresh = won
            fresh.data = ["owner": "third"]
            let injected = await #expect(throws: KubeError.self) { try await client.update(fresh, .configMaps, name: "settings") }
            #expect(injected?.reason == .conflict)
            #expect(try await cluster.requests().map(\.description) == ["PUT \(path)/settings 409"])
        }
    }
}
