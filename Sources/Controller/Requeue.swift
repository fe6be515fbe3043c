import Foundation

/// How long the controller sleeps between passes: the sync period, or less when a Directive's answer
/// changes sooner (`Plan.requeueAt`: a run falls due, a backoff ends, an SLO deadline passes), so
/// a scheduled run starts at its moment rather than up to a period after it.
enum Requeue {
    /// Past the moment by this much, so that the next pass's clock reads it as come.
    static let margin: TimeInterval = 0.02

    static func wait(until requeueAt: Date?, now: Date, period: Duration) -> Duration {
        guard let requeueAt else { return period }
        // A moment that passed while the pass ran was after the pass's own `now`: look again at once.
        let seconds = max(requeueAt.timeIntervalSince(now), 0) + margin
        return min(period, .milliseconds(Int((seconds * 1000).rounded(.up))))
    }
}
