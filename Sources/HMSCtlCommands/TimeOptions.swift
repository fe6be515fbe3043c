import ArgumentParser
import Foundation
import Model

/// `--now`: the moment a plan is computed for. Budgets project to the end of *this* month, freeze
/// windows and schedules are read at it, and approvals expire against it, so a plan depends on the
/// calendar; tests and what-if questions pin it instead.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Plan as if it were this time (RFC 3339, e.g. 2026-11-25T12:00:00Z). Default: the system clock.", valueName: "time"))
    var now: String?

    func validate() throws {
        if let now, RFC3339.date(from: now) == nil {
            throw ValidationError("--now \(now): expected an RFC 3339 time, like 2026-11-25T12:00:00Z")
        }
    }

    /// The pinned time, or the system clock's.
    var moment: Date {
        now.flatMap(RFC3339.date(from:)) ?? Date()
    }
}
