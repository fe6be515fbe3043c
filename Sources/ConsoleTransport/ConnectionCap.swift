public import ConnectionGuards
public import HummingbirdCore
public import Logging
public import NIOCore

/// What a `CappedChannel` tells the metrics.
public enum ConnectionEvent: Sendable {
    case opened(openNow: Int)
    case closed(openNow: Int)
    case shed
}

/// A child channel (HTTP/1.1, perhaps under TLS) behind a connection cap: over it, a new connection
/// is closed at once, before any handler or TLS state is made for it. Hummingbird's
/// `MaximumAvailableConnections` stops accepting instead, which leaves the excess waiting in the
/// kernel's backlog, so a legitimate client hangs rather than hearing no; closing sheds them.
public struct CappedChannel<Base: ServerChildChannel>: ServerChildChannel {
    public enum Value: ServerChildChannelValue {
        case admitted(Base.Value)
        case shed(any Channel)

        public var channel: any Channel {
            switch self {
            case .admitted(let value): value.channel
            case .shed(let channel): channel
            }
        }
    }

    let base: Base
    let gate: ConnectionGate
    let observe: @Sendable (ConnectionEvent) -> Void

    public init(_ base: Base, gate: ConnectionGate, observe: @escaping @Sendable (ConnectionEvent) -> Void = { _ in }) {
        self.base = base
        self.gate = gate
        self.observe = observe
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        if case .refused(let warn) = gate.admit(now: NIODeadline.now().uptimeNanoseconds) {
            if warn {
                logger.warning("console: connection cap reached, new connections are closed", metadata: ["console.max_connections": "\(gate.limit)"])
            }
            observe(.shed)
            channel.close(promise: nil)
            // Succeeds, as `.shed`: on a failed setup NIO neither registers nor closes the socket.
            return channel.eventLoop.makeSucceededFuture(.shed(channel))
        }
        observe(.opened(openNow: gate.openConnections))
        let (gate, observe) = (gate, observe)
        channel.closeFuture.whenComplete { _ in
            gate.release()
            observe(.closed(openNow: gate.openConnections))
        }
        return base.setup(channel: channel, logger: logger).map { .admitted($0) }
    }

    public func handle(value: Value, logger: Logger) async {
        if case .admitted(let value) = value { await base.handle(value: value, logger: logger) }
    }
}
