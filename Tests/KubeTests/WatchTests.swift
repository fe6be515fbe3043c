import Foundation
import HTTP
import Kube
import Testing

/// The pure cursor, then the whole watch loop against a scripted transport.
@Suite(.tags(.unit)) struct WatchCursorTests {
    @Test func withoutAVersionItListsFirst() {
        var cursor = WatchCursor(resourceVersion: nil)
        #expect(cursor.next == .list)
        cursor.listed(resourceVersion: "10")
        #expect(cursor.next == .watch(from: "10"))
    }

    @Test func eventsMoveTheVersionForwardAndAnEndResumesFromIt() {
        var cursor = WatchCursor(resourceVersion: "10")
        #expect(cursor.next == .watch(from: "10"))
        #expect(cursor.received(type: "ADDED", resourceVersion: "11", errorCode: nil) == .deliver)
        #expect(cursor.received(type: "BOOKMARK", resourceVersion: "15", errorCode: nil) == .deliver)
        cursor.streamEnded(cleanly: false)
        #expect(cursor.next == .watch(from: "15"))
        #expect(cursor.consecutiveFailures == 1)
        _ = cursor.received(type: "MODIFIED", resourceVersion: "16", errorCode: nil)
        #expect(cursor.consecutiveFailures == 0)
    }

    @Test func goneMeansListAgain() {
        var cursor = WatchCursor(resourceVersion: "10")
        #expect(cursor.received(type: "ERROR", resourceVersion: nil, errorCode: 410) == .relist)
        #expect(cursor.next == .list)
        var refused = WatchCursor(resourceVersion: "10")
        #expect(refused.watchRefused(status: 410) == .relist)
        #expect(refused.next == .list)
        #expect(refused.watchRefused(status: 500) == nil)
    }

    @Test func otherErrorsAreDeliveredAndTheWatchGoesOn() {
        var cursor = WatchCursor(resourceVersion: "10")
        #expect(cursor.received(type: "ERROR", resourceVersion: nil, errorCode: 500) == .deliver)
        #expect(cursor.next == .watch(from: "10"))
    }
}

@Suite(.tags(.unit)) struct WatchLoopTests {
    let world = TestWorld()

    func client(_ transport: FakeTransport) -> KubeClient {
        KubeClient(config: ClientConfig(server: "https://k8s.test:6443", namespace: "team"), transport: transport, dependencies: world.dependencies())
    }

    func list(_ version: String, _ pods: [TestPod]) -> FakeTransport.Reply {
        .response(200, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"\(version)\"},\"items\":[\(pods.map(\.json).joined(separator: ","))]}")
    }

    /// Everything the watch delivers until it ends, and how it ended.
    func drain(_ watch: WatchSequence<TestPod>) async -> (events: [WatchEvent<TestPod>], end: KubeError?) {
        var events: [WatchEvent<TestPod>] = []
        var iterator = watch.makeAsyncIterator()
        do {
            while let event = try await iterator.next() { events.append(event) }
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    @Test func listsThenWatchesAndResumesFromTheLastVersionAfterEveryEnd() async {
        let transport = FakeTransport([
            list("10", [TestPod("a", "9")]),
            .stream(200, [TestPod("b", "11").event("ADDED"), TestPod("b", "12").event("MODIFIED")]),
            .stream(200, [TestPod("a", "13").event("DELETED")], cutBy: .reset),
            .stream(200, ["{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"20\"}}}"]),
        ])
        let watch = client(transport).watch(TestPod.self, .pods, options: WatchOptions(labelSelector: "app=web", timeoutSeconds: 60))
        let (events, end) = await drain(watch)
        #expect(events == [
            .relisted([TestPod("a", "9")], resourceVersion: "10"),
            .added(TestPod("b", "11")),
            .modified(TestPod("b", "12")),
            .deleted(TestPod("a", "13")),
            .bookmark(resourceVersion: "20"),
        ])
        #expect(end?.reason == .forbidden)  // the script ran out
        let watchQuery = "labelSelector=app%3Dweb&resourceVersion=%@&allowWatchBookmarks=true&timeoutSeconds=60"
        #expect(transport.targets == [
            "GET /api/v1/namespaces/team/pods?labelSelector=app%3Dweb",
            "GET /api/v1/namespaces/team/pods?watch=true&" + watchQuery.replacingOccurrences(of: "%@", with: "10"),
            "GET /api/v1/namespaces/team/pods?watch=true&" + watchQuery.replacingOccurrences(of: "%@", with: "12"),
            "GET /api/v1/namespaces/team/pods?watch=true&" + watchQuery.replacingOccurrences(of: "%@", with: "13"),
            "GET /api/v1/namespaces/team/pods?watch=true&" + watchQuery.replacingOccurrences(of: "%@", with: "20"),
        ])
        // A server closing the stream is resumed at once; a cut connection after a backoff.
        #expect(world.slept == [.milliseconds(100)])
    }

    @Test func anExpiredVersionInAnErrorEventRelists() async {
        let transport = FakeTransport([
            list("5", []),
            .stream(200, [TestPod("a", "6").event("ADDED"), "{\"type\":\"ERROR\",\"object\":\(FakeTransport.status(410, "Expired", "too old resource version: 5 (40)"))}", TestPod("never", "7").event("ADDED")]),
            list("40", [TestPod("a", "38")]),
            .stream(200, [TestPod("c", "41").event("ADDED")]),
        ])
        let (events, _) = await drain(client(transport).watch(TestPod.self, .pods, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: nil)))
        #expect(events == [
            .relisted([], resourceVersion: "5"),
            .added(TestPod("a", "6")),
            .relisted([TestPod("a", "38")], resourceVersion: "40"),
            .added(TestPod("c", "41")),
        ])
        #expect(transport.targets == [
            "GET /api/v1/namespaces/team/pods",
            "GET /api/v1/namespaces/team/pods?watch=true&resourceVersion=5",
            "GET /api/v1/namespaces/team/pods",
            "GET /api/v1/namespaces/team/pods?watch=true&resourceVersion=40",
            "GET /api/v1/namespaces/team/pods?watch=true&resourceVersion=41",
        ])
    }

    @Test func aWatchRefusedWith410RelistsToo() async {
        let transport = FakeTransport([
            .response(410, FakeTransport.status(410, "Gone", "resource version 3 is gone")),
            list("50", [TestPod("z", "49")]),
        ])
        let (events, _) = await drain(client(transport).watch(TestPod.self, .pods, options: WatchOptions(resourceVersion: "3", allowWatchBookmarks: false, timeoutSeconds: nil)))
        #expect(events == [.relisted([TestPod("z", "49")], resourceVersion: "50")])
        #expect(transport.targets.prefix(2) == ["GET /api/v1/namespaces/team/pods?watch=true&resourceVersion=3", "GET /api/v1/namespaces/team/pods"])
    }

    @Test func otherErrorEventsAreDeliveredAndTheWatchGoesOn() async {
        let transport = FakeTransport([
            .stream(200, ["{\"type\":\"ERROR\",\"object\":\(FakeTransport.status(500, "InternalError", "etcd hiccup"))}", TestPod("a", "8").event("ADDED")]),
        ])
        let (events, _) = await drain(client(transport).watch(TestPod.self, .pods, options: WatchOptions(resourceVersion: "7", allowWatchBookmarks: false, timeoutSeconds: nil)))
        #expect(events == [.error(Status(message: "etcd hiccup", reason: "InternalError", code: 500)), .added(TestPod("a", "8"))])
    }

    @Test func refusalsThatWaitingCanMendAreWaitedOut() async {
        let transport = FakeTransport([
            .failure(.refused),
            .response(503, ""),
            .stream(200, [TestPod("a", "8").event("ADDED")]),
        ])
        let (events, _) = await drain(client(transport).watch(TestPod.self, .pods, options: WatchOptions(resourceVersion: "7", allowWatchBookmarks: false, timeoutSeconds: nil)))
        #expect(events == [.added(TestPod("a", "8"))])
        #expect(world.slept == [.milliseconds(100), .milliseconds(200)])
    }

    @Test func anUndecodableEventEndsTheWatchWithAnError() async {
        let transport = FakeTransport([.stream(200, ["{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}"])])
        let (events, end) = await drain(client(transport).watch(TestPod.self, .pods, options: WatchOptions(resourceVersion: "1")))
        #expect(events.isEmpty)
        guard case .decoding(let message)? = end else {
            Issue.record("expected a decoding error, got \(String(describing: end))")
            return
        }
        #expect(message.hasPrefix("a ADDED event's object: "))
    }
}
