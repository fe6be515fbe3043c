public import NIOCore
import Synchronization

/// How many connections are open (the console's, the mock cluster's), and whether one more may be.
public final class ConnectionGate: Sendable {
    public enum Admission: Equatable, Sendable {
        case admitted
        /// Over the limit. `warn` at most once per `warnEvery`: a flood must not flood the log too.
        case refused(warn: Bool)
    }

    public let limit: Int
    let warnEvery: UInt64
    private let open = Atomic<Int>(0)
    /// Uptime in nanoseconds of the last warning; 0: none yet.
    private let lastWarning = Atomic<UInt64>(0)

    public init(limit: Int, warnEvery: TimeAmount = .seconds(60)) {
        self.limit = limit
        self.warnEvery = UInt64(warnEvery.nanoseconds)
    }

    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Counts the connection in when there is room; the caller then `release`s it when it closes.
    /// `now`: nanoseconds of a monotonic clock.
    public func admit(now: UInt64) -> Admission {
        if open.add(1, ordering: .relaxed).newValue <= limit { return .admitted }
        open.subtract(1, ordering: .relaxed)
        let last = lastWarning.load(ordering: .relaxed)
        guard last == 0 || now &- last >= warnEvery else { return .refused(warn: false) }
        return .refused(warn: lastWarning.compareExchange(expected: last, desired: max(now, 1), ordering: .relaxed).exchanged)
    }

    public func release() {
        open.subtract(1, ordering: .relaxed)
    }
}
