import Foundation
import HTTP
import JSON
import Logging
import Model

/// The Kubernetes API client: typed verbs over `KubeRequest` values, credentials, retries with
/// backoff, `Status` errors, and watches that resume.
public final class KubeClient: Sendable {
    public let config: ClientConfig
    public let retryPolicy: RetryPolicy
    private let transport: any KubeTransport
    private let credentials: CredentialProvider
    /// Fixed credentials become a header once, not per request; the others are asked for each time.
    private enum Authorization: Sendable {
        case fixed(Secret<String>?)
        case provided
    }
    private let authorization: Authorization
    private let dependencies: KubeDependencies
    private let logger: Logger
    private let userAgent: String
    /// Told of every attempt's answer, watches and retries included: the method and the status
    /// code, 0 when no answer came (for a request counter such as `/metrics`).
    private let observe: (@Sendable (HTTPMethod, Int) -> Void)?

    /// The namespace calls use when they name none (the context's, or the pod's).
    public var namespace: String { config.namespace }

    /// The transport's own thread, for tasks that send many requests in a row:
    /// `withTaskExecutorPreference(client.executor) { ... }` (see `HTTPClient.executor`).
    /// nil for transports without one.
    public var executor: (any TaskExecutor)? { transport.executor }

    public convenience init(config: ClientConfig, retryPolicy: RetryPolicy = .default, logger: Logger = Logger(label: "hms.kube"), dependencies: KubeDependencies = .live,
                            observe: (@Sendable (HTTPMethod, Int) -> Void)? = nil) throws(KubeError) {
        let transport: CurlTransport
        do {
            transport = try CurlTransport(tls: config.tls, proxy: config.proxyURL, logger: logger)
        } catch {
            throw .transport(error)
        }
        self.init(config: config, transport: transport, retryPolicy: retryPolicy, logger: logger, dependencies: dependencies, observe: observe)
    }

    public init(config: ClientConfig, transport: any KubeTransport, retryPolicy: RetryPolicy = .default, logger: Logger = Logger(label: "hms.kube"), dependencies: KubeDependencies = .live,
                observe: (@Sendable (HTTPMethod, Int) -> Void)? = nil) {
        self.config = config
        self.observe = observe
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.dependencies = dependencies
        credentials = CredentialProvider(config.credentials, clusterInfo: config.clusterInfo, dependencies: dependencies)
        switch config.credentials {
        case .none: authorization = .fixed(nil)
        case .bearerToken(let token): authorization = .fixed(Secret("Bearer \(token.value)"))
        case .basic(let username, let password): authorization = .fixed(Secret("Basic \(Data("\(username):\(password.value)".utf8).base64EncodedString())"))
        case .tokenFile, .exec: authorization = .provided
        }
        userAgent = config.userAgent
        if config.tlsServerName != nil {
            logger.warning("tls-server-name is not supported: the server certificate is checked against the host of the server URL", metadata: ["kube.server": "\(config.server)"])
        }
        if !config.server.hasPrefix("https://") {
            logger.notice("the API server is plain http: no credentials are sent (as kubectl)", metadata: ["kube.server": "\(config.server)"])
        }
    }

    // MARK: - Sending

    /// Sends a request with credentials, retrying as `retryPolicy` allows. A 2xx answer is
    /// returned; any other becomes `KubeError.api` with the server's Status.
    public func send(_ request: KubeRequest) async throws(KubeError) -> HTTPResponse {
        var attempt = 0
        var refreshedCredentials = false
        while true {
            attempt += 1
            let http = try await httpRequest(for: request)
            let outcome: RetryPolicy.Outcome
            let failure: KubeError
            do {
                let response = try await transport.send(http)
                observe?(request.method, response.status)
                logger.trace("kube request", metadata: ["http.method": "\(request.method)", "http.path": "\(request.path)", "http.status": "\(response.status)"])
                if (200..<300).contains(response.status) { return response }
                if response.status == 401, !refreshedCredentials, await credentials.canRefresh {
                    // A rotated token or an expired plugin credential: fetch again, once.
                    refreshedCredentials = true
                    await credentials.invalidate()
                    attempt -= 1
                    continue
                }
                let error = APIError(code: response.status, body: response.body, request: request.description)
                failure = .api(error)
                let retryAfter = RetryAfter.parse(response.headers["Retry-After"], now: dependencies.now())
                    ?? error.status?.details?.retryAfterSeconds.map { .seconds($0) }
                outcome = .status(response.status, retryAfter: retryAfter)
            } catch {
                observe?(request.method, 0)
                failure = .transport(error)
                if error.kind == .cancelled { throw failure }
                outcome = .transportFailure(requestMayHaveBeenSent: error.requestMayHaveBeenSent)
            }
            guard let delay = retryPolicy.delay(afterAttempt: attempt, idempotent: request.isIdempotent, outcome: outcome, random: dependencies.random()) else {
                throw failure
            }
            logger.debug("retrying", metadata: ["kube.request": "\(request)", "kube.attempt": "\(attempt)", "kube.delay": "\(delay)", "kube.error": "\(failure)"])
            do {
                try await dependencies.sleep(delay)
            } catch {
                throw failure
            }
        }
    }

    /// Opens a streamed response (a watch). A non-2xx answer is read and thrown as `KubeError.api`;
    /// no retries here: the watcher decides.
    public func stream(_ request: KubeRequest) async throws(KubeError) -> StreamedResponse {
        let http = try await httpRequest(for: request)
        let response: StreamedResponse
        do {
            response = try await transport.stream(http)
        } catch {
            observe?(request.method, 0)
            throw .transport(error)
        }
        observe?(request.method, response.status)
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.body.collect(upTo: 1 << 20)) ?? []
            throw .api(APIError(code: response.status, body: body, request: request.description))
        }
        return response
    }

    private func httpRequest(for request: KubeRequest) async throws(KubeError) -> HTTPRequest {
        if let refusal = request.refusal { throw .invalidRequest(refusal) }
        var headers = request.headers
        headers.add("User-Agent", userAgent)
        let header: Secret<String>?
        switch authorization {
        case .fixed(let fixed):
            header = fixed
        case .provided:
            let material = try await credentials.material()
            if let certificate = material.clientCertificate, let key = material.clientKey {
                do { try transport.useClientCertificate(certificate, key: key) } catch { throw .transport(error) }
            }
            header = material.authorization
        }
        if let header { headers.add("Authorization", header.value) }
        return HTTPRequest(method: request.method, url: config.server + request.target, headers: headers, body: request.body, timeout: request.timeout, isIdempotent: request.isIdempotent)
    }

    // MARK: - Typed verbs

    private func resolve(_ namespace: String?, _ resource: ResourceType) -> String? {
        resource.namespaced ? (namespace ?? config.namespace) : nil
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], _ request: KubeRequest) throws(KubeError) -> T {
        do {
            return try JSONValueDecoder().decode(T.self, fromJSON: body)
        } catch {
            throw .decoding("\(request): \(error)")
        }
    }

    func encode<T: Encodable>(_ value: T) throws(KubeError) -> [UInt8] {
        do {
            return Array(try JSONEncoder.sorted.encode(value))
        } catch {
            throw .decoding("encoding \(T.self): \(error)")
        }
    }

    public func get<Object: Decodable>(_ type: Object.Type, _ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeError) -> Object {
        let request = KubeRequest.get(resource, namespace: resolve(namespace, resource), name: name)
        return try decode(type, try await send(request).body, request)
    }

    /// One page, or all of them when `options.limit` is nil. `allNamespaces` lists across every namespace.
    public func list<Object: Decodable>(_ type: Object.Type, _ resource: ResourceType, namespace: String? = nil, allNamespaces: Bool = false, options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<Object> {
        let request = KubeRequest.list(resource, namespace: allNamespaces ? nil : resolve(namespace, resource), options: options)
        return try decode(ObjectList<Object>.self, try await send(request).body, request)
    }

    public func create<Object: Codable>(_ object: Object, _ resource: ResourceType, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Object {
        let request = KubeRequest.create(resource, namespace: resolve(namespace, resource), body: try encode(object), options: options)
        return try decode(Object.self, try await send(request).body, request)
    }

    public func update<Object: Codable>(_ object: Object, _ resource: ResourceType, name: String, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Object {
        let request = KubeRequest.update(resource, namespace: resolve(namespace, resource), name: name, body: try encode(object), options: options)
        return try decode(Object.self, try await send(request).body, request)
    }

    public func updateStatus<Object: Codable>(_ object: Object, _ resource: ResourceType, name: String, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Object {
        let request = KubeRequest.updateStatus(resource, namespace: resolve(namespace, resource), name: name, body: try encode(object), options: options)
        return try decode(Object.self, try await send(request).body, request)
    }

    /// `patch` is the body in the format `type` names (JSON for all four).
    public func patch<Object: Decodable>(_ type: Object.Type, _ resource: ResourceType, name: String, namespace: String? = nil, subresource: String? = nil, patch: [UInt8], patchType: PatchType, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Object {
        let request = KubeRequest.patch(resource, namespace: resolve(namespace, resource), name: name, subresource: subresource, type: patchType, body: patch, options: options)
        return try decode(type, try await send(request).body, request)
    }

    /// Server-side apply of a whole object, owned by `fieldManager`.
    public func apply<Object: Codable>(_ object: Object, _ resource: ResourceType, name: String, namespace: String? = nil, fieldManager: String, force: Bool = false) async throws(KubeError) -> Object {
        try await patch(Object.self, resource, name: name, namespace: namespace, patch: try encode(object), patchType: .apply(fieldManager: fieldManager, force: force))
    }

    public func delete(_ resource: ResourceType, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws(KubeError) {
        _ = try await send(.delete(resource, namespace: resolve(namespace, resource), name: name, options: options))
    }

    public func getScale(_ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeError) -> Scale {
        let request = KubeRequest.getScale(resource, namespace: resolve(namespace, resource), name: name)
        return try decode(Scale.self, try await send(request).body, request)
    }

    public func scale(_ resource: ResourceType, name: String, namespace: String? = nil, replicas: Int, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Scale {
        let request = KubeRequest.scale(resource, namespace: resolve(namespace, resource), name: name, replicas: replicas, options: options)
        return try decode(Scale.self, try await send(request).body, request)
    }

    /// Events of a collection as they happen, resuming after cut connections and relisting
    /// when the server has forgotten our place (410). See `WatchSequence`.
    public func watch<Object: Decodable & Sendable>(_ type: Object.Type, _ resource: ResourceType, namespace: String? = nil, allNamespaces: Bool = false, options: WatchOptions = WatchOptions()) -> WatchSequence<Object> {
        WatchSequence(client: self, resource: resource, namespace: allNamespaces ? nil : resolve(namespace, resource), options: options, dependencies: dependencies, logger: logger)
    }
}

/// A list answer: `items` and the version to watch from.
public struct ObjectList<Item: Decodable>: Decodable {
    public struct Metadata: Decodable, Sendable, Equatable {
        public var resourceVersion: String?
        /// Set when more pages follow.
        public var `continue`: String?
    }

    public var apiVersion: String?
    public var kind: String?
    public var metadata: Metadata?
    public var items: [Item]

    private enum Keys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata)
        // The API sends `null` for an empty list.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

extension ObjectList: Sendable where Item: Sendable {}

/// autoscaling/v1 `Scale`: the scale subresource of Deployments and scalable custom resources.
public struct Scale: Codable, Sendable, Equatable {
    public struct Spec: Codable, Sendable, Equatable {
        public var replicas: Int?
    }

    public struct Status: Codable, Sendable, Equatable {
        public var replicas: Int
        public var selector: String?
    }

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?
}
