import Foundation
import JSON
import Model
import Testing

@testable import Planner

/// The power dispatch of the examples, in small: three jobs daily at 05:00 Chicago, done by 06:00.
let dispatchYAML = """
    apiVersion: ops.hms.gov/v1alpha1
    kind: Directive
    metadata: {name: dispatch, namespace: power, labels: {program: power}}
    spec:
      schedule: "05:00"
      timeZone: America/Chicago
      template: {image: registry.gov/power-worker:2.1, command: [dispatch], resources: {cpu: "1", memory: 1Gi}}
      jobs:
      - {id: tx, payload: {region: TX, megawatts: 400}}
      - {id: ok, payload: {region: OK}}
      - {id: ar}
      retry: {maxAttempts: 3, backoffSeconds: 30, backoffMultiplier: 2}
      maxRuntimeSeconds: 1800
      slo: {finishBefore: "06:00"}
      catchUp: latest
    """

/// The Directive, stored a month ago, that last ran yesterday at 05:00.
func dispatch(_ yaml: String = dispatchYAML, lastRun: String? = "2026-11-25T05:00:00-06:00", created: String = "2026-11-01T00:00:00Z") throws -> Directive {
    var directive = try #require(desired(yaml).directives.first)
    directive.metadata.creationTimestamp = created
    directive.metadata.uid = "uid-dispatch"
    if let lastRun { directive.status = Directive.Status(lastScheduleTime: RFC3339.string(from: time(lastRun))) }
    return directive
}

let today = "20261126-1100"

/// A Job of the dispatch as the observer would read it.
func job(_ jobID: String, run: String = today, attempt: Int = 1, _ phase: ObservedJob.Phase,
         started: String? = nil, finished: String? = nil, message: String? = nil) -> ObservedJob {
    let (runTime, trigger) = DirectiveNaming.runTime(fromID: run) ?? (Date(timeIntervalSince1970: 0), .schedule)
    return ObservedJob(
        namespace: "power", name: DirectiveNaming.jobName(directive: "dispatch", runID: run, jobID: jobID, attempt: attempt),
        directive: "dispatch", runID: run, jobID: jobID, attempt: attempt, scheduledTime: runTime, trigger: trigger,
        startTime: started.map(time), finishTime: finished.map(time), phase: phase, message: message)
}

/// One pass: the evaluation, and the report with every start allowed.
func pass(_ directive: Directive, _ jobs: [ObservedJob] = [], at now: String) -> (DirectiveEvaluation, DirectiveReport) {
    let evaluation = DirectiveRuns.evaluate(directive, jobs: jobs, now: time(now))
    return (evaluation, DirectiveReport(directive, evaluation, judged: [:]))
}

/// The Directive as the next pass reads it: with the status the last pass wrote.
func recorded(_ directive: Directive, _ report: DirectiveReport) -> Directive {
    var next = directive
    next.status = report.status
    return next
}

@Suite("Directive runs", .tags(.unit))
struct DirectiveRunsTests {
    @Test func aDueRunStartsEveryJob() throws {
        let (evaluation, report) = pass(try dispatch(), at: "2026-11-26T05:00:20-06:00")
        #expect(evaluation.starts.map(\.jobName) == ["dispatch-20261126-1100-tx-1", "dispatch-20261126-1100-ok-1", "dispatch-20261126-1100-ar-1"])
        #expect(evaluation.starts.map(\.reason) == Array(repeating: "scheduled run 2026-11-26 05:00 CST", count: 3))
        #expect(report.status.lastScheduleTime == "2026-11-26T11:00:00Z")
        #expect(report.status.nextRunTime == "2026-11-27T11:00:00Z")
        let run = try #require(report.status.runs?.first)
        #expect(run.date == "2026-11-26")
        #expect(run.trigger == .schedule)
        #expect(run.sloDeadline == "2026-11-26T12:00:00Z")
        #expect(run.sloOk == nil)
        #expect(run.jobs.map(\.state) == [.pending, .pending, .pending])
        #expect(run.jobs.map(\.attempts) == [1, 1, 1])
        #expect(report.incidents.isEmpty)
    }

    @Test func theNextPassSeesTheJobsAndStartsNothingTwice() throws {
        let first = pass(try dispatch(), at: "2026-11-26T05:00:20-06:00")
        let running = ["tx", "ok", "ar"].map { job($0, .active, started: "2026-11-26T05:00:21-06:00") }
        let (evaluation, report) = pass(recorded(try dispatch(), first.1), running, at: "2026-11-26T05:00:40-06:00")
        #expect(evaluation.starts.isEmpty)
        #expect(report.status.runs?.first?.jobs.map(\.state) == [.running, .running, .running])
        #expect(report.status.runs?.count == 1)
    }

    @Test func aPassThatStoppedHalfwayIsFinishedWithoutDuplicates() throws {
        // The status was never written; two of the three Jobs were created. catchUp none would skip
        // a run found 10 minutes late, but this one had started.
        let directive = try dispatch(dispatchYAML.replacingOccurrences(of: "catchUp: latest", with: "catchUp: none"))
        let created = ["tx", "ok"].map { job($0, .active, started: "2026-11-26T05:00:21-06:00") }
        let (evaluation, report) = pass(directive, created, at: "2026-11-26T05:10:00-06:00")
        #expect(evaluation.starts.map(\.jobName) == ["dispatch-20261126-1100-ar-1"])
        #expect(report.status.lastScheduleTime == "2026-11-26T11:00:00Z")
    }

    @Test func aNewDirectiveDoesNotRunThisMorningsMissedRun() throws {
        let directive = try dispatch(lastRun: nil, created: "2026-11-26T08:00:00-06:00")
        let (evaluation, report) = pass(directive, at: "2026-11-26T09:00:00-06:00")
        #expect(evaluation.starts.isEmpty)
        #expect(report.status.runs == [])
        #expect(report.status.nextRunTime == "2026-11-27T11:00:00Z")
        #expect(evaluation.requeueAt == time("2026-11-27T05:00:00-06:00"))
    }

    @Test func aMissedRunIsCaughtUpAndThePlanSaysSo() throws {
        let (evaluation, _) = pass(try dispatch(lastRun: "2026-11-23T05:00:00-06:00"), at: "2026-11-26T07:30:00-06:00")
        #expect(evaluation.starts.count == 3)
        #expect(evaluation.starts.first?.reason
                == "scheduled run 2026-11-26 05:00 CST, missed while the controller was down: catchUp latest starts it; 2 older missed runs skipped")
    }

    @Test func catchUpNoneSkipsAndSaysSo() throws {
        let directive = try dispatch(dispatchYAML.replacingOccurrences(of: "catchUp: latest", with: "catchUp: none"), lastRun: "2026-11-23T05:00:00-06:00")
        let (evaluation, report) = pass(directive, at: "2026-11-26T07:30:00-06:00")
        #expect(evaluation.starts.isEmpty)
        #expect(report.notes == ["catchUp none: 3 missed runs skipped"])
    }

    @Test func aFailedAttemptWaitsOutItsBackoffThenRetries() throws {
        let started = "2026-11-26T05:00:21-06:00"
        let failed = job("tx", .failed, started: started, finished: "2026-11-26T05:01:00-06:00", message: "exit code 1")
        let others = ["ok", "ar"].map { job($0, .active, started: started) }

        let (waiting, report) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), [failed] + others, at: "2026-11-26T05:01:20-06:00")
        #expect(waiting.starts.isEmpty)
        let tx = try #require(report.status.runs?.first?.jobs.first)
        #expect(tx.state == .pending)
        #expect(tx.attempts == 1)
        #expect(tx.message == "attempt 1 failed at 05:01 CST (exit code 1); attempt 2 at 05:01:30 CST")
        #expect(waiting.requeueAt == time("2026-11-26T05:01:30-06:00"))

        let (retrying, _) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), [failed] + others, at: "2026-11-26T05:01:30-06:00")
        #expect(retrying.starts.map(\.jobName) == ["dispatch-20261126-1100-tx-2"])
        #expect(retrying.starts.first?.reason == "retry: attempt 1 failed at 05:01 CST (exit code 1); backoff 30s")

        // The second failure waits twice as long.
        let secondFailure = job("tx", attempt: 2, .failed, started: "2026-11-26T05:01:31-06:00", finished: "2026-11-26T05:03:00-06:00")
        let (again, _) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), [failed, secondFailure] + others, at: "2026-11-26T05:03:59-06:00")
        #expect(again.starts.isEmpty)
        #expect(again.requeueAt == time("2026-11-26T05:04:00-06:00"))
    }

    @Test func theLastAttemptFailingFailsTheJobAndBreachesTheSLO() throws {
        let attempts = (1...3).map { job("tx", attempt: $0, .failed, started: "2026-11-26T05:0\($0):00-06:00", finished: "2026-11-26T05:0\($0):30-06:00") }
        let others = ["ok", "ar"].map { job($0, .succeeded, started: "2026-11-26T05:00:21-06:00", finished: "2026-11-26T05:02:00-06:00") }
        let (evaluation, report) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), attempts + others, at: "2026-11-26T05:04:00-06:00")
        #expect(evaluation.starts.isEmpty)
        let run = try #require(report.status.runs?.first)
        #expect(run.jobs.map(\.state) == [.failed, .succeeded, .succeeded])
        #expect(run.jobs.first?.message == "attempt 3 of 3 failed")
        #expect(run.completionTime == "2026-11-26T11:03:30Z")
        #expect(run.sloOk == false)
        #expect(report.incidents.map(\.reason) == [.sloBreached])
        #expect(report.incidents.first?.message
                == "run 2026-11-26 05:00 CST cannot meet its SLO deadline 2026-11-26 06:00 CST: tx FAILED after 3 attempts (2 of 3 jobs succeeded)")
    }

    @Test func aJobStoppedAtItsDeadlineIsTimedOut() throws {
        let oneAttempt = dispatchYAML.replacingOccurrences(of: "maxAttempts: 3", with: "maxAttempts: 1")
        let stopped = job("tx", .timedOut, started: "2026-11-26T05:00:21-06:00", finished: "2026-11-26T05:30:21-06:00",
                          message: "Job was active longer than specified deadline")
        let (_, report) = pass(try dispatch(oneAttempt, lastRun: "2026-11-26T05:00:00-06:00"), [stopped], at: "2026-11-26T05:31:00-06:00")
        let tx = try #require(report.status.runs?.first?.jobs.first)
        #expect(tx.state == .timedOut)
        #expect(tx.message == "attempt 1 of 1 timed out after 1800s")
    }

    @Test func everyJobDoneBeforeTheDeadlineMeetsTheSLO() throws {
        let done = ["tx", "ok", "ar"].map { job($0, .succeeded, started: "2026-11-26T05:00:21-06:00", finished: "2026-11-26T05:40:00-06:00") }
        let (evaluation, report) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), done, at: "2026-11-26T05:41:00-06:00")
        let run = try #require(report.status.runs?.first)
        #expect(run.sloOk == true)
        #expect(run.completionTime == "2026-11-26T11:40:00Z")
        #expect(report.incidents.isEmpty)
        // Nothing left to wait for but tomorrow's run.
        #expect(evaluation.requeueAt == time("2026-11-27T05:00:00-06:00"))
    }

    @Test func aRunNotCompleteAtTheDeadlineIsABreachRaisedOnce() throws {
        let jobs = [job("tx", .active, started: "2026-11-26T05:00:21-06:00")]
            + ["ok", "ar"].map { job($0, .succeeded, started: "2026-11-26T05:00:21-06:00", finished: "2026-11-26T05:20:00-06:00") }
        let before = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), jobs, at: "2026-11-26T05:59:59-06:00")
        #expect(before.1.status.runs?.first?.sloOk == nil)
        #expect(before.0.requeueAt == time("2026-11-26T06:00:00-06:00"))

        let (_, report) = pass(recorded(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), before.1), jobs, at: "2026-11-26T06:00:05-06:00")
        #expect(report.status.runs?.first?.sloOk == false)
        #expect(report.incidents.map(\.reason) == [.sloBreached])
        #expect(report.incidents.first?.message
                == "run 2026-11-26 05:00 CST was not complete at its SLO deadline 2026-11-26 06:00 CST: tx RUNNING (2 of 3 jobs succeeded; the jobs keep running)")
        #expect(report.incidents.first?.runID == today)

        let (_, later) = pass(recorded(try dispatch(), report), jobs, at: "2026-11-26T06:05:00-06:00")
        #expect(later.incidents.isEmpty)
        #expect(later.status.runs?.first?.sloOk == false)
    }

    @Test func aProjectedFinishAfterTheDeadlineIsAnEarlyWarning() throws {
        // tx and ar took 40 minutes; ok started 30 minutes late: projected 06:10.
        let jobs = [
            job("tx", .succeeded, started: "2026-11-26T05:00:00-06:00", finished: "2026-11-26T05:40:00-06:00"),
            job("ok", .active, started: "2026-11-26T05:30:00-06:00"),
            job("ar", .succeeded, started: "2026-11-26T05:00:00-06:00", finished: "2026-11-26T05:40:00-06:00"),
        ]
        let (_, report) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), jobs, at: "2026-11-26T05:45:00-06:00")
        let run = try #require(report.status.runs?.first)
        #expect(run.sloAtRisk == true)
        #expect(run.sloOk == nil)
        #expect(report.incidents.map(\.reason) == [.sloAtRisk])
        #expect(report.incidents.first?.message
                == "run 2026-11-26 05:00 CST is projected to finish at 06:10 CST, after its SLO deadline 2026-11-26 06:00 CST, from the durations of its jobs so far")
        let (_, next) = pass(recorded(try dispatch(), report), jobs, at: "2026-11-26T05:46:00-06:00")
        #expect(next.incidents.isEmpty)

        // On track: no warning.
        let quick = [jobs[0], job("ok", .active, started: "2026-11-26T05:10:00-06:00"), jobs[2]]
        let (_, onTrack) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), quick, at: "2026-11-26T05:45:00-06:00")
        #expect(onTrack.status.runs?.first?.sloAtRisk == nil)
        #expect(onTrack.incidents.isEmpty)
    }

    @Test func aRunRequestStartsAManualRunOnce() throws {
        var directive = try dispatch(lastRun: "2026-11-26T05:00:00-06:00")
        directive.metadata.annotations = [DirectiveNaming.runRequestAnnotation: "2026-11-26T20:07:12Z"]
        let (evaluation, report) = pass(directive, at: "2026-11-26T20:07:13Z")
        #expect(evaluation.starts.map(\.jobName) == ["dispatch-20261126-200712-tx-1", "dispatch-20261126-200712-ok-1", "dispatch-20261126-200712-ar-1"])
        #expect(evaluation.starts.first?.reason == "manual run requested for 2026-11-26 14:07:12 CST")
        #expect(report.status.lastHandledRunRequest == "2026-11-26T20:07:12Z")
        #expect(report.status.runs?.first?.trigger == .manual)
        #expect(report.status.runs?.first?.sloDeadline == "2026-11-27T12:00:00Z")
        // The schedule's record is untouched.
        #expect(report.status.lastScheduleTime == "2026-11-26T11:00:00Z")

        let running = ["tx", "ok", "ar"].map { job($0, run: "20261126-200712", .active, started: "2026-11-26T20:07:14Z") }
        let (again, _) = pass(recorded(directive, report), running, at: "2026-11-26T20:08:00Z")
        #expect(again.starts.isEmpty)
    }

    @Test func aSuspendedDirectiveStartsNothing() throws {
        var directive = try dispatch(dispatchYAML + "\n  suspend: true")
        directive.metadata.annotations = [DirectiveNaming.runRequestAnnotation: "2026-11-26T20:07:12Z"]
        let (evaluation, report) = pass(directive, at: "2026-11-26T20:07:13Z")
        #expect(evaluation.starts.isEmpty)
        #expect(report.status.nextRunTime == nil)
        #expect(report.status.lastHandledRunRequest == nil)
        #expect(report.notes == ["the run requested for 2026-11-26 14:07:12 CST waits: the directive is suspended"])
    }

    @Test func runsWhoseJobsWereCleanedUpKeepTheirStates() throws {
        let done = ["tx", "ok", "ar"].map { job($0, .succeeded, started: "2026-11-26T05:00:21-06:00", finished: "2026-11-26T05:40:00-06:00") }
        let (_, first) = pass(try dispatch(lastRun: "2026-11-26T05:00:00-06:00"), done, at: "2026-11-26T05:41:00-06:00")
        let (evaluation, report) = pass(recorded(try dispatch(), first), [], at: "2026-11-26T07:00:00-06:00")
        #expect(evaluation.starts.isEmpty)
        #expect(report.status.runs == first.status.runs)
    }

    @Test func editingTheJobsDoesNotTouchARunThatFinished() throws {
        let two = dispatchYAML.replacingOccurrences(of: "  - {id: ar}\n", with: "")
        let done = ["tx", "ok"].map { job($0, .succeeded, started: "2026-11-26T05:00:21-06:00", finished: "2026-11-26T05:40:00-06:00") }
        let (_, first) = pass(try dispatch(two, lastRun: "2026-11-26T05:00:00-06:00"), done, at: "2026-11-26T05:41:00-06:00")
        let (evaluation, report) = pass(recorded(try dispatch(), first), done, at: "2026-11-26T07:00:00-06:00")
        #expect(evaluation.starts.isEmpty)
        #expect(report.status.runs?.first?.jobs.map(\.id) == ["tx", "ok"])
    }

    @Test func anAttemptAskedForButNotSeenIsAskedForAgainUnderTheSameName() throws {
        let first = pass(try dispatch(), at: "2026-11-26T05:00:20-06:00")
        // The creates failed: no Job in the cluster.
        let (evaluation, _) = pass(recorded(try dispatch(), first.1), [], at: "2026-11-26T05:00:40-06:00")
        #expect(evaluation.starts.map(\.jobName) == first.0.starts.map(\.jobName))
        #expect(evaluation.starts.first?.reason == "attempt 1 was asked for and its Job is not in the cluster yet")
    }

    @Test func historyKeepsTheThreeNewestSucceededRunsByDefault() throws {
        var directive = try dispatch(lastRun: "2026-11-26T05:00:00-06:00")
        directive.status?.runs = (1...12).map { day in
            let start = time("2026-11-01T11:00:00Z").addingTimeInterval(Double(day) * 86_400)
            return Directive.Status.Run(
                scheduledTime: RFC3339.string(from: start), date: "", trigger: .schedule, sloOk: true,
                jobs: ["tx", "ok", "ar"].map { Directive.Status.JobStatus(id: $0, state: .succeeded, attempts: 1) })
        }
        let (_, report) = pass(directive, at: "2026-11-26T07:00:00-06:00")
        #expect(report.status.runs?.map(\.scheduledTime) == ["2026-11-13T11:00:00Z", "2026-11-12T11:00:00Z", "2026-11-11T11:00:00Z"])
    }

    @Test func backoffGrowsByTheMultiplierAndIsCapped() throws {
        let retry = desired(dispatchYAML).directives.first?.spec.retry
        #expect(DirectiveRuns.backoff(retry, afterAttempt: 1) == 30)
        #expect(DirectiveRuns.backoff(retry, afterAttempt: 3) == 120)
        #expect(DirectiveRuns.backoff(retry, afterAttempt: 40) == 86_400)
        #expect(DirectiveRuns.backoff(nil, afterAttempt: 2) == 20)
    }
}
