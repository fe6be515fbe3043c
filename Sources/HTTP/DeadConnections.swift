#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How soon a connection whose peer vanished without a word (a node gone, a NAT entry dropped) is
/// found dead: within 45 s, as client-go's HTTP/2 health check (30 s idle, then a 15 s ping) finds
/// it. An idle connection is probed after 15 s, then every 10 s, and given up after 3 unanswered
/// probes; a connection with data unacknowledged for 45 s is given up too. Linux's defaults would
/// take over ten minutes, and a watch on such a connection would sit there for all of them.
public enum DeadConnections {
    public static let idleSeconds = 15
    public static let probeIntervalSeconds = 10
    public static let probes = 3
    public static let unacknowledgedMilliseconds = 45_000

    /// Sets the probe count and the unacknowledged-data limit on a TCP socket (curl sets the idle
    /// time and the interval itself). Returns false when the system refused one.
    @discardableResult
    public static func configure(socket: Int32) -> Bool {
        #if os(Linux)
        return set(socket, Int32(TCP_KEEPCNT), probes) && set(socket, Int32(TCP_USER_TIMEOUT), unacknowledgedMilliseconds)
        #else
        return true
        #endif
    }

    private static func set(_ socket: Int32, _ option: Int32, _ value: Int) -> Bool {
        var value = Int32(value)
        return setsockopt(socket, Int32(IPPROTO_TCP), option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
