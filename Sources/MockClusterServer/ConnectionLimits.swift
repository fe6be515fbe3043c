import ConnectionGuards
import NIOCore
import NIOHTTP1

/// Closes a connection that has not sent a whole request within the header timeout of its accept,
/// or of the first bytes of its next request when kept alive (slowloris), as the console does; the
/// deadline itself is shared with the console (`HeaderDeadline`). A watch, once its request is
/// read, streams for as long as it lasts.
final class MockHeaderTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let deadline: HeaderDeadline

    init(timeout: TimeAmount) { deadline = HeaderDeadline(timeout: timeout) }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { deadline.opened(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadline.cancel() }

    func channelActive(context: ChannelHandlerContext) {
        deadline.opened(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { deadline.requestRead(context) }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deadline.bytesArrived(context)
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { deadline.responseEnded(context) }
        context.write(data, promise: promise)
    }
}

extension ConnectionGate {
    /// Counts a new connection in, or closes it at once when the cap is reached (a client over the
    /// cap hears no rather than waiting in the kernel's backlog). True when admitted.
    func admit(_ channel: any Channel) -> Bool {
        guard case .admitted = admit(now: NIODeadline.now().uptimeNanoseconds) else {
            channel.close(promise: nil)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.release() }
        return true
    }
}
