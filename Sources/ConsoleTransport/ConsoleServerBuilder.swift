import ConnectionGuards
public import HummingbirdCore
import HummingbirdTLS
import Metrics
public import NIOCore

/// The console's transport limits (flags of hms-controller).
public struct ConsoleLimits: Sendable {
    public var maxConnections: Int
    /// To send a whole request, from the accept or from the first byte of a kept-alive connection's next one.
    public var headerTimeout: TimeAmount
    /// A kept-alive connection with no request, or a request whose parts stop coming.
    public var idleTimeout: TimeAmount

    public init(maxConnections: Int = 512, headerTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(60)) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the console's limits, under TLS when a certificate is given. The request head's
    /// size is bounded by NIO's parser (80 KB, Hummingbird's default); bodies by each route's `collect(upTo:)`.
    public static func console(_ limits: ConsoleLimits, certificate: ConsoleCertificate?) -> HTTPServerBuilder {
        let gate = ConnectionGate(limit: limits.maxConnections)
        let tls = certificate?.tlsConfiguration()
        return HTTPServerBuilder { responder in
            let http = HTTP1Channel(
                responder: responder,
                configuration: .init(
                    additionalChannelHandlers: [HeaderTimeoutHandler(timeout: limits.headerTimeout, onTimeout: ConsoleMetrics.headerTimeout)],
                    idleTimeout: limits.idleTimeout))
            guard let tls else { return CappedChannel(http, gate: gate, observe: ConsoleMetrics.connection) }
            return CappedChannel(try TLSChannel(http, tlsConfiguration: tls), gate: gate, observe: ConsoleMetrics.connection)
        }
    }
}

/// What the console's transport reports on /metrics.
enum ConsoleMetrics {
    @Sendable static func connection(_ event: ConnectionEvent) {
        switch event {
        case .opened(let open), .closed(let open): Gauge(label: "hms_console_connections").record(open)
        case .shed: Counter(label: "hms_console_connections_shed_total").increment()
        }
    }

    @Sendable static func headerTimeout() {
        Counter(label: "hms_console_header_timeouts_total").increment()
    }
}
