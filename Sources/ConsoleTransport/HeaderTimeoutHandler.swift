public import NIOCore
public import NIOHTTPTypes

/// When a connection owes the server a request. Pure: `HeaderTimeoutHandler` turns its steps into a
/// timer. A new connection owes one at once; a kept-alive connection only from the first bytes of
/// its next request (before that it is idle, which the idle timeout bounds). The debt is paid by
/// the request's end, so a body trickled a byte at a time is cut as a head would be.
struct HeaderWatch: Equatable {
    enum Phase: Equatable { case new, awaitingRequest, answering, idle }
    enum Step: Equatable { case startTimer, stopTimer, none }

    private(set) var phase = Phase.new
    /// Requests read in full and not yet answered (pipelining may read the next before the answer).
    private(set) var unanswered = 0

    mutating func opened() -> Step {
        guard phase == .new else { return .none }
        phase = .awaitingRequest
        return .startTimer
    }

    /// Bytes came in that made no whole request (yet).
    mutating func bytesArrived() -> Step {
        guard phase == .idle else { return .none }
        phase = .awaitingRequest
        return .startTimer
    }

    mutating func requestRead() -> Step {
        unanswered += 1
        let wasWaiting = phase == .awaitingRequest
        phase = .answering
        return wasWaiting ? .stopTimer : .none
    }

    mutating func responseEnded() -> Step {
        unanswered = max(0, unanswered - 1)
        if unanswered == 0, phase == .answering { phase = .idle }
        return .none
    }
}

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

    private let timeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var watch = HeaderWatch()
    private var timer: Scheduled<Void>?

    /// `onTimeout` counts the connections it closed (a metric); it runs on the event loop.
    public init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void = {}) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { apply(watch.opened(), context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        apply(watch.opened(), context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { apply(watch.requestRead(), context) }
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        apply(watch.bytesArrived(), context)
        context.fireChannelReadComplete()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { apply(watch.responseEnded(), context) }
        context.write(data, promise: promise)
    }

    private func apply(_ step: HeaderWatch.Step, _ context: ChannelHandlerContext) {
        switch step {
        case .startTimer:
            guard timer == nil else { return }
            let onTimeout = onTimeout
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.timer = nil
                onTimeout()
                context.close(promise: nil)
            }
        case .stopTimer:
            timer?.cancel()
            timer = nil
        case .none:
            break
        }
    }
}
