import Foundation
import Testing

@testable import Model

/// Times are written with their UTC offset, so the DST cases read as what a person on the
/// wall clock sees: "2025-03-09T03:00:00-05:00" is 03:00 CDT, "…-06:00" would be CST.
@Suite("CronSchedule", .tags(.unit))
struct CronScheduleTests {
    // MARK: Parsing errors

    struct Invalid: CustomTestStringConvertible, Sendable {
        let name: String
        let expression: String
        let message: String
        init(_ name: String, _ expression: String, _ message: String) {
            (self.name, self.expression, self.message) = (name, expression, message)
        }
        var testDescription: String { name }
    }

    static let invalid: [Invalid] = [
        Invalid("hour out of range", "0 25 * * *", #"invalid cron expression "0 25 * * *": hour 25 is out of range 0-23"#),
        Invalid(
            "four fields", "0 5 * *",
            #"invalid cron expression "0 5 * *": expected 5 fields (minute hour day-of-month month day-of-week), found 4"#),
        Invalid(
            "six fields (seconds)", "0 0 5 * * *",
            #"invalid cron expression "0 0 5 * * *": expected 5 fields (minute hour day-of-month month day-of-week), found 6"#),
        Invalid(
            "empty", "",
            #"invalid cron expression "": expected 5 fields (minute hour day-of-month month day-of-week), found 0"#),
        Invalid("minute 60", "60 * * * *", #"invalid cron expression "60 * * * *": minute 60 is out of range 0-59"#),
        Invalid(
            "day-of-month 0", "0 0 0 * *", #"invalid cron expression "0 0 0 * *": day-of-month 0 is out of range 1-31"#),
        Invalid(
            "day-of-month 32", "0 0 32 * *", #"invalid cron expression "0 0 32 * *": day-of-month 32 is out of range 1-31"#),
        Invalid("month 13", "0 0 * 13 *", #"invalid cron expression "0 0 * 13 *": month 13 is out of range 1-12"#),
        Invalid("month 0", "0 0 * 0 *", #"invalid cron expression "0 0 * 0 *": month 0 is out of range 1-12"#),
        Invalid("day-of-week 8", "0 0 * * 8", #"invalid cron expression "0 0 * * 8": day-of-week 8 is out of range 0-7"#),
        Invalid(
            "huge number", "99999999999999999999 * * * *",
            #"invalid cron expression "99999999999999999999 * * * *": minute 99999999999999999999 is out of range 0-59"#),
        Invalid(
            "unknown month name", "0 0 * JANUARY *",
            #"invalid cron expression "0 0 * JANUARY *": month "JANUARY" is not a number or a month name (JAN-DEC)"#),
        Invalid(
            "unknown day name", "0 0 * * FUNDAY",
            #"invalid cron expression "0 0 * * FUNDAY": day-of-week "FUNDAY" is not a number or a day name (SUN-SAT)"#),
        Invalid(
            "day name in the month field", "0 0 * MON *",
            #"invalid cron expression "0 0 * MON *": month "MON" is not a number or a month name (JAN-DEC)"#),
        Invalid("letters", "x * * * *", #"invalid cron expression "x * * * *": minute "x" is not a number"#),
        Invalid("step 0", "*/0 * * * *", #"invalid cron expression "*/0 * * * *": minute step 0 must be at least 1"#),
        Invalid("step not a number", "*/x * * * *", #"invalid cron expression "*/x * * * *": minute step "x" is not a number"#),
        Invalid("two steps", "*/5/2 * * * *", #"invalid cron expression "*/5/2 * * * *": minute step "5/2" is not a number"#),
        Invalid("backwards range", "0 10-5 * * *", #"invalid cron expression "0 10-5 * * *": hour range 10-5 starts after it ends"#),
        Invalid(
            "wrapping day range", "0 0 * * FRI-MON",
            #"invalid cron expression "0 0 * * FRI-MON": day-of-week range FRI-MON starts after it ends"#),
        Invalid("empty list item", "1,,2 * * * *", #"invalid cron expression "1,,2 * * * *": minute list "1,,2" has an empty item"#),
        Invalid("trailing comma", "0 1, * * *", #"invalid cron expression "0 1, * * *": hour list "1," has an empty item"#),
        Invalid("negative number", "-5 * * * *", #"invalid cron expression "-5 * * * *": minute "-5" is missing a number"#),
        Invalid("open range", "0 5- * * *", #"invalid cron expression "0 5- * * *": hour "5-" is missing a number"#),
        Invalid(
            "unknown macro", "@every 5m",
            #"invalid cron expression "@every 5m": unknown macro "@every 5m"; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"#
        ),
        Invalid("shorthand hour 24", "24:00", #"invalid time "24:00": expected HH:MM between 00:00 and 23:59"#),
        Invalid("shorthand minute 60", "05:60", #"invalid time "05:60": expected HH:MM between 00:00 and 23:59"#),
        Invalid("shorthand with seconds", "05:00:00", #"invalid time "05:00:00": expected HH:MM between 00:00 and 23:59"#),
    ]

    @Test(arguments: invalid)
    func rejects(_ c: Invalid) {
        #expect(throws: ValueError(c.message)) { try CronSchedule(parsing: c.expression) }
    }

    // MARK: Next runs

    /// Start at `start`, call `nextRun` repeatedly, expect `runs` in order.
    struct Runs: CustomTestStringConvertible, Sendable {
        let name: String
        let expression: String
        let zone: String
        let start: String
        let runs: [String]
        init(_ name: String, _ expression: String, _ zone: String = "UTC", from start: String, _ runs: [String]) {
            (self.name, self.expression, self.zone, self.start, self.runs) = (name, expression, zone, start, runs)
        }
        var testDescription: String { "\(name): \(expression) in \(zone)" }
    }

    /// America/Chicago and America/New_York: spring forward 2025-03-09 02:00 -> 03:00, fall back
    /// 2025-11-02 02:00 -> 01:00 (local times).
    static let daylightSaving: [Runs] = [
        // A time in the gap runs once, at the end of the gap.
        Runs(
            "Chicago spring, skipped time", "30 2 * * *", "America/Chicago", from: "2025-03-08T03:00:00-06:00",
            ["2025-03-09T03:00:00-05:00", "2025-03-10T02:30:00-05:00"]),
        Runs(
            "Chicago fall, 02:30 happens once", "30 2 * * *", "America/Chicago", from: "2025-11-01T03:00:00-05:00",
            ["2025-11-02T02:30:00-06:00", "2025-11-03T02:30:00-06:00"]),
        Runs(
            "Chicago spring, 01:30 before the gap", "30 1 * * *", "America/Chicago", from: "2025-03-08T02:00:00-06:00",
            ["2025-03-09T01:30:00-06:00", "2025-03-10T01:30:00-05:00"]),
        // A repeated time runs once, at its first occurrence (CDT), not again an hour later.
        Runs(
            "Chicago fall, repeated time", "30 1 * * *", "America/Chicago", from: "2025-11-01T02:00:00-05:00",
            ["2025-11-02T01:30:00-05:00", "2025-11-03T01:30:00-06:00"]),
        Runs(
            "Chicago fall, from inside the second 01:00 hour", "30 1 * * *", "America/Chicago",
            from: "2025-11-02T01:10:00-06:00", ["2025-11-03T01:30:00-06:00"]),
        Runs(
            "Chicago spring, shorthand", "05:00", "America/Chicago", from: "2025-03-08T05:00:00-06:00",
            ["2025-03-09T05:00:00-05:00", "2025-03-10T05:00:00-05:00"]),
        Runs(
            "Chicago fall, shorthand", "05:00", "America/Chicago", from: "2025-11-01T05:00:00-05:00",
            ["2025-11-02T05:00:00-06:00", "2025-11-03T05:00:00-06:00"]),
        // 02:00 and 02:30 do not exist; both collapse into the one run at 03:00.
        Runs(
            "Chicago spring, every 30 minutes", "*/30 * * * *", "America/Chicago", from: "2025-03-09T00:45:00-06:00",
            ["2025-03-09T01:00:00-06:00", "2025-03-09T01:30:00-06:00", "2025-03-09T03:00:00-05:00",
             "2025-03-09T03:30:00-05:00"]),
        // 01:00 and 01:30 run in CDT only; the repeated hour in CST is skipped.
        Runs(
            "Chicago fall, every 30 minutes", "*/30 * * * *", "America/Chicago", from: "2025-11-02T00:45:00-05:00",
            ["2025-11-02T01:00:00-05:00", "2025-11-02T01:30:00-05:00", "2025-11-02T02:00:00-06:00",
             "2025-11-02T02:30:00-06:00"]),
        Runs(
            "Chicago spring, hourly", "@hourly", "America/Chicago", from: "2025-03-09T00:30:00-06:00",
            ["2025-03-09T01:00:00-06:00", "2025-03-09T03:00:00-05:00", "2025-03-09T04:00:00-05:00"]),
        Runs(
            "Chicago fall, hourly", "0 * * * *", "America/Chicago", from: "2025-11-02T00:30:00-05:00",
            ["2025-11-02T01:00:00-05:00", "2025-11-02T02:00:00-06:00", "2025-11-02T03:00:00-06:00"]),
        Runs(
            "Chicago spring, every minute across the gap", "* * * * *", "America/Chicago",
            from: "2025-03-09T01:58:00-06:00",
            ["2025-03-09T01:59:00-06:00", "2025-03-09T03:00:00-05:00", "2025-03-09T03:01:00-05:00"]),
        Runs(
            "Chicago fall, every minute across the repeat", "* * * * *", "America/Chicago",
            from: "2025-11-02T01:58:00-05:00",
            ["2025-11-02T01:59:00-05:00", "2025-11-02T02:00:00-06:00", "2025-11-02T02:01:00-06:00"]),

        Runs(
            "New York spring, skipped time", "30 2 * * *", "America/New_York", from: "2025-03-08T03:00:00-05:00",
            ["2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00"]),
        Runs(
            "New York fall, 02:30 happens once", "30 2 * * *", "America/New_York", from: "2025-11-01T03:00:00-04:00",
            ["2025-11-02T02:30:00-05:00", "2025-11-03T02:30:00-05:00"]),
        Runs(
            "New York spring, 01:30 before the gap", "30 1 * * *", "America/New_York", from: "2025-03-08T02:00:00-05:00",
            ["2025-03-09T01:30:00-05:00", "2025-03-10T01:30:00-04:00"]),
        Runs(
            "New York fall, repeated time", "30 1 * * *", "America/New_York", from: "2025-11-01T02:00:00-04:00",
            ["2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"]),
        Runs(
            "New York spring, shorthand", "05:00", "America/New_York", from: "2025-03-08T05:00:00-05:00",
            ["2025-03-09T05:00:00-04:00", "2025-03-10T05:00:00-04:00"]),
        Runs(
            "New York fall, shorthand", "05:00", "America/New_York", from: "2025-11-01T05:00:00-04:00",
            ["2025-11-02T05:00:00-05:00", "2025-11-03T05:00:00-05:00"]),
        Runs(
            "New York spring, every 30 minutes", "*/30 * * * *", "America/New_York", from: "2025-03-09T00:45:00-05:00",
            ["2025-03-09T01:00:00-05:00", "2025-03-09T01:30:00-05:00", "2025-03-09T03:00:00-04:00",
             "2025-03-09T03:30:00-04:00"]),
        Runs(
            "New York fall, every 30 minutes", "*/30 * * * *", "America/New_York", from: "2025-11-02T00:45:00-04:00",
            ["2025-11-02T01:00:00-04:00", "2025-11-02T01:30:00-04:00", "2025-11-02T02:00:00-05:00",
             "2025-11-02T02:30:00-05:00"]),

        // Other shapes of transition: London changes at 01:00, Santiago at midnight.
        Runs(
            "London spring", "30 1 * * *", "Europe/London", from: "2025-03-29T02:00:00+00:00",
            ["2025-03-30T02:00:00+01:00", "2025-03-31T01:30:00+01:00"]),
        Runs(
            "London fall", "30 1 * * *", "Europe/London", from: "2025-10-25T02:00:00+01:00",
            ["2025-10-26T01:30:00+01:00", "2025-10-27T01:30:00+00:00"]),
        Runs(
            "Santiago spring, midnight does not exist", "@daily", "America/Santiago", from: "2025-09-06T12:00:00-04:00",
            ["2025-09-07T01:00:00-03:00", "2025-09-08T00:00:00-03:00"]),
    ]

    static let calendar: [Runs] = [
        Runs(
            "the 31st skips short months", "0 0 31 * *", from: "2025-01-31T00:00:00Z",
            ["2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-31T00:00:00Z",
             "2025-10-31T00:00:00Z", "2025-12-31T00:00:00Z", "2026-01-31T00:00:00Z"]),
        Runs(
            "the 30th skips February", "0 6 30 * *", from: "2025-01-30T06:00:00Z",
            ["2025-03-30T06:00:00Z", "2025-04-30T06:00:00Z"]),
        Runs(
            "February 29 waits for leap years", "0 0 29 2 *", from: "2025-01-01T00:00:00Z",
            ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
        Runs(
            "2100 is not a leap year", "0 0 29 2 *", from: "2096-03-01T00:00:00Z", ["2104-02-29T00:00:00Z"]),
        Runs(
            "last days of February in a leap year", "0 0 28-31 2 *", from: "2028-02-27T00:00:00Z",
            ["2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z"]),
        Runs(
            "year end", "59 23 31 12 *", from: "2025-06-01T00:00:00Z",
            ["2025-12-31T23:59:00Z", "2026-12-31T23:59:00Z"]),

        // Vixie: both day fields restricted, so the 1st OR Mondays (2025-09-01 is a Monday).
        Runs(
            "day-of-month or day-of-week", "0 12 1 * MON", from: "2025-08-31T12:00:00Z",
            ["2025-09-01T12:00:00Z", "2025-09-08T12:00:00Z", "2025-09-15T12:00:00Z", "2025-09-22T12:00:00Z",
             "2025-09-29T12:00:00Z", "2025-10-01T12:00:00Z", "2025-10-06T12:00:00Z"]),
        Runs(
            "day-of-week unrestricted: day-of-month only", "0 12 1 * *", from: "2025-08-31T12:00:00Z",
            ["2025-09-01T12:00:00Z", "2025-10-01T12:00:00Z"]),
        Runs(
            "day-of-month unrestricted: day-of-week only", "0 12 * * MON", from: "2025-08-31T12:00:00Z",
            ["2025-09-01T12:00:00Z", "2025-09-08T12:00:00Z"]),
        Runs(
            "a stepped day-of-month counts as restricted", "0 0 */10 * SUN", from: "2025-09-30T00:00:00Z",
            ["2025-10-01T00:00:00Z", "2025-10-05T00:00:00Z", "2025-10-11T00:00:00Z", "2025-10-12T00:00:00Z",
             "2025-10-19T00:00:00Z", "2025-10-21T00:00:00Z", "2025-10-26T00:00:00Z", "2025-10-31T00:00:00Z"]),

        // Names, ranges, steps, macros.
        Runs("7 is Sunday", "0 0 * * 7", from: "2025-09-01T00:00:00Z", ["2025-09-07T00:00:00Z", "2025-09-14T00:00:00Z"]),
        Runs("0 is Sunday", "0 0 * * 0", from: "2025-09-01T00:00:00Z", ["2025-09-07T00:00:00Z", "2025-09-14T00:00:00Z"]),
        Runs("day name, any case", "0 0 * * sun", from: "2025-09-01T00:00:00Z", ["2025-09-07T00:00:00Z"]),
        Runs(
            "range ending in 7", "0 0 * * 5-7", from: "2025-09-01T00:00:00Z",
            ["2025-09-05T00:00:00Z", "2025-09-06T00:00:00Z", "2025-09-07T00:00:00Z", "2025-09-12T00:00:00Z"]),
        Runs(
            "weekdays by name", "0 9 * * mon-FRI", from: "2025-09-05T10:00:00Z",
            ["2025-09-08T09:00:00Z", "2025-09-09T09:00:00Z"]),
        Runs(
            "month names", "0 0 1 jan,Jul *", from: "2025-09-01T00:00:00Z",
            ["2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z"]),
        Runs(
            "stepped range", "1-10/2 * * * *", from: "2025-09-01T00:00:00Z",
            ["2025-09-01T00:01:00Z", "2025-09-01T00:03:00Z", "2025-09-01T00:05:00Z", "2025-09-01T00:07:00Z",
             "2025-09-01T00:09:00Z", "2025-09-01T01:01:00Z"]),
        Runs(
            "start and step", "5/20 * * * *", from: "2025-09-01T00:00:00Z",
            ["2025-09-01T00:05:00Z", "2025-09-01T00:25:00Z", "2025-09-01T00:45:00Z", "2025-09-01T01:05:00Z"]),
        Runs(
            "every six hours", "0 */6 * * *", from: "2025-09-01T00:00:00Z",
            ["2025-09-01T06:00:00Z", "2025-09-01T12:00:00Z", "2025-09-01T18:00:00Z", "2025-09-02T00:00:00Z"]),
        Runs(
            "list of ranges", "0 8-9,17-18 * * *", from: "2025-09-01T00:00:00Z",
            ["2025-09-01T08:00:00Z", "2025-09-01T09:00:00Z", "2025-09-01T17:00:00Z", "2025-09-01T18:00:00Z"]),
        Runs(
            "extra whitespace", "  0\t5  * * *  ", from: "2025-09-01T00:00:00Z", ["2025-09-01T05:00:00Z"]),
        Runs("trailing newline (YAML block scalar)", "0 5 * * *\n", from: "2025-09-01T00:00:00Z", ["2025-09-01T05:00:00Z"]),
        Runs("shorthand with a trailing newline", "05:00\n", from: "2025-09-01T00:00:00Z", ["2025-09-01T05:00:00Z"]),
        Runs("@yearly", "@yearly", from: "2025-09-01T00:00:00Z", ["2026-01-01T00:00:00Z"]),
        Runs("@annually", "@annually", from: "2025-09-01T00:00:00Z", ["2026-01-01T00:00:00Z"]),
        Runs("@monthly", "@monthly", from: "2025-09-01T00:00:00Z", ["2025-10-01T00:00:00Z"]),
        Runs("@weekly", "@weekly", from: "2025-09-01T00:00:00Z", ["2025-09-07T00:00:00Z"]),
        Runs("@daily", "@daily", from: "2025-09-01T00:00:00Z", ["2025-09-02T00:00:00Z"]),
        Runs("@midnight", "@MIDNIGHT", from: "2025-09-01T00:00:00Z", ["2025-09-02T00:00:00Z"]),
        Runs("@hourly", "@hourly", from: "2025-09-01T00:00:00Z", ["2025-09-01T01:00:00Z"]),
        Runs("shorthand", "17:45", from: "2025-09-01T00:00:00Z", ["2025-09-01T17:45:00Z", "2025-09-02T17:45:00Z"]),
        Runs("one-digit shorthand", "5:00", from: "2025-09-01T00:00:00Z", ["2025-09-01T05:00:00Z"]),

        // "Strictly after".
        Runs("at a run time, the next one", "0 5 * * *", from: "2025-09-01T05:00:00Z", ["2025-09-02T05:00:00Z"]),
        Runs("every minute from mid-minute", "* * * * *", from: "2025-09-01T05:00:30Z", ["2025-09-01T05:01:00Z"]),
        Runs("before 1970", "0 0 1 1 *", from: "1969-06-01T00:00:00Z", ["1970-01-01T00:00:00Z", "1971-01-01T00:00:00Z"]),
        Runs(
            "half-hour zone", "30 9 * * *", "Asia/Kolkata", from: "2025-09-01T00:00:00+05:30",
            ["2025-09-01T09:30:00+05:30"]),
    ]

    @Test(arguments: daylightSaving + calendar)
    func nextRuns(_ c: Runs) throws {
        let schedule = try CronSchedule(parsing: c.expression)
        let zone = try #require(TimeZone(identifier: c.zone))
        var after = try Date(c.start, strategy: .iso8601)
        var runs = [String]()
        for _ in c.runs {
            guard let run = schedule.nextRun(after: after, in: zone) else { break }
            runs.append(Self.show(run, zone))
            after = run
        }
        #expect(runs == (try c.runs.map { Self.show(try Date($0, strategy: .iso8601), zone) }))
    }

    @Test func fractionalSecondsBeforeARun() throws {
        let schedule = try CronSchedule(parsing: "0 5 * * *")
        let utc = try #require(TimeZone(identifier: "UTC"))
        let justBefore = try Date("2025-09-01T05:00:00Z", strategy: .iso8601).addingTimeInterval(-0.5)
        let justAfter = justBefore.addingTimeInterval(1)
        #expect(schedule.nextRun(after: justBefore, in: utc) == (try Date("2025-09-01T05:00:00Z", strategy: .iso8601)))
        #expect(schedule.nextRun(after: justAfter, in: utc) == (try Date("2025-09-02T05:00:00Z", strategy: .iso8601)))
    }

    @Test(arguments: ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2 *"])
    func neverRuns(_ expression: String) throws {
        let schedule = try CronSchedule(parsing: expression)
        let zone = try #require(TimeZone(identifier: "America/Chicago"))
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: 1_750_000_000), in: zone) == nil)
    }

    @Test func nonFiniteDatesHaveNoNextRun() throws {
        let schedule = try CronSchedule(parsing: "* * * * *")
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: .infinity), in: utc) == nil)
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: .nan), in: utc) == nil)
    }

    // MARK: Agreement with Calendar

    /// For a single daily time, `Calendar.nextDate` with `.nextTime` (and `.first` for repeated
    /// times) is the reference for the DST rules.
    @Test(arguments: ["America/Chicago", "America/New_York"], [(2, 0), (2, 30), (2, 59), (1, 0), (1, 30), (1, 59), (3, 0)])
    func agreesWithCalendarNextTime(zoneName: String, time: (hour: Int, minute: Int)) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let schedule = try CronSchedule(parsing: "\(time.minute) \(time.hour) * * *")
        for start in ["2025-03-08T12:00:00Z", "2025-11-01T12:00:00Z"] {
            var after = try Date(start, strategy: .iso8601)
            for _ in 0..<3 {
                let expected = calendar.nextDate(
                    after: after, matching: DateComponents(hour: time.hour, minute: time.minute),
                    matchingPolicy: .nextTime, repeatedTimePolicy: .first)
                let actual = schedule.nextRun(after: after, in: zone)
                #expect(actual.map { Self.show($0, zone) } == expected.map { Self.show($0, zone) })
                guard let actual else { break }
                after = actual
            }
        }
    }

    // MARK: Agreement with a minute-by-minute search

    struct BruteForce: CustomTestStringConvertible, Sendable {
        let expression: String
        let matches: @Sendable (_ minute: Int, _ hour: Int, _ day: Int, _ month: Int, _ weekday: Int) -> Bool
        var testDescription: String { expression }
    }

    /// `weekday` is 0 for Sunday.
    static let bruteForce: [BruteForce] = [
        BruteForce(expression: "*/15 9-17 * * 1-5") { m, h, _, _, w in m % 15 == 0 && (9...17).contains(h) && (1...5).contains(w) },
        BruteForce(expression: "0 0 1,15 * SUN") { m, h, d, _, w in m == 0 && h == 0 && (d == 1 || d == 15 || w == 0) },
        BruteForce(expression: "30 */5 * FEB,AUG *") { m, h, _, mo, _ in m == 30 && h % 5 == 0 && (mo == 2 || mo == 8) },
        BruteForce(expression: "0-5,58 23 28-31 * *") { m, h, d, _, _ in ((0...5).contains(m) || m == 58) && h == 23 && d >= 28 },
        BruteForce(expression: "7 7 * * 6,0") { m, h, _, _, w in m == 7 && h == 7 && (w == 6 || w == 0) },
        BruteForce(expression: "0 12 13 * FRI") { m, h, d, _, w in m == 0 && h == 12 && (d == 13 || w == 5) },
    ]

    /// Zones without DST now, where wall-clock minutes and instants correspond one to one.
    @Test(arguments: bruteForce, ["UTC", "Asia/Kolkata", "Asia/Kathmandu"])
    func agreesWithMinuteByMinuteSearch(_ c: BruteForce, zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let schedule = try CronSchedule(parsing: c.expression)
        var after = try Date("2025-01-01T00:00:00Z", strategy: .iso8601)
        for _ in 0..<12 {
            var candidate = Date(timeIntervalSince1970: (after.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
            while true {
                let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: candidate)
                if c.matches(
                    parts.minute ?? -1, parts.hour ?? -1, parts.day ?? -1, parts.month ?? -1, (parts.weekday ?? 0) - 1)
                {
                    break
                }
                candidate += 60
            }
            let actual = try #require(schedule.nextRun(after: after, in: zone))
            #expect(Self.show(actual, zone) == Self.show(candidate, zone))
            after = candidate
        }
    }

    // MARK: Value semantics and Codable

    @Test func equalityIsOnTheExpressionAsWritten() throws {
        let shorthand = try CronSchedule(parsing: "05:00")
        let cron = try CronSchedule(parsing: "0 5 * * *")
        #expect(shorthand != cron)
        #expect(shorthand == (try CronSchedule(parsing: "05:00")))
        #expect(shorthand.description == "05:00")
        #expect(shorthand.expression == "05:00")
        let zone = try #require(TimeZone(identifier: "America/Chicago"))
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(shorthand.nextRun(after: now, in: zone) == cron.nextRun(after: now, in: zone))
    }

    struct Spec: Codable, Equatable {
        var schedule: CronSchedule
    }

    @Test(arguments: ["0 5 * * *", "05:00", "@daily", "*/15 9-17 * * MON-FRI"])
    func roundTripsThroughJSON(_ expression: String) throws {
        let json = #"{"schedule":"\#(expression)"}"#
        let spec = try JSONDecoder().decode(Spec.self, from: Data(json.utf8))
        #expect(spec.schedule.expression == expression)
        let encoded = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        #expect(encoded == #"{"schedule":"\#(expression.replacingOccurrences(of: "/", with: "\\/"))"}"#)
        #expect(try JSONDecoder().decode(Spec.self, from: Data(encoded.utf8)) == spec)
    }

    @Test func badExpressionIsDataCorruptedWithTheMessage() {
        do {
            _ = try JSONDecoder().decode(Spec.self, from: Data(#"{"schedule": "0 25 * * *"}"#.utf8))
            Issue.record("decoded a bad schedule")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == #"invalid cron expression "0 25 * * *": hour 25 is out of range 0-23"#)
            #expect(context.codingPath.map(\.stringValue) == ["schedule"])
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    // MARK: Helpers

    /// "2025-03-09T03:00:00-0500": the wall-clock time and offset in `zone`.
    static func show(_ date: Date, _ zone: TimeZone) -> String {
        Date.ISO8601FormatStyle(timeZone: zone).format(date)
    }
}
