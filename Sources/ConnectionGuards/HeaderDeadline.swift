public import NIOCore

/// When a connection owes the server a request. Pure: `HeaderDeadline` turns its steps into a timer. A new connection owes one at once; a kept-alive connection only from the first bytes of
/// its next request (before that it is idle, which the idle timeout bounds). The debt is paid by
/// the request's end, so a body trickled a byte at a time is cut as a head would be.
public struct HeaderWatch: Equatable, Sendable {
    public enum Phase: Equatable, Sendable { case new, awaitingRequest, answering, idle }
    public enum Step: Equatable, Sendable { case startTimer, stopTimer, none }

    public private(set) var phase = Phase.new
    /// Requests read in full and not yet answered (pipelining may read the next before the answer).
    public private(set) var unanswered = 0

    public init() {}

    public mutating func opened() -> Step {
        guard phase == .new else { return .none }
        phase = .awaitingRequest
        return .startTimer
    }

    /// Bytes came in that made no whole request (yet).
    public mutating func bytesArrived() -> Step {
        guard phase == .idle else { return .none }
        phase = .awaitingRequest
        return .startTimer
    }

    public mutating func requestRead() -> Step {
        unanswered += 1
        let wasWaiting = phase == .awaitingRequest
        phase = .answering
        return wasWaiting ? .stopTimer : .none
    }

    public mutating func responseEnded() -> Step {
        unanswered = max(0, unanswered - 1)
        if unanswered == 0, phase == .answering { phase = .idle }
        return .none
    }
}

/// A connection's header deadline on its event loop: the `HeaderWatch`'s steps as a timer that
/// closes the connection. The console's and the mock cluster's HTTP handlers (each on its own
/// HTTP types) feed it the same four events.
public final class HeaderDeadline {
    private let timeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var watch = HeaderWatch()
    private var timer: Scheduled<Void>?

    /// `onTimeout` runs on the event loop, before the close (a metric counts it).
    public init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void = {}) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    public func opened(_ context: ChannelHandlerContext) { apply(watch.opened(), context) }
    public func bytesArrived(_ context: ChannelHandlerContext) { apply(watch.bytesArrived(), context) }
    public func requestRead(_ context: ChannelHandlerContext) { apply(watch.requestRead(), context) }
    public func responseEnded(_ context: ChannelHandlerContext) { apply(watch.responseEnded(), context) }

    public func cancel() {
        timer?.cancel()
        timer = nil
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
            cancel()
        case .none:
            break
        }
    }
}
