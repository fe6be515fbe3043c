import Foundation
@testable import HTTP
import TestSupport
import Testing

/// Against Tests/Servers/test_server.py on 127.0.0.1.
@Suite(.enabled(if: Tools.haveServers, "python3 is not installed: run hack/test.sh, which installs it"), .tags(.live))
struct LiveHTTPTests {
    let server: LocalServer
    let client: HTTPClient

    init() throws {
        server = try LocalServer()
        client = try HTTPClient()
    }

    struct Echo: Decodable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
        var clientPort: Int
        var clientCN: String?
    }

    func echo(_ response: HTTPResponse) throws -> Echo {
        try JSONDecoder().decode(Echo.self, from: Data(response.body))
    }

    @Test func getsAResponseWithStatusHeadersAndBody() async throws {
        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo?x=1", headers: ["Accept": "application/json", "X-Test": "yes"]))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let echo = try echo(response)
        #expect(echo.method == "GET")
        #expect(echo.path == "/echo?x=1")
        #expect(echo.headers["x-test"] == "yes")
        #expect(echo.headers["accept"] == "application/json")
    }

    @Test(arguments: [HTTPMethod.post, .put, .patch, .delete])
    func sendsBodiesWithEveryWritingMethod(method: HTTPMethod) async throws {
        let body = Array("{\"spec\":{\"replicas\":3}}".utf8)
        let request = HTTPRequest(method: method, url: "\(server.baseURL)/echo", headers: ["Content-Type": "application/merge-patch+json"], body: body)
        let echo = try echo(try await client.send(request))
        #expect(echo.method == method.rawValue)
        #expect(echo.body == "{\"spec\":{\"replicas\":3}}")
        #expect(echo.headers["content-type"] == "application/merge-patch+json")
        #expect(echo.headers["expect"] == nil)
    }

    @Test func aBodyWithoutContentTypeIsNotCalledAForm() async throws {
        let echo = try echo(try await client.send(HTTPRequest(method: .post, url: "\(server.baseURL)/echo", body: Array("{}".utf8))))
        #expect(echo.headers["content-type"] == nil)
        #expect(echo.headers["content-length"] == "2")
    }

    @Test func methodsDoNotLeakIntoTheNextRequestOnAReusedHandle() async throws {
        _ = try await client.send(HTTPRequest(method: .head, url: "\(server.baseURL)/echo"))
        _ = try await client.send(HTTPRequest(method: .patch, url: "\(server.baseURL)/echo", body: [1]))
        let echo = try echo(try await client.send(HTTPRequest(url: "\(server.baseURL)/echo")))
        #expect(echo.method == "GET")
        #expect(echo.body == "")
    }

    @Test func aProxyCarriesTheRequest() async throws {
        // The test server answers a proxied request as any other: its path is the absolute URL.
        let proxied = try HTTPClient(configuration: .init(proxy: server.baseURL))
        let echo = try echo(try await proxied.send(HTTPRequest(url: "http://cluster.invalid:6443/echo/api")))
        #expect(echo.path == "http://cluster.invalid:6443/echo/api")
    }

    @Test func errorStatusesAreResponsesNotErrors() async throws {
        let response = try await client.send(HTTPRequest(url: "\(server.baseURL)/status/503?retry-after=7"))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "7")
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        var ports: Set<Int> = []
        for _ in 0..<50 {
            ports.insert(try echo(try await client.send(HTTPRequest(url: "\(server.baseURL)/echo"))).clientPort)
        }
        #expect(ports.count == 1)
    }

    @Test func concurrentRequestsRunAtOnce() async throws {
        // The server holds each request until all eight have arrived: one after the other, the
        // first would wait in vain and come back 504.
        let barrier = "\(server.baseURL)/barrier?id=concurrent&n=8"
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try await client.send(HTTPRequest(url: barrier)).status }
            }
            for try await status in group { #expect(status == 200) }
        }
    }

    @Test func theTotalTimeoutEndsASlowRequest() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "\(server.baseURL)/slow?ms=3000", timeout: .milliseconds(300)))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.requestMayHaveBeenSent == true)
    }

    @Test func aRefusedConnectionSaysSoAndThatNothingWasSent() async throws {
        let closedPort = try closedLocalPort()
        let request = HTTPRequest(url: "http://127.0.0.1:\(closedPort)/api", headers: ["Authorization": "Bearer do-not-print-me"])
        let error = await #expect(throws: HTTPError.self) { try await client.send(request) }
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.curlCode == 7)
        #expect(error?.requestMayHaveBeenSent == false)
        #expect(error?.description.hasPrefix("GET http://127.0.0.1:\(closedPort)/api: could not connect: ") == true)
        #expect(error?.description.contains("do-not-print-me") == false)
    }

    func dropCount(_ id: String) async throws -> Int {
        struct Count: Decodable { var count: Int }
        return try JSONDecoder().decode(Count.self, from: Data(try await client.send(HTTPRequest(url: "\(server.baseURL)/count?id=\(id)")).body)).count
    }

    @Test func aRequestThatMayNotBeRepeatedIsSentOnceWhenTheConnectionDies() async throws {
        // A kept-alive connection first: on a reused connection that closes before answering,
        // libcurl sends the request again by itself.
        _ = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo"))
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(method: .post, url: "\(server.baseURL)/drop?id=post", body: Array("{}".utf8)))
        }
        #expect(error?.kind == .receiveFailed)
        #expect(error?.requestMayHaveBeenSent == true)
        #expect(try await dropCount("post") == 1)

        // One marked idempotent may be sent again; libcurl does so once, on a fresh connection.
        _ = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo"))
        await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(method: .put, url: "\(server.baseURL)/drop?id=put", body: Array("{}".utf8)))
        }
        #expect(try await dropCount("put") == 2)
        // And the client goes on working.
        #expect(try await client.send(HTTPRequest(url: "\(server.baseURL)/echo")).status == 200)
    }

    @Test func tasksThatPreferTheClientsExecutorStayOnItsThread() async throws {
        let client = client
        let url = "\(server.baseURL)/echo"
        let (threads, ports) = try await withTaskExecutorPreference(client.executor) {
            var threads: Set<UInt> = [pthread_self()]
            var ports: Set<Int> = []
            for _ in 0..<20 {
                ports.insert(try echo(try await client.send(HTTPRequest(url: url))).clientPort)
                threads.insert(pthread_self())
            }
            return (threads, ports)
        }
        // Every resumption after an answer came back on the one thread that drives curl.
        #expect(threads.count == 1)
        #expect(ports.count == 1)
    }

    @Test func aTaskThatPrefersAReleasedClientsExecutorStillRuns() async throws {
        var client: HTTPClient? = try HTTPClient()
        let executor = try #require(client?.executor)
        let started = AsyncStream<Void>.makeStream()
        let task = Task(executorPreference: executor) {
            started.continuation.yield()
            try await Task.sleep(for: .milliseconds(200))
            return "ran"
        }
        for await _ in started.stream { break }
        client = nil  // the engine stops; the sleeping task must resume somewhere else
        #expect(client == nil)
        #expect(try await task.value == "ran")
    }

    @Test func cancellingTheTaskEndsTheRequest() async throws {
        // The answer would take 30 s; cancelled, the request ends well before. The bound is loose:
        // the whole suite runs in parallel on two cores, and the task resumes on the shared pool.
        let task = Task { try await client.send(HTTPRequest(url: "\(server.baseURL)/slow?ms=30000")) }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect((try? result.get()) == nil)
        if case .failure(let error as HTTPError) = result { #expect(error.kind == .cancelled) }
    }

    @Test func streamsLinesAsTheyArrive() async throws {
        let response = try await client.stream(HTTPRequest(url: "\(server.baseURL)/stream?lines=5&interval_ms=20", timeout: nil))
        #expect(response.status == 200)
        var splitter = LineSplitter()
        var lines: [String] = []
        for try await chunk in response.body {
            lines += try splitter.push(chunk).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(lines == (0..<5).map { "{\"n\": \($0)}" })
    }

    /// A reader that stops reading holds the transfer up: at most the high-water mark and one of
    /// curl's writes (16 KiB) are buffered, not the 2 MiB body. Conditions, not real-time windows:
    /// the reader waits until the transfer has paused (or, were it not to pause, ended), however
    /// slow a loaded machine makes it.
    @Test func aSlowReaderPausesTheTransferInsteadOfBufferingEverything() async throws {
        let highWater = 64 * 1024
        let streaming = try HTTPClient(configuration: .init(streamHighWater: highWater))
        let size = 2 << 20
        let response = try await streaming.stream(HTTPRequest(url: "\(server.baseURL)/bytes?n=\(size)", timeout: .seconds(300)))
        var chunks = response.body.makeAsyncIterator()
        var total = try await chunks.next()?.count ?? 0
        try await eventually("the transfer paused or ended", timeout: .seconds(120)) {
            let pressure = response.body.channel.pressure
            return pressure.paused || pressure.ended
        }
        #expect(response.body.channel.pressure.paused)
        while let chunk = try await chunks.next() { total += chunk.count }
        #expect(total == size)
        #expect(response.body.channel.pressure.peakBuffered <= highWater + 16 * 1024)
    }

    @Test func droppingAStreamEndsItAndTheClientCarriesOn() async throws {
        do {
            let response = try await client.stream(HTTPRequest(url: "\(server.baseURL)/forever", timeout: nil))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        let after = try await client.send(HTTPRequest(url: "\(server.baseURL)/echo", timeout: .seconds(5)))
        #expect(after.status == 200)
    }

    @Test func cancellingTheReaderEndsAStream() async throws {
        let response = try await client.stream(HTTPRequest(url: "\(server.baseURL)/forever", timeout: nil))
        let reader = Task {
            var count = 0
            for try await _ in response.body { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(300))
        reader.cancel()
        let result = await reader.result
        if case .failure(let error as HTTPError) = result {
            #expect(error.kind == .cancelled)
        } else {
            Issue.record("an endless stream ended by itself: \(result)")
        }
    }
}

func closedLocalPort() throws -> Int {
    // Bind, read the port, close: nothing listens there for the next moment.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestSupportError("could not find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
