import Logging

/// An HTTP/1.1 and HTTP/2 client over libcurl. One client keeps its connections alive and reuses
/// them; any number of tasks may send through it at once. Transfers run on a thread of the
/// client's own, never on Swift's cooperative pool.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var tls: TLSConfiguration
        public var connectTimeout: Duration
        /// Buffered bytes of a streamed body past which the transfer waits for its reader.
        public var streamHighWater: Int
        /// `http://`, `https://` or `socks5://` proxy; nil: the proxy environment variables.
        public var proxy: String?

        public init(tls: TLSConfiguration = TLSConfiguration(), connectTimeout: Duration = .seconds(10), streamHighWater: Int = 1 << 20, proxy: String? = nil) {
            self.tls = tls
            self.connectTimeout = connectTimeout
            self.streamHighWater = streamHighWater
            self.proxy = proxy
        }
    }

    public let configuration: Configuration
    private let engine: CurlEngine

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "hms.http")) throws(HTTPError) {
        if configuration.tls.insecureSkipVerify {
            logger.warning("TLS verification is off (insecure-skip-tls-verify): the server's identity is not checked, and anyone on the path can read and change the traffic")
        }
        self.configuration = configuration
        engine = try CurlEngine(configuration)
    }

    deinit { engine.submit(.shutdown) }

    /// The client's own thread as an executor. A task that prefers it
    /// (`withTaskExecutorPreference(client.executor) { ... }`) runs there between transfers, so
    /// sending a request and resuming with its answer cost no thread switches: worth it for loops
    /// of small requests. The work such a task does between requests delays every transfer of the
    /// client: keep heavy work elsewhere. After the client is released its tasks run on the global
    /// executor.
    public var executor: any TaskExecutor { engine }

    /// Sends a request and reads the whole response. Any status is a response; only a failed
    /// transfer throws.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let id = engine.makeID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) in
                let transfer = Transfer(id: id, request: request, delivery: .buffered(continuation))
                if Task.isCancelled || !engine.submit(.start(transfer)) {
                    transfer.complete(error: HTTPError(.cancelled, request: request.description, message: Task.isCancelled ? "the request was cancelled" : "the client was shut down", requestMayHaveBeenSent: false), status: 0)
                }
            }
        } onCancel: {
            engine.submit(.cancel(id: id))
        }
        return try result.get()
    }

    /// Sends a request and returns as soon as the status and headers are in; the body arrives
    /// as it comes (a watch). Dropping the body, or cancelling the task reading it, ends the transfer.
    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> HTTPStreamingResponse {
        let id = engine.makeID()
        let lease = TransferLease(id: id, client: self)
        let channel = BodyChannel(highWater: configuration.streamHighWater) { [engine] in
            engine.submit(.resume(id: id))
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPStreamingResponse, HTTPError>, Never>) in
                let transfer = Transfer(id: id, request: request, delivery: .streaming(head: continuation, body: channel, lease: lease))
                if Task.isCancelled || !engine.submit(.start(transfer)) {
                    transfer.complete(error: HTTPError(.cancelled, request: request.description, message: Task.isCancelled ? "the request was cancelled" : "the client was shut down", requestMayHaveBeenSent: false), status: 0)
                }
            }
        } onCancel: {
            engine.submit(.cancel(id: id))
        }
        return try result.get()
    }

    func cancel(transfer id: Int) {
        engine.submit(.cancel(id: id))
    }
}

/// A response whose body is still arriving.
public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: HTTPResponseBody
}

/// The chunks of a body as they arrive. Iterate it once.
public struct HTTPResponseBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = HTTPError

    let channel: BodyChannel
    let lease: TransferLease

    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel, lease: lease) }

    public struct Iterator: AsyncIteratorProtocol {
        let channel: BodyChannel
        let lease: TransferLease

        public mutating func next() async throws(HTTPError) -> [UInt8]? {
            try await Self.read(channel)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(HTTPError) -> [UInt8]? {
            try await Self.read(channel)
        }

        private static func read(_ channel: BodyChannel) async throws(HTTPError) -> [UInt8]? {
            let result = await withTaskCancellationHandler {
                await channel.next()
            } onCancel: {
                channel.abandon()
            }
            return try result.get()
        }
    }

    /// Reads the rest of the body, refusing more than `limit` bytes.
    public func collect(upTo limit: Int) async throws(HTTPError) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = makeAsyncIterator()
        while let chunk = try await iterator.next() {
            bytes += chunk
            if bytes.count > limit {
                throw HTTPError(.receiveFailed, request: "", message: "the body is larger than \(limit) bytes")
            }
        }
        return bytes
    }
}
