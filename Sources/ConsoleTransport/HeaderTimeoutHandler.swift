import ConnectionGuards
public import NIOCore
public import NIOHTTPTypes

/// Closes a console connection that has not sent a whole request within `timeout` of its accept
/// (TLS handshake included), or of the first bytes of its next request when kept alive: a client
/// that sends a byte every few seconds (slowloris) holds a connection for `timeout` at most.
/// It sits after the HTTP decoder, so it sees request parts; the decoder forwards
/// `channelReadComplete` for every read, which tells it that bytes came without a whole request.
public final class HeaderTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let deadline: HeaderDeadline

    /// `onTimeout` counts the connections it closed (a metric); it runs on the event loop.
    public init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void = {}) {
        deadline = HeaderDeadline(timeout: timeout, onTimeout: onTimeout)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { deadline.opened(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadline.cancel()
    }

    public func channelActive(context: ChannelHandlerContext) {
        deadline.opened(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline.cancel()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { deadline.requestRead(context) }
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        deadline.bytesArrived(context)
        context.fireChannelReadComplete()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { deadline.responseEnded(context) }
        context.write(data, promise: promise)
    }
}
