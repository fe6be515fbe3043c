/// What the controller loop waits on: when a key put back on the work queue is due, how long its
/// timers sleep. The continuous clock, unless a test moves time on, so that a Directive's run an
/// hour away falls due without an hour of waiting. (`WallClock` is the time decisions are made
/// at; this clock says only when to look again.)
public struct WaitingClock: Sendable {
    private let read: @Sendable () -> ContinuousClock.Instant
    private let sleeper: @Sendable (ContinuousClock.Instant) async throws -> Void

    /// `sleep` returns once `now` has reached the deadline, and throws when its task is cancelled.
    public init(now: @escaping @Sendable () -> ContinuousClock.Instant, sleep: @escaping @Sendable (ContinuousClock.Instant) async throws -> Void) {
        read = now
        sleeper = sleep
    }

    public func now() -> ContinuousClock.Instant { read() }

    public func sleep(until deadline: ContinuousClock.Instant) async throws { try await sleeper(deadline) }

    public func sleep(for duration: Duration) async throws { try await sleep(until: now() + duration) }

    public static let continuous = WaitingClock(now: { .now }, sleep: { try await Task.sleep(until: $0, clock: .continuous) })
}
