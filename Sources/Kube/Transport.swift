import HTTP
import Logging
import Synchronization

/// What the client sends requests through: libcurl in production (`CurlTransport`), a scripted
/// fake in tests.
public protocol KubeTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
    /// Returns once status and headers are in; the body follows in `ByteStream`.
    func stream(_ request: HTTPRequest) async throws(HTTPError) -> StreamedResponse
    /// A client certificate that an exec plugin handed over; later requests present it.
    func useClientCertificate(_ certificate: [UInt8], key: Secret<[UInt8]>) throws(HTTPError)
    /// Where tasks that send many requests may run to save thread switches, if anywhere.
    var executor: (any TaskExecutor)? { get }
}

extension KubeTransport {
    public func useClientCertificate(_ certificate: [UInt8], key: Secret<[UInt8]>) throws(HTTPError) {}
    public var executor: (any TaskExecutor)? { nil }
}

public struct StreamedResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteStream

    public init(status: Int, headers: HTTPHeaders = [:], body: ByteStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A body arriving in chunks, read by one reader. nil marks the end; a thrown error, a cut.
public struct ByteStream: Sendable {
    private let nextChunk: @Sendable () async throws(HTTPError) -> [UInt8]?

    public init(next: @escaping @Sendable () async throws(HTTPError) -> [UInt8]?) {
        nextChunk = next
    }

    public func next() async throws(HTTPError) -> [UInt8]? {
        try await nextChunk()
    }

    /// Chunks given in advance, then the end, or the error that ends them: for fakes.
    public static func chunks(_ chunks: [[UInt8]], endingWith failure: HTTPError? = nil) -> ByteStream {
        let remaining = Mutex(chunks[...])
        return ByteStream { () throws(HTTPError) -> [UInt8]? in
            if let chunk = remaining.withLock({ $0.popFirst() }) { return chunk }
            if let failure { throw failure }
            return nil
        }
    }

    /// Reads to the end, refusing more than `limit` bytes.
    public func collect(upTo limit: Int = 16 << 20) async throws(HTTPError) -> [UInt8] {
        var bytes: [UInt8] = []
        while let chunk = try await next() {
            bytes += chunk
            if bytes.count > limit { throw HTTPError(.receiveFailed, request: "", message: "the body is larger than \(limit) bytes") }
        }
        return bytes
    }
}

/// libcurl through `HTTPClient`. A client certificate from an exec plugin replaces the client
/// (connections are bound to the certificate they were made with).
public final class CurlTransport: KubeTransport {
    private let state: Mutex<(tls: TLSConfiguration, client: HTTPClient)>
    private let proxy: String?
    private let logger: Logger

    public init(tls: TLSConfiguration, proxy: String? = nil, logger: Logger = Logger(label: "hms.kube")) throws(HTTPError) {
        let client = try HTTPClient(configuration: HTTPClient.Configuration(tls: tls, proxy: proxy), logger: logger)
        state = Mutex((tls, client))
        self.proxy = proxy
        self.logger = logger
    }

    private var client: HTTPClient { state.withLock { $0.client } }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        try await client.send(request)
    }

    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> StreamedResponse {
        let response = try await client.stream(request)
        let reader = BodyReader(response.body.makeAsyncIterator())
        return StreamedResponse(status: response.status, headers: response.headers, body: ByteStream { () async throws(HTTPError) -> [UInt8]? in
            try await reader.next()
        })
    }

    /// The HTTP client's thread (`HTTPClient.executor`).
    public var executor: (any TaskExecutor)? { client.executor }

    public func useClientCertificate(_ certificate: [UInt8], key: Secret<[UInt8]>) throws(HTTPError) {
        let current = state.withLock { $0.tls }
        var tls = current
        tls.clientCertificate = .data(certificate)
        tls.clientKey = .data(key.value)
        guard tls != current else { return }
        let client = try HTTPClient(configuration: HTTPClient.Configuration(tls: tls, proxy: proxy), logger: logger)
        state.withLock { $0 = (tls, client) }
    }
}

/// Holds a body's iterator for its one reader.
private final class BodyReader: @unchecked Sendable {
    private var iterator: HTTPResponseBody.Iterator

    init(_ iterator: HTTPResponseBody.Iterator) { self.iterator = iterator }

    func next() async throws(HTTPError) -> [UInt8]? { try await iterator.next() }
}
