import Foundation
import JSON
import Model
import Testing

@testable import Planner

/// The dispatch with every field of issue 20's item 4 set as `extra` says, run every minute.
func minutely(_ extra: String, jobs: [String] = ["tx", "ok"]) throws -> Directive {
    let yaml = """
        apiVersion: ops.hms.gov/v1alpha1
        kind: Directive
        metadata: {name: dispatch, namespace: power}
        spec:
          schedule: "* * * * *"
          template: {image: registry.gov/power-worker:2.1}
          jobs: [\(jobs.map { "{id: \($0)}" }.joined(separator: ", "))]
        \(extra.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        """
    return try dispatch(yaml, lastRun: nil, created: "2026-11-26T00:00:00Z")
}

/// A Job of the dispatch with a uid, as the observer reads it from a stored Job.
func storedJob(_ jobID: String, run: String, _ phase: ObservedJob.Phase, started: String, finished: String? = nil, message: String? = nil) -> ObservedJob {
    var observed = job(jobID, run: run, phase, started: started, finished: finished, message: message)
    observed.uid = "uid-\(observed.name)"
    return observed
}

/// The cluster as a test clock moves: Jobs made from each pass's starts, running `seconds` each,
/// deleted when a pass says so.
struct SimulatedJobs {
    var jobs: [ObservedJob] = []
    let seconds: TimeInterval

    /// The Jobs as the observer sees them at `now`.
    func observed(at now: Date) -> [ObservedJob] {
        jobs.map { job in
            var job = job
            if let start = job.startTime, start.addingTimeInterval(seconds) <= now {
                job.phase = .succeeded
                job.finishTime = start.addingTimeInterval(seconds)
            }
            return job
        }
    }

    /// Runs with a Job still going at `now`.
    func activeRuns(at now: Date) -> Set<String> {
        Set(observed(at: now).filter { $0.phase == .active }.map(\.runID))
    }

    mutating func apply(_ evaluation: DirectiveEvaluation, at now: Date) {
        let deleted = Set(evaluation.deletions.map(\.jobName))
        jobs.removeAll { deleted.contains($0.name) }
        for start in evaluation.starts {
            jobs.append(ObservedJob(
                namespace: "power", name: start.jobName, directive: "dispatch", runID: start.runID, jobID: start.jobID, attempt: start.attempt,
                scheduledTime: start.runTime, trigger: start.trigger, startTime: now, phase: .active, uid: "uid-\(start.jobName)"))
        }
    }

    /// Passes every `step` seconds from `from` for `count` passes, each seeing the last one's
    /// status; `check` hears each pass's time and evaluation.
    mutating func run(_ directive: Directive, from: Date, step: TimeInterval, count: Int, check: (Date, DirectiveEvaluation, SimulatedJobs) -> Void) {
        var directive = directive
        for index in 0..<count {
            let now = from.addingTimeInterval(Double(index) * step)
            let evaluation = DirectiveRuns.evaluate(directive, jobs: observed(at: now), now: now)
            apply(evaluation, at: now)
            directive.status = DirectiveReport(directive, evaluation, judged: [:]).status
            check(now, evaluation, self)
        }
    }
}

@Suite("Directive history, concurrency and status size", .tags(.unit))
struct DirectiveHistoryTests {
    // MARK: - Status size

    @Test func aStatusOf5000FailingJobsStaysUnder256KiB() throws {
        let ids = (1...5_000).map { "job-\($0)-" + String(repeating: "x", count: 40) }
        // More jobs than validation lets a Directive have (1,000): the core does not count on it.
        var directive = try minutely("catchUp: none")
        directive.spec.jobs = ids.map { Directive.Job(id: $0) }
        let message = String(repeating: "the pod was evicted: the node ran out of memory; ", count: 40)
        // Ten runs of 5,000 failed jobs each, the newest in the cluster, the others in the status
        // as a status before this change wrote them: every job listed.
        let runs = (0..<10).map { DirectiveNaming.runID(time("2026-11-26T10:00:00Z").addingTimeInterval(Double($0) * 60), trigger: .schedule) }
        directive.status = Directive.Status(lastScheduleTime: "2026-11-26T10:09:00Z", runs: runs.dropLast().map { run in
            let start = RFC3339.string(from: DirectiveNaming.runTime(fromID: run)?.0 ?? Date())
            return Directive.Status.Run(scheduledTime: start, date: "2026-11-26", completionTime: start, jobs: ids.map { id in
                Directive.Status.JobStatus(id: id, state: .failed, attempts: 1, jobName: id, startTime: start, completionTime: start, message: message)
            })
        })
        let newest = ids.map { id in storedJob(id, run: runs[9], .failed, started: "2026-11-26T10:09:01Z", finished: "2026-11-26T10:09:30Z", message: message) }
        directive.spec.failedRunsHistoryLimit = 100
        let (evaluation, report) = pass(directive, newest, at: "2026-11-26T10:09:40Z")
        #expect(evaluation.starts.isEmpty)
        let encoded = try JSONEncoder().encode(report.status)
        #expect(encoded.count < 256 * 1_024, "status is \(encoded.count) bytes")
        let run = try #require(report.status.runs?.first)
        #expect(run.jobCount == 5_000)
        #expect(run.counts == Directive.Status.JobCounts(failed: 5_000))
        #expect(run.jobs.count == RunSummary.failingJobs)
        #expect(run.jobs.allSatisfy { ($0.message?.count ?? 0) <= RunSummary.messageLength })
        #expect(report.status.runs?.count == DirectiveRuns.statusRuns)
        #expect(report.status.runs?.last?.counts == Directive.Status.JobCounts(failed: 5_000))
    }

    @Test func aRunListsItsFailingJobsThenTheMostRecent() throws {
        let directive = try minutely("catchUp: none", jobs: (1...30).map { "j\($0)" })
        let run = DirectiveNaming.runID(time("2026-11-26T10:00:00Z"), trigger: .schedule)
        let jobs = (1...30).map { index in
            storedJob("j\(index)", run: run, index % 10 == 0 ? .failed : .succeeded, started: "2026-11-26T10:00:01Z",
                      finished: RFC3339.string(from: time("2026-11-26T10:01:00Z").addingTimeInterval(Double(index))))
        }
        var stored = directive
        stored.status = Directive.Status(lastScheduleTime: "2026-11-26T10:00:00Z")
        let (_, report) = pass(stored, jobs, at: "2026-11-26T10:00:50Z")
        let listed = try #require(report.status.runs?.first).jobs.map(\.id)
        #expect(listed == ["j10", "j20", "j30", "j29", "j28", "j27", "j26", "j25"])
    }

    // MARK: - History limits

    /// Five finished runs, yesterday's failed, and today's still going.
    func fiveDays(_ extra: String = "") throws -> (Directive, [ObservedJob]) {
        var directive = try dispatch(dispatchYAML + extra, lastRun: "2026-11-26T05:00:00-06:00")
        directive.status?.runs = []
        var jobs: [ObservedJob] = []
        for day in 21...26 {
            let run = "202611\(day)-1100"
            let started = "2026-11-\(day)T05:00:10-06:00", finished = "2026-11-\(day)T05:30:00-06:00"
            for id in ["tx", "ok", "ar"] {
                let phase: ObservedJob.Phase = day == 26 ? .active : day == 25 && id == "ok" ? .failed : .succeeded
                jobs.append(storedJob(id, run: run, phase, started: started, finished: phase == .active ? nil : finished))
                // The failed job's three attempts.
                if phase == .failed {
                    jobs += [2, 3].map { attempt in
                        var retry = storedJob(id, run: run, .failed, started: started, finished: finished)
                        retry.attempt = attempt
                        retry.name = DirectiveNaming.jobName(directive: "dispatch", runID: run, jobID: id, attempt: attempt)
                        retry.uid = "uid-\(retry.name)"
                        return retry
                    }
                }
            }
        }
        return (directive, jobs)
    }

    @Test func theDefaultsKeepThreeSucceededRunsAndOneFailedAndDeleteTheRest() throws {
        let (directive, jobs) = try fiveDays()
        let (evaluation, report) = pass(directive, jobs, at: "2026-11-26T05:40:00-06:00")
        #expect(evaluation.starts.isEmpty)
        #expect(Set(evaluation.deletions.map(\.runID)) == ["20261121-1100"])
        #expect(evaluation.deletions.map(\.jobName).sorted() == ["dispatch-20261121-1100-ar-1", "dispatch-20261121-1100-ok-1", "dispatch-20261121-1100-tx-1"])
        #expect(evaluation.deletions.allSatisfy { $0.uid == "uid-\($0.jobName)" })
        #expect(evaluation.deletions.first?.reason == "run 20261121-1100 finished and is older than the successfulRunsHistoryLimit 3 newest that succeeded")
        #expect(report.status.runs?.map(\.date) == ["2026-11-26", "2026-11-25", "2026-11-24", "2026-11-23", "2026-11-22"])
    }

    @Test func limitsOfZeroDeleteEveryFinishedRunsJobsButTheNewestStaysInStatus() throws {
        let (directive, jobs) = try fiveDays("\n  successfulRunsHistoryLimit: 0\n  failedRunsHistoryLimit: 0\n")
        let (evaluation, report) = pass(directive, jobs, at: "2026-11-26T05:40:00-06:00")
        #expect(Set(evaluation.deletions.map(\.runID)) == ["20261121-1100", "20261122-1100", "20261123-1100", "20261124-1100", "20261125-1100"])
        #expect(evaluation.deletions.count == 5 * 3 + 2)
        // Today's run is still going: nothing of it goes.
        #expect(report.status.runs?.map(\.date) == ["2026-11-26"])
    }

    @Test func aPassDeletesAtMostAHundredJobsTheRestComeNext() throws {
        let directive = try minutely("catchUp: none")
        let jobs = (0..<5).flatMap { run in
            (0..<60).map { index in
                storedJob("j\(index)", run: "20261126-100\(run)", .succeeded, started: "2026-11-26T10:0\(run):01Z", finished: "2026-11-26T10:0\(run):30Z")
            }
        }
        var stored = directive
        stored.status = Directive.Status(lastScheduleTime: "2026-11-26T10:04:00Z")
        let (first, _) = pass(stored, jobs, at: "2026-11-26T10:04:40Z")
        #expect(first.deletions.count == DirectiveRuns.deletesPerPass)
        let deleted = Set(first.deletions.map(\.jobName))
        let (second, _) = pass(stored, jobs.filter { !deleted.contains($0.name) }, at: "2026-11-26T10:04:50Z")
        #expect(second.deletions.count == 20)
        #expect(Set(first.deletions.map(\.runID) + second.deletions.map(\.runID)) == ["20261126-1000", "20261126-1001"])
    }

    @Test func historyDeletesArePlannedDeletesThroughTheGates() throws {
        let (directive, jobs) = try fiveDays()
        var observed = ObservedState()
        observed.directiveJobs[directive.ref] = jobs
        let plan = Planner().plan(desired: DesiredState([.directive(directive)]), observed: observed, ledger: Ledger(), now: time("2026-11-26T05:40:00-06:00"))
        let deletes = plan.actions.filter { $0.verb == .delete }
        #expect(deletes.count == 3)
        #expect(deletes.allSatisfy { $0.target.kind == .job && $0.gates.contains { $0.gate == "governance" } && $0.finalVerdict == .allow })
        #expect(plan.summaryLine == "Plan: 0 to deploy, 0 to scale, 0 to restart, 3 to delete, 0 jobs to start.")
        #expect(Set(deletes.map(\.id)).count == 3)
    }

    // MARK: - ttlSecondsAfterFinished

    @Test func jobsCarryNoTTLOfTheirOwn() throws {
        // The cluster's TTL controller would delete a finished Job of a run still open, and the
        // run would start that job again: the controller applies the TTL instead.
        let start = JobAttempt(run: "20261126-1100", runTime: time("2026-11-26T11:00:00Z"), trigger: .schedule, job: "tx", attempt: 1, maxAttempts: 1)
        let set = DirectiveRendering.job(try dispatch(dispatchYAML + "\n  ttlSecondsAfterFinished: 3600\n"), start, name: "x")
        #expect(set[path: ["spec", "ttlSecondsAfterFinished"]] == nil)
    }

    @Test func aTTLShorterThanTheRunNeitherDeletesNorRestartsAJobOfAnOpenRun() throws {
        var directive = try minutely("ttlSecondsAfterFinished: 5")
        directive.status = Directive.Status(lastScheduleTime: "2026-11-26T10:00:00Z")
        let run = "20261126-1000"
        let tx = storedJob("tx", run: run, .succeeded, started: "2026-11-26T10:00:01Z", finished: "2026-11-26T10:00:10Z")
        // tx finished 35 s ago, seven times its TTL, while ok still runs: kept, and not started again.
        let (open, openReport) = pass(directive, [tx, storedJob("ok", run: run, .active, started: "2026-11-26T10:00:01Z")], at: "2026-11-26T10:00:45Z")
        #expect(open.deletions.isEmpty)
        #expect(open.starts.isEmpty)
        // The run completes: the pass that sees it records it, and deletes nothing yet...
        let done = [tx, storedJob("ok", run: run, .succeeded, started: "2026-11-26T10:00:01Z", finished: "2026-11-26T10:00:50Z")]
        let (completing, completed) = pass(recorded(directive, openReport), done, at: "2026-11-26T10:00:51Z")
        #expect(completing.deletions.isEmpty)
        #expect(completed.status.runs?.first?.completionTime == "2026-11-26T10:00:50Z")
        // ...and once its status says so, each Job goes its TTL after it finished.
        let (expiring, _) = pass(recorded(directive, completed), done, at: "2026-11-26T10:00:52Z")
        #expect(expiring.deletions.map(\.jobName) == ["dispatch-20261126-1000-tx-1"])
        #expect(expiring.deletions.first?.reason == "run 20261126-1000 is complete and the Job finished over ttlSecondsAfterFinished 5s ago")
        #expect(expiring.deletions.first?.uid == "uid-dispatch-20261126-1000-tx-1")
        #expect(expiring.starts.isEmpty)
        #expect(expiring.requeueAt == time("2026-11-26T10:00:55Z"), "the pass after ok's TTL deletes it")
    }

    // MARK: - concurrencyPolicy

    @Test func forbidNeverStartsASecondRunWhileOneIsActive() throws {
        var cluster = SimulatedJobs(seconds: 150)
        var started: Set<String> = []
        cluster.run(try minutely("concurrencyPolicy: Forbid"), from: time("2026-11-26T10:00:05Z"), step: 20, count: 90) { now, evaluation, cluster in
            #expect(cluster.activeRuns(at: now).count <= 1, "two runs active at \(RFC3339.string(from: now))")
            started.formUnion(evaluation.starts.map(\.runID))
        }
        // Runs of 150 s every minute under Forbid: each waits for the last; the ones that cannot
        // start within 120 s of their time are skipped.
        #expect(started.count >= 8 && started.count <= 15)
    }

    @Test func allowOverlapsRunsThatTakeLongerThanTheSchedule() throws {
        var cluster = SimulatedJobs(seconds: 150)
        var most = 0
        cluster.run(try minutely("concurrencyPolicy: Allow"), from: time("2026-11-26T10:00:05Z"), step: 20, count: 30) { now, _, cluster in
            most = max(most, cluster.activeRuns(at: now).count)
        }
        // The first pass starts 09:59 and 10:00 (both on time), then one run a minute: four at
        // once while those two and the next two run.
        #expect(most == 4)
    }

    @Test func forbidStartsTheWaitingRunWhenTheActiveOneFinishesWithinItsDeadline() throws {
        var directive = try minutely("concurrencyPolicy: Forbid\nstartingDeadlineSeconds: 300")
        directive.status = Directive.Status(lastScheduleTime: "2026-11-26T10:00:00Z")
        let going = ["tx", "ok"].map { storedJob($0, run: "20261126-1000", .active, started: "2026-11-26T10:00:01Z") }
        let (waiting, report) = pass(directive, going, at: "2026-11-26T10:01:10Z")
        #expect(waiting.starts.isEmpty)
        #expect(report.status.lastScheduleTime == "2026-11-26T10:00:00Z")
        #expect(report.notes == ["concurrencyPolicy Forbid: the run of 2026-11-26 10:01 UTC waits while run 20261126-1000 is active"])
        // Reported as a CronJob reports it: a Normal Event JobAlreadyActive, once per waiting run,
        // and no journal entry (not an incident).
        #expect(report.incidents.isEmpty)
        let events = Records.incidentEvents([report])
        #expect(events.map(\.type) == ["Normal"])
        #expect(events.map(\.reason) == ["JobAlreadyActive"])
        #expect(events.first?.message.hasPrefix("Not starting job because prior execution is running and concurrency policy is Forbid") == true)
        let done = ["tx", "ok"].map { storedJob($0, run: "20261126-1000", .succeeded, started: "2026-11-26T10:00:01Z", finished: "2026-11-26T10:03:30Z") }
        let (later, _) = pass(recorded(directive, report), done, at: "2026-11-26T10:03:40Z")
        // Three runs due (10:01 to 10:03) within the deadline: the newest starts, the others are skipped.
        #expect(Set(later.starts.map(\.runID)) == ["20261126-1003"])
        #expect(later.starts.first?.reason == "scheduled run 2026-11-26 10:03 UTC; 2 older due runs skipped (concurrencyPolicy Forbid)")
    }

    @Test func replaceDeletesTheActiveRunsJobsAndStartsTheNewOne() throws {
        var directive = try minutely("concurrencyPolicy: Replace")
        directive.status = Directive.Status(lastScheduleTime: "2026-11-26T10:00:00Z")
        let going = [storedJob("tx", run: "20261126-1000", .active, started: "2026-11-26T10:00:01Z"),
                     storedJob("ok", run: "20261126-1000", .succeeded, started: "2026-11-26T10:00:01Z", finished: "2026-11-26T10:00:30Z")]
        let (evaluation, report) = pass(directive, going, at: "2026-11-26T10:01:05Z")
        #expect(evaluation.starts.map(\.jobName) == ["dispatch-20261126-1001-tx-1", "dispatch-20261126-1001-ok-1"])
        #expect(evaluation.deletions.map(\.jobName) == ["dispatch-20261126-1000-tx-1"])
        #expect(evaluation.deletions.first?.uid == "uid-dispatch-20261126-1000-tx-1")
        let old = try #require(report.status.runs?.last)
        #expect(old.counts == Directive.Status.JobCounts(succeeded: 1, failed: 1))
        #expect(old.jobs.first?.message == "replaced by the run of 2026-11-26 10:01 UTC (concurrencyPolicy Replace)")
        #expect(old.completionTime == "2026-11-26T10:01:00Z")
        // The next pass, its Job gone: no attempt of the replaced job starts again.
        let (next, _) = pass(recorded(directive, report), [going[1]], at: "2026-11-26T10:01:25Z")
        #expect(next.starts.allSatisfy { $0.runID == "20261126-1001" })
    }

    // MARK: - startingDeadlineSeconds

    @Test func aRunLaterThanItsStartingDeadlineIsSkipped() throws {
        let yaml = dispatchYAML + "\n  startingDeadlineSeconds: 600\n"
        let (late, _) = pass(try dispatch(yaml), at: "2026-11-26T05:10:01-06:00")
        #expect(late.starts.isEmpty)
        #expect(late.notes == ["catchUp latest: 1 missed run skipped"])
        let (inTime, _) = pass(try dispatch(yaml), at: "2026-11-26T05:09:59-06:00")
        #expect(inTime.starts.count == 3)
        // Within its starting deadline a run is on time.
        #expect(inTime.starts.first?.reason == "scheduled run 2026-11-26 05:00 CST")
    }

    @Test func underCatchUpNoneTheDeadlineWidensTheOnTimeWindow() throws {
        let none = dispatchYAML.replacingOccurrences(of: "catchUp: latest", with: "catchUp: none")
        #expect(pass(try dispatch(none), at: "2026-11-26T05:05:00-06:00").0.starts.isEmpty)
        #expect(pass(try dispatch(none + "\n  startingDeadlineSeconds: 600\n"), at: "2026-11-26T05:05:00-06:00").0.starts.count == 3)
    }

    @Test func tooManyMissedStartTimesIsAWarningAndTheNewestStillStarts() throws {
        var directive = try minutely("catchUp: latest")
        directive.status = Directive.Status(lastScheduleTime: "2026-11-26T08:00:00Z")
        let (evaluation, report) = pass(directive, at: "2026-11-26T10:00:10Z")
        #expect(Set(evaluation.starts.map(\.runID)) == ["20261126-1000"])
        #expect(report.incidents.map(\.reason) == [.tooManyMissedTimes])
        #expect(report.incidents.first?.message == "too many missed start times: 119. Set or decrease spec.startingDeadlineSeconds or check clock skew")
        // A starting deadline keeps the count down, as it does for a CronJob.
        var bounded = directive
        bounded.spec.startingDeadlineSeconds = 300
        #expect(pass(bounded, at: "2026-11-26T10:00:10Z").1.incidents.isEmpty)
    }
}
