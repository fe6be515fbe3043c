import Foundation
import Synchronization

/// A token bucket: `burst` at once, then `perSecond`.
public final class RateLimiter: Sendable {
    let perSecond: Double
    let burst: Double
    private let state = Mutex<(tokens: Double, last: Date?)>((0, nil))

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(1, burst)
    }

    public func take(now: Date) -> Bool {
        state.withLock { state in
            let elapsed = state.last.map { max(0, now.timeIntervalSince($0)) }
            state.tokens = elapsed.map { min(burst, state.tokens + $0 * perSecond) } ?? burst
            state.last = now
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }
}
