import Foundation
import HTTP
import Kube
import TestSupport
import Synchronization
import Testing

/// The client against a scripted transport: credentials, decoding, errors and retries.
@Suite(.tags(.unit)) struct ClientTests {
    let world = TestWorld()

    func client(_ transport: FakeTransport, server: String = "https://k8s.test:6443", credentials: Credentials = .bearerToken(Secret("t0k3n")), policy: RetryPolicy = .default) -> KubeClient {
        KubeClient(config: ClientConfig(server: server, credentials: credentials, namespace: "team"), transport: transport, retryPolicy: policy, dependencies: world.dependencies())
    }

    @Test func getSendsCredentialsAndDecodesTheObject() async throws {
        let transport = FakeTransport([.response(200, TestPod("web", "7").json)])
        let pod = try await client(transport).get(TestPod.self, .pods, name: "web")
        #expect(pod == TestPod("web", "7"))
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://k8s.test:6443/api/v1/namespaces/team/pods/web")
        #expect(request.headers["Authorization"] == "Bearer t0k3n")
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.headers["User-Agent"]?.hasPrefix("hms-controller/") == true)
    }

    @Test func listDecodesItemsAndTheVersionToWatchFrom() async throws {
        let transport = FakeTransport([
            .response(200, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"99\"},\"items\":[\(TestPod("a").json),\(TestPod("b").json)]}"),
            .response(200, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"100\"},\"items\":null}"),
        ])
        let client = client(transport)
        let list = try await client.list(TestPod.self, .pods, options: ListOptions(labelSelector: "app=web"))
        #expect(list.items.map(\.metadata.name) == ["a", "b"])
        #expect(list.metadata?.resourceVersion == "99")
        #expect(try await client.list(TestPod.self, .pods, allNamespaces: true).items.isEmpty)
        #expect(transport.targets == ["GET /api/v1/namespaces/team/pods?labelSelector=app%3Dweb", "GET /api/v1/pods"])
    }

    @Test func writesSendJSONBodies() async throws {
        let transport = FakeTransport([.response(201, TestPod("new", "1").json), .response(200, TestPod("new", "2").json), .response(200, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}")])
        let client = client(transport)
        #expect(try await client.create(TestPod("new"), .pods).metadata.resourceVersion == "1")
        #expect(try await client.apply(TestPod("new"), .pods, name: "new", fieldManager: "hms", force: true).metadata.resourceVersion == "2")
        try await client.delete(.pods, name: "new")
        #expect(transport.targets == ["POST /api/v1/namespaces/team/pods", "PATCH /api/v1/namespaces/team/pods/new?fieldManager=hms&force=true", "DELETE /api/v1/namespaces/team/pods/new"])
        #expect(transport.requests[0].body == Array("{\"metadata\":{\"name\":\"new\"}}".utf8))
        #expect(transport.requests[1].headers["Content-Type"] == "application/apply-patch+yaml")
        // What the HTTP layer is told it may send twice: not a create; an apply, a delete.
        #expect(transport.requests.map(\.isIdempotent) == [false, true, true])
    }

    @Test func scaleReturnsTheScale() async throws {
        let transport = FakeTransport([.response(200, "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\",\"namespace\":\"team\"},\"spec\":{\"replicas\":6},\"status\":{\"replicas\":4,\"selector\":\"app=web\"}}")])
        let scale = try await client(transport).scale(.deployments, name: "web", replicas: 6)
        #expect(scale.spec.replicas == 6)
        #expect(scale.status?.selector == "app=web")
    }

    @Test func aConflictIsATypedErrorWithTheServersMessageAndIsNotRetried() async throws {
        let transport = FakeTransport([.response(409, FakeTransport.status(409, "Conflict", "Operation cannot be fulfilled on pods \\\"web\\\": the object has been modified"))])
        let error = await #expect(throws: KubeError.self) { try await client(transport).update(TestPod("web", "3"), .pods, name: "web") }
        #expect(error?.reason == .conflict)
        #expect(error?.description == "PUT /api/v1/namespaces/team/pods/web: 409 Conflict: Operation cannot be fulfilled on pods \"web\": the object has been modified")
        #expect(transport.requests.count == 1)
    }

    @Test func idempotentRequestsAreRetriedOn5xxHonouringRetryAfter() async throws {
        let transport = FakeTransport([
            .response(503, FakeTransport.status(503, "ServiceUnavailable", "busy")),
            .response(503, "", headers: ["Retry-After": "2"]),
            .failure(.reset),
            .response(200, TestPod("web").json),
        ])
        _ = try await client(transport).get(TestPod.self, .pods, name: "web")
        #expect(transport.requests.count == 4)
        // Full jitter at random 0.5: half of 200 ms, then the server's 2 s, then half of 800 ms.
        #expect(world.slept == [.milliseconds(100), .seconds(2), .milliseconds(400)])
    }

    @Test func theObserverHearsEveryAttemptWithItsAnswer() async throws {
        let transport = FakeTransport([
            .response(503, FakeTransport.status(503, "ServiceUnavailable", "busy")),
            .failure(.reset),
            .response(200, TestPod("web").json),
            .stream(200, []),
        ])
        let heard = Mutex<[String]>([])
        let client = KubeClient(config: ClientConfig(server: "https://k8s.test:6443", namespace: "team"), transport: transport,
                                dependencies: world.dependencies(), observe: { method, code in heard.withLock { $0.append("\(method.rawValue) \(code)") } })
        _ = try await client.get(TestPod.self, .pods, name: "web")
        _ = try await client.stream(.watch(.pods, namespace: "team"))
        #expect(heard.withLock { $0 } == ["GET 503", "GET 0", "GET 200", "GET 200"])
    }

    @Test func aCreateIsNotRetriedWhenItMayHaveLanded() async throws {
        let onServerError = FakeTransport([.response(503, "")])
        let error = await #expect(throws: KubeError.self) { try await client(onServerError).create(TestPod("x"), .pods) }
        #expect(error?.reason == .serviceUnavailable)
        #expect(onServerError.requests.count == 1)

        let onReset = FakeTransport([.failure(.reset)])
        await #expect(throws: KubeError.transport(.reset)) { try await client(onReset).create(TestPod("x"), .pods) }
        #expect(onReset.requests.count == 1)
    }

    @Test func aCreateIsRetriedWhenItNeverLeftOrTheServerSaid429() async throws {
        let transport = FakeTransport([
            .failure(.refused),
            .response(429, FakeTransport.status(429, "TooManyRequests", "slow down"), headers: ["Retry-After": "1"]),
            .response(201, TestPod("x", "1").json),
        ])
        #expect(try await client(transport).create(TestPod("x"), .pods).metadata.resourceVersion == "1")
        #expect(transport.requests.count == 3)
        #expect(world.slept == [.milliseconds(100), .seconds(1)])
    }

    @Test func retriesStopAtTheLimit() async throws {
        let transport = FakeTransport(Array(repeating: .response(500, ""), count: 10))
        let error = await #expect(throws: KubeError.self) { try await client(transport, policy: RetryPolicy(maxAttempts: 3)).get(TestPod.self, .pods, name: "web") }
        #expect(error?.reason == .internalError)
        #expect(transport.requests.count == 3)
    }

    @Test func plainHTTPCarriesNoCredentials() async throws {
        let transport = FakeTransport([.response(200, TestPod("web").json)])
        _ = try await client(transport, server: "http://127.0.0.1:8080", credentials: .none).get(TestPod.self, .pods, name: "web")
        #expect(transport.requests.first?.headers["Authorization"] == nil)
    }

    @Test func aRotatedTokenFileIsReadAgainAfterA401() async throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "old-token\n")
        let transport = FakeTransport([
            .response(200, TestPod("a").json),
            .response(401, FakeTransport.status(401, "Unauthorized", "Unauthorized")),
            .response(200, TestPod("b").json),
        ])
        let client = client(transport, credentials: .tokenFile(tokenFile))
        _ = try await client.get(TestPod.self, .pods, name: "a")
        try directory.write("token", "new-token\n")
        _ = try await client.get(TestPod.self, .pods, name: "b")
        #expect(transport.requests.map { $0.headers["Authorization"] } == ["Bearer old-token", "Bearer old-token", "Bearer new-token"])
    }

    @Test func errorsNeverShowTheToken() async throws {
        let transport = FakeTransport([.response(403, FakeTransport.status(403, "Forbidden", "pods is forbidden"))])
        let error = await #expect(throws: KubeError.self) { try await client(transport).get(TestPod.self, .pods, name: "web") }
        #expect(error?.description.contains("t0k3n") == false)
        #expect(error?.reason == .forbidden)
    }
}
