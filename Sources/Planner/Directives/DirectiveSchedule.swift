import Foundation
import Model

/// When a Directive runs, in the wall-clock time of its zone: the runs due at `now`, the next run,
/// and the SLO deadline of a run. Pure: every answer is a function of the spec and the times passed in.
///
/// Which runs are due, given the last scheduled time `last` (or, for a Directive that never ran, the
/// time it was created) and `now`. The scheduled times in (last, now] are the candidates:
/// - a candidate less than `onTimeSeconds` old (or `startingDeadlineSeconds`, when set) is on
///   time: the controller is merely a little late;
/// - a candidate more than `startingDeadlineSeconds` old, when set, is missed and skipped whatever
///   `catchUp` says, as a CronJob's;
/// - `catchUp: none` starts the on-time candidates only: runs missed while the controller was down
///   are skipped;
/// - `catchUp: latest` starts the most recent candidate, whatever its age, and skips the others;
/// - `catchUp: all` starts every candidate, at most the `catchUpLimit` most recent ones.
///
/// Daylight saving follows `CronSchedule.nextRun`: a 02:30 run on the spring-forward day, when 02:30
/// never happens, runs once at 03:00; a 01:30 run on the fall-back day, when 01:30 happens twice,
/// runs once, at the first.
public struct DirectiveSchedule: Sendable {
    public let cron: CronSchedule
    public let timeZone: TimeZone
    public let catchUp: Directive.CatchUp
    /// `startingDeadlineSeconds`: how late a run may start at all.
    public let startingDeadline: TimeInterval?

    /// How late a run may be found and still count as on time rather than missed: a pass that took
    /// a while, or a wake-up a little late, must not skip a run under `catchUp: none`.
    public static let onTimeSeconds: TimeInterval = 120
    /// At most this many missed runs start at once under `catchUp: all`; older ones are skipped.
    public static let catchUpLimit = 100

    public init(cron: CronSchedule, timeZone: TimeZone, catchUp: Directive.CatchUp, startingDeadline: TimeInterval? = nil) {
        self.cron = cron
        self.timeZone = timeZone
        self.catchUp = catchUp
        self.startingDeadline = startingDeadline
    }

    public init(_ directive: Directive) {
        self.init(cron: directive.spec.schedule, timeZone: directive.spec.timeZone?.timeZone ?? Self.utc,
                  catchUp: directive.spec.catchUp ?? .none, startingDeadline: directive.spec.startingDeadlineSeconds.map(TimeInterval.init))
    }

    /// How late a run may be found and still be on time.
    var onTime: TimeInterval { startingDeadline ?? Self.onTimeSeconds }

    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

    /// The runs to start at `now`, and how many missed ones catch-up leaves out.
    public struct Due: Sendable, Equatable {
        /// Scheduled times to start now, oldest first.
        public var runs: [Date]
        /// Missed runs skipped by `catchUp`.
        public var skipped: Int
        /// `skipped` is a lower bound: the search stopped looking back once it had what it needed.
        public var skippedAtLeast: Bool
        /// Of `skipped`, those older than `startingDeadlineSeconds` (under catchUp latest and all):
        /// a CronJob does not count them as missed start times.
        public var pastDeadline: Int

        public init(runs: [Date] = [], skipped: Int = 0, skippedAtLeast: Bool = false, pastDeadline: Int = 0) {
            self.runs = runs
            self.skipped = skipped
            self.skippedAtLeast = skippedAtLeast
            self.pastDeadline = pastDeadline
        }
    }

    public func due(after last: Date, now: Date) -> Due {
        guard now > last else { return Due() }
        switch catchUp {
        case .none:
            let onTimeFrom = max(last, now.addingTimeInterval(-onTime))
            let onTime = runs(after: onTimeFrom, through: now, keeping: Int.max)
            let missed = recentRuns(after: last, through: onTimeFrom, keeping: 1)
            return Due(runs: onTime.runs, skipped: missed.count, skippedAtLeast: !missed.exact)
        case .latest, .all:
            // Runs older than the starting deadline are missed for good; catch-up picks among the rest.
            let startFrom = startingDeadline.map { max(last, now.addingTimeInterval(-$0)) } ?? last
            let tooLate = startFrom > last ? recentRuns(after: last, through: startFrom, keeping: 1) : (runs: [], count: 0, exact: true)
            let found = recentRuns(after: startFrom, through: now, keeping: catchUp == .latest ? 1 : Self.catchUpLimit)
            return Due(runs: found.runs, skipped: tooLate.count + max(0, found.count - found.runs.count),
                       skippedAtLeast: !found.exact || !tooLate.exact, pastDeadline: tooLate.count)
        }
    }

    /// The first scheduled time strictly after `date`.
    public func nextRun(after date: Date) -> Date? {
        cron.nextRun(after: date, in: timeZone)
    }

    /// Whether a run at `time`, found at `now`, is late enough to be a missed one.
    public func isMissed(_ time: Date, now: Date) -> Bool {
        now.timeIntervalSince(time) >= onTime
    }

    /// The SLO deadline of a run: `finishBefore` on the run's local date, or on the next day when
    /// that is not after the run's time (a 23:00 run with `finishBefore: "01:00"` has until 01:00
    /// the next morning; a manual run at 14:00 with `"06:00"` until 06:00 tomorrow). A clock time
    /// the spring-forward gap skips moves to the end of the gap, as scheduled runs do.
    public func sloDeadline(forRunAt time: Date, finishBefore: ClockTime) -> Date? {
        guard let daily = try? CronSchedule(parsing: "\(finishBefore.minute) \(finishBefore.hour) * * *") else { return nil }
        return daily.nextRun(after: time, in: timeZone)
    }

    // MARK: - Local time, for people

    /// `2026-11-26`: the run's date on the Directive's wall clock.
    public func localDate(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// `05:00 CST`, or `05:00:12 CST` when the seconds are not zero.
    public func localTime(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        let seconds = parts.second ?? 0
        let clock = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0) + (seconds == 0 ? "" : String(format: ":%02d", seconds))
        return clock + " " + zoneAbbreviation(date)
    }

    /// `2026-11-26 05:00 CST`.
    public func localDateTime(_ date: Date) -> String { localDate(date) + " " + localTime(date) }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// "CST" or "CDT" as people in the zone write it; "UTC+05:30" where English has no
    /// abbreviation for the zone.
    private func zoneAbbreviation(_ date: Date) -> String {
        // Foundation may name UTC "GMT".
        if ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Zulu"].contains(timeZone.identifier) { return "UTC" }
        let style: NSTimeZone.NameStyle = timeZone.isDaylightSavingTime(for: date) ? .shortDaylightSaving : .shortStandard
        if let name = timeZone.localizedName(for: style, locale: Self.english), !name.hasPrefix("GMT") || name == "GMT" {
            return name
        }
        let offset = timeZone.secondsFromGMT(for: date)
        return String(format: "UTC%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) % 3600 / 60)
    }

    private static let english = Locale(identifier: "en_US")

    // MARK: - Enumerating scheduled times

    /// Scheduled times in (after, through], the `keeping` most recent of them, and how many there were.
    func runs(after start: Date, through end: Date, keeping limit: Int) -> (runs: [Date], count: Int) {
        var kept: [Date] = []
        var count = 0
        var cursor = start
        while let next = cron.nextRun(after: cursor, in: timeZone), next <= end {
            kept.append(next)
            if kept.count > limit { kept.removeFirst() }
            count += 1
            cursor = next
        }
        return (kept, count)
    }

    /// Up to this many scheduled times are walked one by one from the last run, so that the usual
    /// outage is counted exactly.
    private static let exactCountLimit = 2_000

    /// Windows looked back through, shortest first, once walking would take too long: an
    /// every-minute schedule after a year down is not walked minute by minute, the search stops at
    /// the first window that holds enough.
    private static let lookBack: [TimeInterval] = [3_600, 86_400, 7 * 86_400, 32 * 86_400, 366 * 86_400]

    /// The `keeping` most recent scheduled times in (after, through], and how many there are:
    /// exactly, or at least that many when there were too many to count.
    func recentRuns(after last: Date, through end: Date, keeping limit: Int) -> (runs: [Date], count: Int, exact: Bool) {
        var kept: [Date] = []
        var count = 0
        var cursor = last
        while let next = cron.nextRun(after: cursor, in: timeZone), next <= end {
            guard count < Self.exactCountLimit else {
                for window in Self.lookBack where end.addingTimeInterval(-window) > cursor {
                    let found = runs(after: end.addingTimeInterval(-window), through: end, keeping: limit)
                    if found.count >= limit { return (found.runs, count + found.count, false) }
                }
                // Sparse after all: walk on.
                let rest = runs(after: cursor, through: end, keeping: limit)
                return (Array((kept + rest.runs).suffix(limit)), count + rest.count, true)
            }
            kept.append(next)
            if kept.count > limit { kept.removeFirst() }
            count += 1
            cursor = next
        }
        return (kept, count, true)
    }
}
