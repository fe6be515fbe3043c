import Foundation
import Model

/// A run as the Directive's status shows it: how many jobs it has in each state, and a few of
/// them: the failing ones first, then the most recent, each list capped. A run may have 1,000
/// jobs and status lists ten runs, so listing every job would outgrow what etcd stores (1.5 MiB a
/// object); every job's details are in its Jobs (`kubectl get jobs -l ops.hms.gov/run=...`).
/// Bounded this way a status stays under 100 KiB whatever the number of jobs.
public enum RunSummary {
    /// FAILED or TIMED_OUT jobs, and those waiting to retry or stopped by a gate, listed at most.
    public static let failingJobs = 10
    /// The most recently started or finished of the others, listed at most.
    public static let recentJobs = 5
    /// A longer message (the cluster's words on a failure, a gate's reasons) is cut.
    public static let messageLength = 300

    /// One job as a pass sees it, ready to list.
    struct Entry {
        var status: Directive.Status.JobStatus
        /// Failed, waiting to retry, or stopped by a gate.
        var failing: Bool
        /// When it last started or finished, for "most recent".
        var latest: Date?
    }

    /// The listed jobs: the first failing ones in the run's order, then the most recent others.
    static func listed(_ entries: [Entry]) -> [Directive.Status.JobStatus] {
        let failing = entries.filter(\.failing).prefix(failingJobs)
        let recent = entries.enumerated().filter { !$0.element.failing }
            .sorted { ($0.element.latest ?? .distantPast, -$0.offset) > ($1.element.latest ?? .distantPast, -$1.offset) }
            .prefix(recentJobs).map(\.element)
        return (failing + recent).map { trimmed($0.status) }
    }

    /// A finished run as the status recorded it, in this shape (a status written before jobs
    /// were counted lists all of them).
    static func reshaped(_ run: Directive.Status.Run) -> Directive.Status.Run {
        guard run.counts == nil else { return run }
        var run = run
        run.jobCount = run.jobs.count
        run.counts = Directive.Status.JobCounts(run.jobs.map(\.state))
        run.jobs = listed(run.jobs.map { job in
            let latest = (job.completionTime ?? job.startTime).flatMap(RFC3339.date(from:))
            return Entry(status: job, failing: job.state == .failed || job.state == .timedOut, latest: latest)
        })
        return run
    }

    static func trimmed(_ job: Directive.Status.JobStatus) -> Directive.Status.JobStatus {
        var job = job
        job.message = job.message.map { ClusterText.clipped($0, limit: messageLength) }
        return job
    }
}
