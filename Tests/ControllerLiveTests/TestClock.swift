import Controller
import Foundation
import Model
import Synchronization

/// The test's time, in two parts moved together by `advance`: the wall clock decisions are made at
/// (it stands still until the test moves it, so every pass of a test sees the same now), and the
/// clock the controller waits on (the continuous clock plus every move, so that a requeue an hour
/// away ends when the test moves an hour on, while short waits end on their own). A `frozen` clock
/// waits on no real time at all: only `advance` ends a wait, for a test whose verdict would hang
/// on how fast a loaded machine runs it.
final class TestClock: Sendable {
    private let state: Mutex<(wall: Date, skipped: Duration)>
    /// The continuous clock's instant the waiting clock stands at, when it is frozen.
    private let frozenAt: ContinuousClock.Instant?

    init(_ start: Date, frozen: Bool = false) {
        state = Mutex((start, .zero))
        frozenAt = frozen ? ContinuousClock.now : nil
    }

    var now: Date { state.withLock { $0.wall } }

    var wall: WallClock { WallClock { [self] in now } }

    var waiting: WaitingClock {
        WaitingClock(now: { [self] in waitingNow }) { [self] deadline in
            // Looks again every few milliseconds: a move of the clock ends the wait that soon.
            while waitingNow < deadline {
                try await Task.sleep(for: min(deadline - waitingNow, .milliseconds(5)))
            }
        }
    }

    private var waitingNow: ContinuousClock.Instant { (frozenAt ?? ContinuousClock.now) + state.withLock { $0.skipped } }

    /// How far the test has moved the clock.
    var moved: Duration { state.withLock { $0.skipped } }

    func advance(by duration: Duration) {
        state.withLock { state in
            state.wall = state.wall.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
            state.skipped += duration
        }
    }
}
