import Foundation
import Model

/// Which scheduled runs start, as a CronJob's controller decides: the schedule says which are due
/// (`DirectiveSchedule.due`: catch-up and `startingDeadlineSeconds`), `concurrencyPolicy` whether
/// they may start beside the runs still going.
///
/// - Allow: every due run starts.
/// - Forbid: while a run is active no scheduled run starts, and the last schedule time stays,
///   so the newest due run starts once the active one finishes, if it is still within its
///   starting deadline (else it is missed); when none is active only the newest due run starts.
/// - Replace: only the newest due run starts; every older run still going is replaced: its
///   active Jobs are deleted and its open jobs end FAILED, for good.
///
/// Manual runs (`hmsctl directive run`) start whatever the policy, as `kubectl create job --from`
/// does beside a CronJob, and count as active runs.
extension Evaluator {
    /// The runs to start now, marked; the status's last schedule time and the plan's notes with them.
    func scheduledRuns(after last: Date, active: [RunProgress], known: Set<String>, _ result: inout DirectiveEvaluation) -> [(String, RunSeed)] {
        guard !suspended else { return [] }
        let due = schedule.due(after: last, now: now)
        var times = due.runs
        let atLeast = due.skippedAtLeast ? "at least " : ""
        let older = due.skipped == 0 ? "" : "; \(atLeast)\(due.skipped) older missed \(due.skipped == 1 ? "run" : "runs") skipped"
        var byPolicy = ""
        if policy != .allow, times.count > 1 {
            let left = times.count - 1
            byPolicy = "; \(left) older due \(left == 1 ? "run" : "runs") skipped (concurrencyPolicy \(policy.rawValue))"
            times = Array(times.suffix(1))
        }
        let also = older + byPolicy
        if policy == .forbid, let going = active.first, let waiting = times.last {
            result.notes.append("concurrencyPolicy Forbid: the run of \(schedule.localDateTime(waiting)) waits while run \(going.id) is active\(also)")
            // As a CronJob's controller says it: an Event per run held back, not a journal entry
            // per pass that sees it waiting.
            result.notices.append(Incident(
                reason: .jobAlreadyActive, source: directive.ref, runID: DirectiveNaming.runID(waiting, trigger: .schedule),
                message: "Not starting job because prior execution is running and concurrency policy is Forbid (run \(going.id) is active; the run of \(schedule.localDateTime(waiting)) waits)"))
            return []
        }
        if times.isEmpty, due.skipped > 0 {
            result.notes.append("catchUp \(schedule.catchUp.rawValue): \(atLeast)\(due.skipped) missed \(due.skipped == 1 ? "run" : "runs") skipped")
        }
        var starting: [(String, RunSeed)] = []
        for time in times {
            let id = DirectiveNaming.runID(time, trigger: .schedule)
            result.lastScheduleTime = max(result.lastScheduleTime ?? time, time)
            guard !known.contains(id) else { continue }
            var seed = RunSeed(time: time, trigger: .schedule)
            seed.startsNow = true
            seed.reason = schedule.isMissed(time, now: now)
                ? "scheduled run \(schedule.localDateTime(time)), missed while the controller was down: catchUp \(schedule.catchUp.rawValue) starts it\(also)"
                : "scheduled run \(schedule.localDateTime(time))\(byPolicy)"
            starting.append((id, seed))
        }
        // Missed start times as a CronJob counts them: within the starting deadline.
        let missedTimes = due.skipped - due.pastDeadline
        if missedTimes > DirectiveRuns.tooManyMissed, let (id, _) = starting.last {
            result.incidents.append(Incident(
                reason: .tooManyMissedTimes, source: directive.ref, runID: id,
                message: "too many missed start times: \(atLeast)\(missedTimes). Set or decrease spec.startingDeadlineSeconds or check clock skew"))
        }
        return starting
    }

    /// Under Replace, every run older than the newest scheduled one that is still going ends: its
    /// open jobs FAILED (no further attempt), its active Jobs deleted (their pods with them).
    func replaceOlderRuns(_ runs: inout [RunProgress], jobsByRun: [String: [ObservedJob]], deletions: inout [JobDeletion]) {
        guard policy == .replace, let newest = runs.filter({ $0.trigger == .schedule }).map(\.time).max() else { return }
        let by = "replaced by the run of \(schedule.localDateTime(newest)) (concurrencyPolicy Replace)"
        for index in runs.indices where runs[index].time < newest && !runs[index].isFinal {
            var run = runs[index]
            for position in run.jobs.indices where !run.jobs[position].isFinal {
                var job = run.jobs[position]
                job.state = .failed
                job.isFinal = true
                job.starting = nil
                job.retryAt = nil
                // The replacing run's time, not `now`: the same on every pass.
                job.finishTime = job.finishTime ?? newest
                job.message = by
                run.jobs[position] = job
            }
            run.completionTime = run.jobs.compactMap(\.finishTime).max()
            if run.deadline != nil, run.sloOk == nil { run.sloOk = false }
            run.sloAtRisk = false
            run.projectedFinish = nil
            runs[index] = run
            deletions += (jobsByRun[run.id] ?? []).filter { $0.phase == .active }.map { job in
                JobDeletion(runID: run.id, jobID: job.jobID, attempt: job.attempt, jobName: job.name, uid: job.uid, reason: "run \(run.id) \(by)")
            }
        }
    }
}
