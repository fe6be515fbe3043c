import ArgumentParser
import Foundation
import HTTP
import JSON
import Kube
import Logging
import Synchronization

/// `hms-bench-client`: GETs one object through `KubeClient` as fast as it answers, and prints
/// requests per second. hack/bench-client.sh runs it next to wrk against the mock cluster.
@main
struct BenchClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hms-bench-client",
        abstract: "Measure KubeClient's request rate: GETs of one object, sequential or concurrent.")

    @Option(help: "The API server, http://HOST:PORT.")
    var server: String

    @Option(help: "The object's path.")
    var path = "/apis/apps/v1/namespaces/default/deployments/web"

    @Option(help: "Requests per run.")
    var requests = 2000

    @Option(help: "Requests in flight at once.")
    var concurrency = 1

    @Option(help: "Measured runs; each prints its rate.")
    var runs = 1

    @Option(help: "Unmeasured requests first, to open connections and warm caches.")
    var warmup = 200

    @Flag(help: "Also decode each body as JSON (the cost of a typed get).")
    var decode = false

    @Flag(help: "Run the requesting tasks on Swift's global executor instead of the client's own thread.")
    var globalExecutor = false

    func validate() throws {
        guard requests > 0, concurrency > 0, runs > 0, warmup >= 0 else {
            throw ValidationError("--requests, --concurrency and --runs must be positive, --warmup not negative")
        }
        guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
            throw ValidationError("--server must be an http:// or https:// URL")
        }
    }

    func run() async throws {
        // Retries would hide failures and flatter the rate: a benchmark sends each request once.
        let client = try KubeClient(config: ClientConfig(server: server), retryPolicy: .never, logger: Logger(label: "hms.bench") { _ in SwiftLogNoOpLogHandler() })
        let request = KubeRequest(method: .get, path: path)
        print("hms-bench-client: GET \(server)\(path), \(requests) requests, \(concurrency) in flight, tasks on \(globalExecutor ? "the global executor" : "the client's thread")\(decode ? ", decoding" : "")")
        _ = try await measure(client, request, count: warmup)
        for run in 1...runs {
            let seconds = try await measure(client, request, count: requests)
            let rate = Double(requests) / seconds
            print(String(format: "run %d: %d requests in %.3f s: %.1f requests/s", run, requests, seconds, rate))
        }
    }

    /// Sends `count` requests with `concurrency` in flight; the elapsed seconds. Any answer but
    /// 200 with a body fails the run: a fast error is not a result.
    private func measure(_ client: KubeClient, _ request: KubeRequest, count: Int) async throws -> Double {
        guard count > 0 else { return 0 }
        let next = Counter()
        let decode = decode
        let executor = globalExecutor ? nil : client.executor
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(concurrency, count) {
                group.addTask(executorPreference: executor) {
                    while next.take() < count {
                        let response = try await client.send(request)
                        guard response.status == 200, !response.body.isEmpty else {
                            throw BenchError("\(request): status \(response.status), \(response.body.count) bytes")
                        }
                        if decode { _ = try JSONValue(parsing: response.body) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Hands out request numbers to the workers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
