import Foundation
import Model
import Testing

@testable import Planner

/// Times are written with their UTC offset, so that DST cases read as the wall clock shows them:
/// "2025-03-09T03:00:00-05:00" is 03:00 CDT in Chicago.
func time(_ text: String) -> Date {
    guard let date = RFC3339.date(from: text) else {
        Issue.record("not an RFC 3339 time: \(text)")
        return Date(timeIntervalSince1970: 0)
    }
    return date
}

/// A schedule as a Directive would have it; the arguments are the test's own, so they parse.
struct ScheduleSpec: Sendable {
    let cron: String
    let zone: String
    let catchUp: Directive.CatchUp

    func make() throws -> DirectiveSchedule {
        DirectiveSchedule(cron: try CronSchedule(parsing: cron), timeZone: try TimeZoneID(parsing: zone).timeZone, catchUp: catchUp)
    }
}

func schedule(_ cron: String, _ zone: String = "America/Chicago", catchUp: Directive.CatchUp = .none) -> ScheduleSpec {
    ScheduleSpec(cron: cron, zone: zone, catchUp: catchUp)
}

@Suite("Directive schedule", .tags(.unit))
struct DirectiveScheduleTests {
    struct DueCase: CustomTestStringConvertible, Sendable {
        let name: String
        let schedule: ScheduleSpec
        let last: String
        let now: String
        let runs: [String]
        let skipped: Int
        var skippedAtLeast = false
        var testDescription: String { name }
    }

    static let dueCases: [DueCase] = [
        DueCase(name: "daily 05:00 Chicago, found 30 s late: on time", schedule: schedule("05:00"),
                last: "2026-11-25T05:00:00-06:00", now: "2026-11-26T05:00:30-06:00", runs: ["2026-11-26T05:00:00-06:00"], skipped: 0),
        DueCase(name: "not due yet", schedule: schedule("05:00"),
                last: "2026-11-25T05:00:00-06:00", now: "2026-11-26T04:59:59-06:00", runs: [], skipped: 0),
        DueCase(name: "exactly at the scheduled second", schedule: schedule("05:00"),
                last: "2026-11-25T05:00:00-06:00", now: "2026-11-26T05:00:00-06:00", runs: ["2026-11-26T05:00:00-06:00"], skipped: 0),
        DueCase(name: "catchUp none: 119 s late is still on time", schedule: schedule("05:00"),
                last: "2026-11-25T05:00:00-06:00", now: "2026-11-26T05:01:59-06:00", runs: ["2026-11-26T05:00:00-06:00"], skipped: 0),
        DueCase(name: "catchUp none: 2 minutes late is missed", schedule: schedule("05:00"),
                last: "2026-11-25T05:00:00-06:00", now: "2026-11-26T05:02:00-06:00", runs: [], skipped: 1),
        DueCase(name: "catchUp none: down 4 days, all skipped", schedule: schedule("05:00"),
                last: "2026-11-22T05:00:00-06:00", now: "2026-11-26T09:00:00-06:00", runs: [], skipped: 4),
        DueCase(name: "catchUp latest: down 4 days, the last one runs", schedule: schedule("05:00", catchUp: .latest),
                last: "2026-11-22T05:00:00-06:00", now: "2026-11-26T09:00:00-06:00", runs: ["2026-11-26T05:00:00-06:00"], skipped: 3),
        DueCase(name: "catchUp all: down 4 days, all four run, oldest first", schedule: schedule("05:00", catchUp: .all),
                last: "2026-11-22T05:00:00-06:00", now: "2026-11-26T09:00:00-06:00",
                runs: ["2026-11-23T05:00:00-06:00", "2026-11-24T05:00:00-06:00", "2026-11-25T05:00:00-06:00", "2026-11-26T05:00:00-06:00"], skipped: 0),
        DueCase(name: "catchUp none: a run on time and older ones missed", schedule: schedule("05:00"),
                last: "2026-11-23T05:00:00-06:00", now: "2026-11-26T05:00:10-06:00", runs: ["2026-11-26T05:00:00-06:00"], skipped: 2),
        DueCase(name: "catchUp none: every minute, 90 s late, both on-time runs start", schedule: schedule("* * * * *"),
                last: "2026-11-26T04:59:00-06:00", now: "2026-11-26T05:01:30-06:00",
                runs: ["2026-11-26T05:00:00-06:00", "2026-11-26T05:01:00-06:00"], skipped: 0),
        DueCase(name: "spring forward: 02:30 on 9 March 2025 runs once, at 03:00 CDT", schedule: schedule("30 2 * * *", catchUp: .all),
                last: "2025-03-08T02:30:00-06:00", now: "2025-03-10T12:00:00-05:00",
                runs: ["2025-03-09T03:00:00-05:00", "2025-03-10T02:30:00-05:00"], skipped: 0),
        DueCase(name: "spring forward: every 30 minutes, 02:00 and 02:30 collapse into 03:00", schedule: schedule("*/30 * * * *", catchUp: .all),
                last: "2025-03-09T01:30:00-06:00", now: "2025-03-09T03:45:00-05:00",
                runs: ["2025-03-09T03:00:00-05:00", "2025-03-09T03:30:00-05:00"], skipped: 0),
        DueCase(name: "fall back: 01:30 on 2 November 2025 runs once, at the first 01:30 (CDT)", schedule: schedule("30 1 * * *", catchUp: .all),
                last: "2025-11-01T01:30:00-05:00", now: "2025-11-02T12:00:00-06:00", runs: ["2025-11-02T01:30:00-05:00"], skipped: 0),
        DueCase(name: "fall back: found during the repeated hour, it does not run again", schedule: schedule("30 1 * * *", catchUp: .all),
                last: "2025-11-02T01:30:00-05:00", now: "2025-11-02T01:45:00-06:00", runs: [], skipped: 0),
        DueCase(name: "month ends: the 31st skips the months without one", schedule: schedule("0 0 31 * *", "UTC", catchUp: .all),
                last: "2026-01-31T00:00:00Z", now: "2026-06-01T00:00:00Z", runs: ["2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"], skipped: 0),
        DueCase(name: "month ends: the 1st at midnight in Chicago is 06:00 UTC", schedule: schedule("0 0 1 * *", catchUp: .all),
                last: "2026-10-01T00:00:00-05:00", now: "2026-12-01T00:00:30-06:00",
                runs: ["2026-11-01T00:00:00-05:00", "2026-12-01T00:00:00-06:00"], skipped: 0),
        DueCase(name: "leap day: 29 February only in leap years", schedule: schedule("0 12 29 2 *", "UTC", catchUp: .all),
                last: "2024-03-01T00:00:00Z", now: "2028-03-01T00:00:00Z", runs: ["2028-02-29T12:00:00Z"], skipped: 0),
        DueCase(name: "half-hour zone: 05:00 in Kolkata is 23:30 UTC the day before", schedule: schedule("05:00", "Asia/Kolkata"),
                last: "2026-11-25T05:00:00+05:30", now: "2026-11-25T23:30:05Z", runs: ["2026-11-26T05:00:00+05:30"], skipped: 0),
        DueCase(name: "catchUp all is bounded: every minute after two days down", schedule: schedule("* * * * *", "UTC", catchUp: .all),
                last: "2026-11-24T00:00:00Z", now: "2026-11-26T00:00:00Z",
                runs: (0..<100).reversed().map { RFC3339.string(from: time("2026-11-26T00:00:00Z").addingTimeInterval(Double(-60 * $0))) },
                skipped: 2_780),
        DueCase(name: "catchUp latest after a year down: found without walking every minute", schedule: schedule("* * * * *", "UTC", catchUp: .latest),
                last: "2025-11-26T00:00:00Z", now: "2026-11-26T00:00:00Z", runs: ["2026-11-26T00:00:00Z"], skipped: 2_059, skippedAtLeast: true),
        DueCase(name: "now before last: nothing", schedule: schedule("05:00", catchUp: .all),
                last: "2026-11-26T05:00:00-06:00", now: "2026-11-26T04:00:00-06:00", runs: [], skipped: 0),
    ]

    @Test(arguments: dueCases)
    func due(_ example: DueCase) throws {
        let due = try example.schedule.make().due(after: time(example.last), now: time(example.now))
        #expect(due.runs == example.runs.map(time))
        #expect(due.skipped == example.skipped)
        #expect(due.skippedAtLeast == example.skippedAtLeast)
    }

    struct DeadlineCase: CustomTestStringConvertible, Sendable {
        let name: String
        let zone: String
        let run: String
        let finishBefore: String
        let deadline: String
        var testDescription: String { name }
    }

    static let deadlineCases: [DeadlineCase] = [
        DeadlineCase(name: "later the same day", zone: "America/Chicago", run: "2026-11-26T05:00:00-06:00", finishBefore: "06:00", deadline: "2026-11-26T06:00:00-06:00"),
        DeadlineCase(name: "earlier than the run: the next morning", zone: "America/Chicago", run: "2026-11-26T23:00:00-06:00", finishBefore: "01:00", deadline: "2026-11-27T01:00:00-06:00"),
        DeadlineCase(name: "the run's own time: a day later", zone: "America/Chicago", run: "2026-11-26T05:00:00-06:00", finishBefore: "05:00", deadline: "2026-11-27T05:00:00-06:00"),
        DeadlineCase(name: "a manual run after the deadline's time: tomorrow", zone: "America/Chicago", run: "2026-11-26T14:07:12-06:00", finishBefore: "06:00", deadline: "2026-11-27T06:00:00-06:00"),
        DeadlineCase(name: "in the spring-forward gap: the end of the gap", zone: "America/Chicago", run: "2025-03-09T01:00:00-06:00", finishBefore: "02:30", deadline: "2025-03-09T03:00:00-05:00"),
        DeadlineCase(name: "across the fall-back: the first 01:30", zone: "America/Chicago", run: "2025-11-02T00:30:00-05:00", finishBefore: "01:30", deadline: "2025-11-02T01:30:00-05:00"),
        DeadlineCase(name: "across a month end", zone: "UTC", run: "2026-11-30T22:00:00Z", finishBefore: "02:00", deadline: "2026-12-01T02:00:00Z"),
    ]

    @Test(arguments: deadlineCases)
    func sloDeadline(_ example: DeadlineCase) throws {
        let zoned = try schedule("0 0 * * *", example.zone).make()
        let finishBefore = try ClockTime(parsing: example.finishBefore)
        #expect(zoned.sloDeadline(forRunAt: time(example.run), finishBefore: finishBefore) == time(example.deadline))
    }

    @Test func localTimesForPeople() throws {
        let chicago = try schedule("05:00").make()
        #expect(chicago.localDateTime(time("2026-11-26T11:00:00Z")) == "2026-11-26 05:00 CST")
        #expect(chicago.localDateTime(time("2026-07-04T10:00:12Z")) == "2026-07-04 05:00:12 CDT")
        #expect(try schedule("05:00", "UTC").make().localTime(time("2026-11-26T05:00:00Z")) == "05:00 UTC")
        #expect(try schedule("05:00", "Asia/Kolkata").make().localDateTime(time("2026-11-25T23:30:00Z")) == "2026-11-26 05:00 UTC+05:30")
    }

    @Test func nextRun() throws {
        #expect(try schedule("05:00").make().nextRun(after: time("2026-11-26T05:00:00-06:00")) == time("2026-11-27T05:00:00-06:00"))
    }
}

@Suite("Directive Job names", .tags(.unit))
struct DirectiveNamingTests {
    @Test func runIDsAreUTCAndRoundTrip() {
        let scheduled = DirectiveNaming.runID(time("2026-11-26T05:00:00-06:00"), trigger: .schedule)
        #expect(scheduled == "20261126-1100")
        let manual = DirectiveNaming.runID(time("2026-11-26T05:07:12-06:00"), trigger: .manual)
        #expect(manual == "20261126-110712")
        #expect(DirectiveNaming.runTime(fromID: scheduled).map { $0.0 } == time("2026-11-26T11:00:00Z"))
        #expect(DirectiveNaming.runTime(fromID: scheduled).map { $0.1 } == .schedule)
        #expect(DirectiveNaming.runTime(fromID: manual).map { $0.1 } == .manual)
        for invalid in ["", "2026-1100", "20261126-11", "20261326-1100", "20261126-2500", "2026112a-1100", "20261126-1100-1", "20260231-1100"] {
            #expect(DirectiveNaming.runTime(fromID: invalid) == nil, "\(invalid)")
        }
    }

    @Test func jobNamesReadAsDirectiveRunJobAttempt() {
        #expect(DirectiveNaming.jobName(directive: "daily-power-dispatch", runID: "20261126-1100", jobID: "power-tx", attempt: 1)
                == "daily-power-dispatch-20261126-1100-power-tx-1")
    }

    @Test func longNamesAreCutWithAHash() {
        let directive = String(repeating: "a", count: 50)
        let first = DirectiveNaming.jobName(directive: directive, runID: "20261126-1100", jobID: "job-one", attempt: 1)
        let second = DirectiveNaming.jobName(directive: directive, runID: "20261126-1100", jobID: "job-one", attempt: 2)
        #expect(first.count == 63)
        #expect(Names.dns1123LabelProblem(first) == nil)
        #expect(first != second)
        #expect(first == DirectiveNaming.jobName(directive: directive, runID: "20261126-1100", jobID: "job-one", attempt: 1))
        #expect(first.hasSuffix("-20261126-1100-job-one-1"))
        #expect(first.hasPrefix(String(repeating: "a", count: 20)))
    }

    @Test func dotsNeverMakeTwoDirectivesShareAName() {
        let dotted = DirectiveNaming.jobName(directive: "power.dispatch", runID: "20261126-1100", jobID: "tx", attempt: 1)
        let dashed = DirectiveNaming.jobName(directive: "power-dispatch", runID: "20261126-1100", jobID: "tx", attempt: 1)
        #expect(Names.dns1123LabelProblem(dotted) == nil)
        #expect(dashed == "power-dispatch-20261126-1100-tx-1")
        #expect(dotted != dashed)
    }

    @Test func labelValuesStayWithin63() {
        let long = String(repeating: "b", count: 80)
        #expect(DirectiveNaming.labelValue(long).count <= 63)
        #expect(Names.labelValueProblem(DirectiveNaming.labelValue(long)) == nil)
        #expect(DirectiveNaming.labelValue("daily-power-dispatch") == "daily-power-dispatch")
    }
}
