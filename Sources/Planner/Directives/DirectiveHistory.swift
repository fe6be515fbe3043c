import Foundation
import Model

/// Which finished runs keep their Jobs, as a CronJob's `successfulJobsHistoryLimit` and
/// `failedJobsHistoryLimit` keep Jobs: newest first, the first `successfulRunsHistoryLimit` runs
/// whose jobs all succeeded (default 3) and the first `failedRunsHistoryLimit` of the others
/// (default 1). Every Job of an older finished run is deleted; runs still going keep theirs.
extension Evaluator {
    var historyLimits: (succeeded: Int, failed: Int) {
        (max(0, directive.spec.successfulRunsHistoryLimit ?? Directive.defaultSuccessfulRunsHistoryLimit),
         max(0, directive.spec.failedRunsHistoryLimit ?? Directive.defaultFailedRunsHistoryLimit))
    }

    /// The runs status shows, newest first: those still going, then the finished ones the limits
    /// keep, at most `DirectiveRuns.statusRuns` in all; the newest run is always shown, so that its
    /// outcome stays readable when a limit is 0. The Jobs of the finished runs left out are deleted.
    func keepingHistory(_ runs: [RunProgress], jobsByRun: [String: [ObservedJob]], deletions: inout [JobDeletion]) -> [RunProgress] {
        let limits = historyLimits
        var kept = (succeeded: 0, failed: 0)
        var open: [RunProgress] = []
        var finished: [RunProgress] = []
        for (position, run) in runs.enumerated() {
            guard run.isFinal else {
                open.append(run)
                continue
            }
            let succeeded = run.succeeded
            if succeeded ? kept.succeeded < limits.succeeded : kept.failed < limits.failed {
                if succeeded { kept.succeeded += 1 } else { kept.failed += 1 }
                finished.append(run)
                continue
            }
            if position == 0 { finished.append(run) }
            let limit = succeeded ? "successfulRunsHistoryLimit \(limits.succeeded)" : "failedRunsHistoryLimit \(limits.failed)"
            deletions += (jobsByRun[run.id] ?? []).map { job in
                JobDeletion(runID: run.id, jobID: job.jobID, attempt: job.attempt, jobName: job.name, uid: job.uid,
                            reason: "run \(run.id) finished and is older than the \(limit) newest that \(succeeded ? "succeeded" : "did not succeed")")
            }
        }
        let shownOpen = open.prefix(DirectiveRuns.statusRuns)
        let shown = shownOpen + finished.prefix(DirectiveRuns.statusRuns - shownOpen.count)
        return shown.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
    }

    /// `ttlSecondsAfterFinished`, applied by the controller rather than by the cluster's TTL
    /// controller (the Jobs carry none): only the controller knows when a run is complete, and a
    /// finished Job of a run still open that the cluster deleted would be started again. Once the
    /// run is complete and its status says so, each of its Jobs is deleted this long after it
    /// finished, as the TTL controller counts. Returns when the next kept Job expires.
    func expiringJobs(_ runs: [RunProgress], jobsByRun: [String: [ObservedJob]], deletions: inout [JobDeletion]) -> Date? {
        let ttl = directive.spec.ttlSecondsAfterFinished ?? Directive.defaultTTLSecondsAfterFinished
        let openInStatus = Set((directive.status?.runs ?? []).compactMap { run -> String? in
            guard run.completionTime == nil, let time = RFC3339.date(from: run.scheduledTime) else { return nil }
            return DirectiveNaming.runID(time, trigger: run.trigger ?? .schedule)
        })
        var deleting = Set(deletions.map(\.jobName))
        var next: Date?
        for run in runs where run.isFinal && (run.recorded != nil || !openInStatus.contains(run.id)) {
            for job in jobsByRun[run.id] ?? [] where job.phase != .active && !deleting.contains(job.name) {
                guard let finished = job.finishTime else { continue }
                let expiry = finished.addingTimeInterval(TimeInterval(ttl))
                guard expiry <= now else {
                    next = earliest(next, expiry)
                    continue
                }
                deleting.insert(job.name)
                deletions.append(JobDeletion(runID: run.id, jobID: job.jobID, attempt: job.attempt, jobName: job.name, uid: job.uid,
                                             reason: "run \(run.id) is complete and the Job finished over ttlSecondsAfterFinished \(ttl)s ago"))
            }
        }
        return next
    }
}
