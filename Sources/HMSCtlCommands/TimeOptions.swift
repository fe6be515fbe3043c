import ArgumentParser
import Foundation
import Model

/// `--now`: the moment a command acts at. Budgets project to the end of *this* month, freeze
/// windows and schedules are read at it, approvals expire against it, and a requested Directive
/// run is named after it, so what a command does depends on the calendar; tests (next to a
/// controller whose clock is pinned) and what-if questions pin it instead.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Act as if it were this time (RFC 3339, e.g. 2026-11-25T12:00:00Z). Default: the system clock.", valueName: "time"))
    var now: String?

    func validate() throws {
        if let now, RFC3339.date(from: now) == nil {
            throw ValidationError("--now \(now): expected an RFC 3339 time, like 2026-11-25T12:00:00Z")
        }
    }

    /// The pinned time, or the clock's.
    func moment(_ clock: WallClock) -> Date {
        now.flatMap(RFC3339.date(from:)) ?? clock.now()
    }
}
