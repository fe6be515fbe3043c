import Foundation
import HTTP
import JSON
import Kube
import Logging
import MockClusterServer

/// A mock cluster served in this process on a free port of 127.0.0.1 for the length of one test,
/// and a `KubeClient` pointed at it over libcurl.
///
/// In process rather than the built `hms-mock-cluster` binary: `swift test` builds it with the
/// tests, each test gets a cluster of its own (its own request log, fault settings and seeded
/// fault sequence, so tests can run in parallel and replay the same faults), and nothing depends
/// on the path of a build product.
public struct LiveCluster: Sendable {
    public let baseURL: String
    public let client: KubeClient
    private let controlClient: HTTPClient

    /// Short waits between retries: the policy's shape is what is tested, not its patience.
    public static let fastRetries = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50))

    public static let quiet = Logger(label: "hms.live-tests") { _ in SwiftLogNoOpLogHandler() }

    /// Starts a cluster, runs `body` against it, and stops the cluster whatever `body` did.
    public static func run<T: Sendable>(retryPolicy: RetryPolicy = fastRetries, _ body: (LiveCluster) async throws -> T) async throws -> T {
        var options = MockClusterServer.Options()
        options.port = 0
        // Pods start quickly, so scale tests see status follow without long waits.
        options.settings.podStartupSeconds = 0.2
        options.tickSeconds = 0.05
        options.handlesSignals = false
        let server = try MockClusterServer(options: options, logger: quiet)
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let serving = Task {
            defer { announce.finish() }
            try await server.run { port in announce.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await serving.value
            throw LiveClusterError("the mock cluster stopped before it listened")
        }
        let cluster: LiveCluster
        do {
            cluster = try LiveCluster(baseURL: "http://127.0.0.1:\(port)", retryPolicy: retryPolicy)
        } catch {
            serving.cancel()
            _ = await serving.result
            throw error
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(cluster))
        } catch {
            result = .failure(error)
        }
        serving.cancel()
        _ = await serving.result
        return try result.get()
    }

    private init(baseURL: String, retryPolicy: RetryPolicy) throws {
        self.baseURL = baseURL
        client = try KubeClient(config: ClientConfig(server: baseURL, namespace: "default"), retryPolicy: retryPolicy, logger: Self.quiet)
        controlClient = try HTTPClient(logger: Self.quiet)
    }

    /// A call to the mock's own endpoints under `/mock/v1/` (never faulted, never retried).
    @discardableResult
    public func control(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let request = HTTPRequest(method: method, url: "\(baseURL)/mock/v1/\(path)", headers: ["Content-Type": "application/json"], body: body?.jsonBytes)
        let response = try await controlClient.send(request)
        guard response.status == 200 else {
            throw LiveClusterError("\(method) /mock/v1/\(path): \(response.status) \(response.bodyText)")
        }
        return try JSONValue(parsing: response.body)
    }

    /// `latencyMs`: the mock answers each API request this much later (it handles it at once).
    public func setFaults(errorRate: Double = 0, resetRate: Double = 0, conflictRate: Double = 0, latencyMs: Double = 0) async throws {
        try await control(.put, "faults", [
            "errorRate": .double(errorRate), "resetRate": .double(resetRate), "conflictRate": .double(conflictRate), "latencyMs": .double(latencyMs),
        ])
    }

    /// The CustomResourceDefinitions of manifests/crds, served: applied as they stand in the files.
    public func installCRDs() async throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("manifests/crds")
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).filter({ $0.hasSuffix(".yaml") }) {
            // `ops.hms.gov_servicespecs.yaml` defines `servicespecs.ops.hms.gov`.
            let parts = file.dropLast(".yaml".count).split(separator: "_", maxSplits: 1)
            let yaml = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            _ = try await client.patch(JSONValue.self, .customResourceDefinitions, name: "\(parts.last ?? "").\(parts.first ?? "")", patch: yaml,
                                       patchType: .apply(fieldManager: "hms-live-tests", force: true))
        }
    }

    /// A GovernancePolicy `rules` that holds more than 3 replicas for approval, and a ServiceSpec
    /// `web` of 6 replicas in `namespace`: its deploy is held (installs nothing; call `installCRDs` first).
    public func declareHeldService(namespace: String = "default") async throws {
        func resource(_ plural: String, _ kind: String) -> ResourceType {
            ResourceType(group: "ops.hms.gov", version: "v1alpha1", plural: plural, kind: kind, namespaced: true)
        }
        func object(_ kind: String, _ name: String, spec: JSONValue) -> JSONValue {
            ["apiVersion": "ops.hms.gov/v1alpha1", "kind": .string(kind), "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec]
        }
        _ = try await client.create(object("GovernancePolicy", "rules", spec: ["maxReplicasWithoutApproval": 3, "allowedRegistries": ["registry.gov/"]]),
                                    resource("governancepolicies", "GovernancePolicy"), namespace: namespace)
        _ = try await client.create(object("ServiceSpec", "web", spec: ["image": "registry.gov/web:1.0", "replicas": 6, "resources": ["cpu": "1"]]),
                                    resource("servicespecs", "ServiceSpec"), namespace: namespace)
    }

    /// One line of the mock's request log.
    public struct LoggedRequest: Equatable, CustomStringConvertible {
        public var method: String
        /// Path and query, the query's keys sorted.
        public var target: String
        /// 0 for a connection the mock cut on purpose.
        public var status: Int

        public var description: String { "\(method) \(target) \(status)" }
        public var path: String { String(target.prefix { $0 != "?" }) }
    }

    /// The API requests the mock served, oldest first.
    public func requests() async throws -> [LoggedRequest] {
        let log = try await control(.get, "requests")
        return (log["items"]?.arrayValue ?? []).map { entry in
            LoggedRequest(method: entry["method"]?.stringValue ?? "", target: entry["path"]?.stringValue ?? "", status: entry["status"]?.intValue ?? -1)
        }
    }

    public func clearRequests() async throws {
        try await control(.delete, "requests")
    }
}

public struct LiveClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Waits, polling, until `condition` holds; fails the test with `message` after `timeout`.
/// For what the simulation or a background task does on its own clock. The timeout only bounds a
/// failure (a passing test waits no longer for it): generous, so that a loaded machine (a build
/// beside the tests, dozens of tests at once) does not fail a test that would pass.
public func eventually(_ message: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw LiveClusterError("timed out after \(timeout): \(message)")
}
