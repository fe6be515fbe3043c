import Foundation
import Model

/// One job of one run, as a pass sees it.
public struct JobProgress: Sendable, Equatable {
    public var id: String
    public var state: Directive.JobState
    /// Attempts started so far (the one starting in this pass included).
    public var attempts: Int
    public var jobName: String?
    public var startTime: Date?
    public var finishTime: Date?
    public var message: String?
    /// No attempt follows: SUCCEEDED, or FAILED / TIMED_OUT with no attempt left.
    public var isFinal = false
    /// When the next attempt may start, while a failed one waits out its backoff.
    public var retryAt: Date?
    /// The attempt this pass asks to start.
    public var starting: JobStart?
}

/// A Job to create: one attempt of one job of one run.
public struct JobStart: Sendable, Equatable {
    public var runID: String
    public var runTime: Date
    public var trigger: Directive.Trigger
    public var jobID: String
    public var attempt: Int
    public var jobName: String
    public var reason: String
}

/// A Job of a Directive to delete: one of a finished run beyond the history limits, or an active
/// one of a run that `concurrencyPolicy: Replace` replaces.
public struct JobDeletion: Sendable, Equatable {
    public var runID: String
    public var jobID: String
    public var attempt: Int
    public var jobName: String
    /// The uid observed: the delete's precondition, so that a Job of the same name made since is left alone.
    public var uid: String?
    public var reason: String
}

/// One run of a Directive: its jobs, and how it stands against its SLO.
public struct RunProgress: Sendable, Equatable {
    public var id: String
    public var time: Date
    public var trigger: Directive.Trigger
    /// Empty for a run that finished before this pass (`recorded`).
    public var jobs: [JobProgress]
    /// A run the stored status shows finished: nothing about it changes any more, so it is shown
    /// as recorded (its Jobs may be gone).
    public var recorded: Directive.Status.Run?
    public var deadline: Date?
    /// When the last job finished, once every job is final.
    public var completionTime: Date?
    /// True: every job succeeded by the deadline. False: missed. Nil: open, or no SLO.
    public var sloOk: Bool?
    /// The finish projected from the durations so far is after the deadline.
    public var sloAtRisk = false
    public var projectedFinish: Date?

    public var isFinal: Bool { recorded != nil || jobs.allSatisfy(\.isFinal) }

    /// Every job succeeded: the run counts against `successfulRunsHistoryLimit`, else `failedRunsHistoryLimit`.
    public var succeeded: Bool {
        guard let recorded else { return jobs.allSatisfy { $0.state == .succeeded } }
        if let counts = recorded.counts { return counts.succeeded == (recorded.jobCount ?? counts.succeeded) }
        return recorded.jobs.allSatisfy { $0.state == .succeeded }
    }
}

/// What one pass makes of one Directive: its runs, the Jobs to start, and its schedule.
public struct DirectiveEvaluation: Sendable, Equatable {
    /// Newest first; completed runs beyond the history limits are left out.
    public var runs: [RunProgress] = []
    public var starts: [JobStart] { runs.reversed().flatMap { $0.jobs.compactMap(\.starting) } }
    /// Jobs of runs beyond the history limits, active Jobs of replaced runs, and Jobs of complete
    /// runs past their `ttlSecondsAfterFinished`.
    public var deletions: [JobDeletion] = []
    /// Raised besides the SLO's: too many missed start times.
    public var incidents: [Incident] = []
    /// Events only, not journaled: a scheduled run that Forbid holds back (`JobAlreadyActive`).
    public var notices: [Incident] = []
    public var lastScheduleTime: Date?
    public var nextRunTime: Date?
    /// The run request annotation this pass acted on.
    public var handledRunRequest: String?
    /// The earliest moment the answer changes with nothing else changing: a run falls due, a
    /// backoff ends, a deadline passes, a finished Job expires.
    public var requeueAt: Date?
    /// What the plan should say without an action to say it with (runs catch-up skipped).
    public var notes: [String] = []
}

/// The pure run logic of Directives: from the Directive (spec, stored status, run request), the
/// Jobs observed in the cluster and `now`, each run's job states, the attempts to start, the SLO.
///
/// The Jobs are the truth about what started; the stored status remembers what the Jobs no longer
/// show (runs whose Jobs were cleaned up, attempts asked for but not seen yet). A run's jobs are
/// the spec's when it starts, and fixed from then on, so editing the spec never adds a job to a run
/// that already finished.
public enum DirectiveRuns {
    /// Runs shown in status at most: the open ones first, then the newest finished ones the
    /// history limits keep (each run's entry is bounded, see `RunSummary`).
    public static let statusRuns = 10
    /// More missed start times than this raise `TooManyMissedTimes`, as a CronJob does.
    public static let tooManyMissed = 100
    /// Job deletes one pass plans at most (those of replaced runs first): the rest come in the
    /// next passes, so that a pass deleting the 1,000 Jobs of an old run does not hold the
    /// status back while a slow API server answers each delete.
    public static let deletesPerPass = 100
    /// Backoff when `retry` does not say, as a Kubernetes Job backs off: 10 s, doubling.
    static let defaultBackoffSeconds = 10
    static let defaultBackoffMultiplier = 2.0
    /// No backoff is longer than a day, however many attempts.
    static let maxBackoffSeconds = 86_400.0

    public static func evaluate(_ directive: Directive, jobs: [ObservedJob], now: Date) -> DirectiveEvaluation {
        Evaluator(directive: directive, observed: jobs, now: now).evaluate()
    }

    /// The wait before the attempt after `failedAttempt` (1-based): backoffSeconds x multiplier^(n-1).
    public static func backoff(_ retry: Directive.RetryPolicy?, afterAttempt failedAttempt: Int) -> TimeInterval {
        let base = Double(retry?.backoffSeconds ?? defaultBackoffSeconds)
        let multiplier = retry?.backoffMultiplier ?? defaultBackoffMultiplier
        let seconds = base * pow(multiplier, max(0, Double(failedAttempt) - 1))
        return seconds.isFinite ? max(0, min(seconds, maxBackoffSeconds)) : maxBackoffSeconds
    }
}

/// A run before its jobs are worked out: when, why, and which jobs it has.
struct RunSeed {
    var time: Date
    var trigger: Directive.Trigger
    /// It takes the spec's jobs: it starts in this pass, or a pass that started it stopped before
    /// recording it.
    var startsNow = false
    /// Why its first attempts start, for the plan.
    var reason: String?
    var knownJobIDs: [String] = []
}

struct Evaluator {
    let directive: Directive
    let observed: [ObservedJob]
    let now: Date
    let schedule: DirectiveSchedule
    let maxAttempts: Int
    let suspended: Bool
    let policy: Directive.ConcurrencyPolicy

    init(directive: Directive, observed: [ObservedJob], now: Date) {
        self.directive = directive
        self.observed = observed.filter { $0.directive == directive.metadata.name && $0.isManaged }
        self.now = now
        schedule = DirectiveSchedule(directive)
        maxAttempts = max(1, directive.spec.retry?.maxAttempts ?? 1)
        suspended = directive.spec.suspend ?? false
        policy = directive.spec.concurrencyPolicy ?? .allow
    }

    func evaluate() -> DirectiveEvaluation {
        var result = DirectiveEvaluation()
        let stored = directive.status
        let storedLast = stored?.lastScheduleTime.flatMap(RFC3339.date(from:))
        let last = storedLast ?? directive.metadata.creationTimestamp.flatMap(RFC3339.date(from:)) ?? now
        var seeds = knownRuns()
        result.lastScheduleTime = unrecordedStarts(into: &seeds, after: last, storedLast: storedLast)
        requestedRun(into: &seeds, &result)

        let jobsByRun = Dictionary(grouping: observed, by: \.runID)
        var storedRuns: [String: Directive.Status.Run] = [:]
        for run in stored?.runs ?? [] {
            guard let time = RFC3339.date(from: run.scheduledTime) else { continue }
            storedRuns[DirectiveNaming.runID(time, trigger: run.trigger ?? .schedule)] = run
        }
        let usualDuration = Self.medianDuration(observed) ?? Self.medianDuration(stored?.runs ?? [])
        func progress(_ id: String, _ seed: RunSeed) -> RunProgress {
            self.progress(ofRun: id, seed, observed: jobsByRun[id] ?? [], stored: storedRuns[id], usualDuration: usualDuration)
        }
        var runs = seeds.map { id, seed in progress(id, seed) }
        // The schedule's runs, once the runs already going are known: the concurrency policy looks at them.
        let due = scheduledRuns(after: last, active: runs.filter { !$0.isFinal }, known: Set(seeds.keys), &result)
        runs += due.map { id, seed in progress(id, seed) }
        runs.sort { ($0.time, $0.id) > ($1.time, $1.id) }
        replaceOlderRuns(&runs, jobsByRun: jobsByRun, deletions: &result.deletions)
        result.runs = keepingHistory(runs, jobsByRun: jobsByRun, deletions: &result.deletions)
        let nextExpiry = expiringJobs(runs, jobsByRun: jobsByRun, deletions: &result.deletions)
        result.deletions = Array(result.deletions.prefix(DirectiveRuns.deletesPerPass))

        result.nextRunTime = suspended ? nil : schedule.nextRun(after: now)
        for run in result.runs {
            if run.sloOk == nil, let deadline = run.deadline { result.requeueAt = earliest(result.requeueAt, deadline) }
            for job in run.jobs { result.requeueAt = earliest(result.requeueAt, job.retryAt) }
        }
        result.requeueAt = earliest(result.requeueAt, result.nextRunTime)
        result.requeueAt = earliest(result.requeueAt, nextExpiry)
        return result
    }

    /// Runs already known: recorded in status, or with Jobs in the cluster.
    private func knownRuns() -> [String: RunSeed] {
        var seeds: [String: RunSeed] = [:]
        for run in directive.status?.runs ?? [] {
            guard let time = RFC3339.date(from: run.scheduledTime) else { continue }
            let trigger = run.trigger ?? .schedule
            seeds[DirectiveNaming.runID(time, trigger: trigger), default: RunSeed(time: time, trigger: trigger)].knownJobIDs += run.jobs.map(\.id)
        }
        for job in observed {
            guard let (time, trigger) = DirectiveNaming.runTime(fromID: job.runID) else { continue }
            seeds[job.runID, default: RunSeed(time: time, trigger: trigger)].knownJobIDs.append(job.jobID)
        }
        return seeds
    }

    /// A scheduled run a pass started but did not record (it stopped halfway) is finished, whatever
    /// catchUp and the concurrency policy say; the last schedule time it makes.
    private func unrecordedStarts(into seeds: inout [String: RunSeed], after last: Date, storedLast: Date?) -> Date? {
        var lastScheduled = storedLast
        for (id, seed) in seeds where seed.trigger == .schedule && seed.time > last && !seed.startsNow {
            seeds[id]?.startsNow = true
            seeds[id]?.reason = "scheduled run \(schedule.localDateTime(seed.time)), started before and not finished starting"
            lastScheduled = max(lastScheduled ?? seed.time, seed.time)
        }
        return lastScheduled
    }

    /// A run someone asked for (`hmsctl directive run`): a new annotation value is a new request.
    private func requestedRun(into seeds: inout [String: RunSeed], _ result: inout DirectiveEvaluation) {
        let stored = directive.status
        result.handledRunRequest = stored?.lastHandledRunRequest
        guard let request = directive.metadata.annotations?[DirectiveNaming.runRequestAnnotation], request != stored?.lastHandledRunRequest,
            let requested = RFC3339.date(from: request)
        else { return }
        let time = Date(timeIntervalSince1970: requested.timeIntervalSince1970.rounded(.down))
        if suspended {
            result.notes.append("the run requested for \(schedule.localDateTime(time)) waits: the directive is suspended")
        } else if time > now {
            result.requeueAt = earliest(result.requeueAt, time)
        } else {
            let id = DirectiveNaming.runID(time, trigger: .manual)
            var seed = seeds[id] ?? RunSeed(time: time, trigger: .manual)
            seed.startsNow = true
            seed.reason = "manual run requested for \(schedule.localDateTime(time))"
            seeds[id] = seed
            result.handledRunRequest = request
        }
    }

    // MARK: - One run

    private func progress(ofRun id: String, _ seed: RunSeed, observed: [ObservedJob], stored: Directive.Status.Run?, usualDuration: TimeInterval?) -> RunProgress {
        // Finished before this pass: as the status recorded it.
        if let stored, stored.completionTime != nil, !seed.startsNow {
            return RunProgress(
                id: id, time: seed.time, trigger: seed.trigger, jobs: [], recorded: stored,
                deadline: stored.sloDeadline.flatMap(RFC3339.date(from:)), completionTime: stored.completionTime.flatMap(RFC3339.date(from:)),
                sloOk: stored.sloOk)
        }
        // The spec's jobs for a run that starts now or is still open (the status lists only some
        // of its jobs; a job without a Job yet is one to start); the jobs it had otherwise.
        var jobIDs = seed.startsNow || stored != nil ? directive.spec.jobs.map(\.id) : []
        var seen = Set(jobIDs)
        for jobID in seed.knownJobIDs where seen.insert(jobID).inserted { jobIDs.append(jobID) }
        let attemptsByJob = Dictionary(grouping: observed, by: \.jobID)
        let storedJobs = Dictionary((stored?.jobs ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let jobs = jobIDs.map { jobID in
            progress(ofJob: jobID, runID: id, seed, attempts: attemptsByJob[jobID] ?? [], stored: storedJobs[jobID])
        }

        var run = RunProgress(id: id, time: seed.time, trigger: seed.trigger, jobs: jobs, recorded: nil)
        let succeeded = jobs.allSatisfy { $0.state == .succeeded }
        if run.isFinal { run.completionTime = jobs.compactMap(\.finishTime).max() }
        run.deadline = directive.spec.slo.flatMap { schedule.sloDeadline(forRunAt: seed.time, finishBefore: $0.finishBefore) }
        guard let deadline = run.deadline else { return run }

        // Once decided, the SLO's verdict on a run stays.
        if let decided = stored?.sloOk {
            run.sloOk = decided
        } else if succeeded, run.isFinal {
            run.sloOk = (run.completionTime ?? now) <= deadline
        } else if run.isFinal || now >= deadline {
            // Late, or finished with a job that failed for good: it cannot succeed in time.
            run.sloOk = false
        }
        // Projected from this run's durations so far, else from the Directive's other runs.
        if run.sloOk == nil, let typicalDuration = Self.medianDuration(observed) ?? usualDuration {
            run.projectedFinish = jobs.filter { !$0.isFinal }.map { job -> Date in
                switch job.state {
                case .running: max(now, (job.startTime ?? now).addingTimeInterval(typicalDuration))
                default: max(now, job.retryAt ?? now).addingTimeInterval(typicalDuration)
                }
            }.max()
            run.sloAtRisk = run.projectedFinish.map { $0 > deadline } ?? false
        }
        return run
    }

    // MARK: - One job

    private func progress(ofJob jobID: String, runID: String, _ seed: RunSeed, attempts: [ObservedJob], stored: Directive.Status.JobStatus?) -> JobProgress {
        let recorded = stored?.attempts ?? 0
        let job = JobProgress(id: jobID, state: .pending, attempts: recorded)
        // The latest attempt the cluster shows, unless the status already asked for a later one.
        if let latest = attempts.max(by: { $0.attempt < $1.attempt }), latest.attempt >= recorded {
            return progress(of: job, latest: latest, runID: runID, seed)
        }
        if let stored, recorded > 0 {
            switch stored.state {
            case .succeeded, .failed, .timedOut:
                // Its Jobs were cleaned up; the status remembers how it ended.
                return JobProgress(id: jobID, state: stored.state, attempts: recorded, jobName: stored.jobName,
                                   startTime: stored.startTime.flatMap(RFC3339.date(from:)),
                                   finishTime: stored.completionTime.flatMap(RFC3339.date(from:)), message: stored.message, isFinal: true)
            case .pending:
                return starting(job, runID: runID, seed, attempt: recorded, "attempt \(recorded) was asked for and its Job is not in the cluster yet")
            case .running:
                return starting(job, runID: runID, seed, attempt: recorded, "the Job of attempt \(recorded) is gone before it finished: created again")
            }
        }
        return starting(job, runID: runID, seed, attempt: 1, seed.reason ?? "run \(schedule.localDateTime(seed.time))")
    }

    /// A job as its latest attempt in the cluster shows it: running, done, or failed and then
    /// final, waiting for its backoff, or retried now.
    private func progress(of pending: JobProgress, latest: ObservedJob, runID: String, _ seed: RunSeed) -> JobProgress {
        var job = pending
        job.state = latest.state
        job.attempts = latest.attempt
        job.jobName = latest.name
        job.startTime = latest.startTime
        job.finishTime = latest.finishTime
        switch latest.phase {
        case .active:
            return job
        case .succeeded:
            job.isFinal = true
            return job
        case .failed, .timedOut:
            let timedOut = latest.phase == .timedOut
            let what = timedOut ? "timed out after \(directive.spec.maxRuntimeSeconds.map { "\($0)s" } ?? "its deadline")" : "failed"
            let detail = timedOut ? "" : latest.message.map { " (\($0))" } ?? ""
            guard latest.attempt < maxAttempts else {
                job.isFinal = true
                job.message = "attempt \(latest.attempt) of \(maxAttempts) \(what)\(detail)"
                return job
            }
            let failedAt = latest.finishTime ?? latest.startTime ?? seed.time
            let wait = DirectiveRuns.backoff(directive.spec.retry, afterAttempt: latest.attempt)
            let retryAt = failedAt.addingTimeInterval(wait)
            let retry = "attempt \(latest.attempt) \(what) at \(schedule.localTime(failedAt))\(detail)"
            if now >= retryAt {
                return starting(job, runID: runID, seed, attempt: latest.attempt + 1, "retry: \(retry); backoff \(Int(wait))s")
            }
            job.state = .pending
            job.retryAt = retryAt
            job.message = "\(retry); attempt \(latest.attempt + 1) at \(schedule.localTime(retryAt))"
            return job
        }
    }

    /// The job with `attempt` to start now (or waiting, while the directive is suspended).
    private func starting(_ job: JobProgress, runID: String, _ seed: RunSeed, attempt: Int, _ reason: String) -> JobProgress {
        var starting = job
        starting.state = .pending
        starting.retryAt = nil
        starting.isFinal = false
        guard !suspended else {
            starting.message = "attempt \(attempt) waits: the directive is suspended"
            return starting
        }
        let name = DirectiveNaming.jobName(directive: directive.metadata.name, runID: runID, jobID: job.id, attempt: attempt)
        starting.attempts = attempt
        starting.jobName = name
        starting.startTime = nil
        starting.finishTime = nil
        starting.message = "starting attempt \(attempt) of \(maxAttempts)"
        starting.starting = JobStart(runID: runID, runTime: seed.time, trigger: seed.trigger, jobID: job.id, attempt: attempt, jobName: name, reason: reason)
        return starting
    }

    // MARK: - Durations and history

    /// The median duration of the attempts that succeeded.
    static func medianDuration(_ jobs: [ObservedJob]) -> TimeInterval? {
        median(jobs.compactMap { job in
            guard job.phase == .succeeded, let start = job.startTime, let finish = job.finishTime else { return nil }
            return finish.timeIntervalSince(start)
        })
    }

    /// The median duration of the jobs that succeeded in the runs the status remembers.
    static func medianDuration(_ runs: [Directive.Status.Run]) -> TimeInterval? {
        median(runs.flatMap(\.jobs).compactMap { job in
            guard job.state == .succeeded, let start = job.startTime.flatMap(RFC3339.date(from:)),
                let finish = job.completionTime.flatMap(RFC3339.date(from:))
            else { return nil }
            return finish.timeIntervalSince(start)
        })
    }

    static func median(_ values: [TimeInterval]) -> TimeInterval? {
        guard !values.isEmpty else { return nil }
        return max(0, values.sorted()[values.count / 2])
    }
}

func earliest(_ first: Date?, _ second: Date?) -> Date? {
    switch (first, second) {
    case let (first?, second?): min(first, second)
    case let (first?, nil): first
    case let (nil, second): second
    }
}
