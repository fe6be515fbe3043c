import Foundation
import Model

/// Something the operators must hear about, raised once per run: a Warning Event and a journal
/// entry; or, a notice, a Normal Event alone.
public struct Incident: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// The run was not complete at its SLO deadline, or finished with a job that failed for good.
        case sloBreached = "SLOBreached"
        /// The finish projected from the durations so far falls after the deadline.
        case sloAtRisk = "SLOAtRisk"
        /// More than 100 scheduled runs were missed before the one that starts, as a CronJob says.
        case tooManyMissedTimes = "TooManyMissedTimes"
        /// A scheduled run not started because another is active under `concurrencyPolicy:
        /// Forbid`: a Normal Event, with a CronJob's reason and words.
        case jobAlreadyActive = "JobAlreadyActive"

        /// Normal for what the policy asked for (a notice), Warning for the rest.
        public var eventType: String { self == .jobAlreadyActive ? "Normal" : "Warning" }
    }

    public var reason: Reason
    public var source: ObjectRef
    public var runID: String
    public var message: String
}

/// What a plan says about one Directive besides its actions: the status to write, the incidents to
/// raise, and when to look again.
public struct DirectiveReport: Sendable, Equatable {
    public var directive: ObjectRef
    public var uid: String?
    public var status: Directive.Status
    public var incidents: [Incident]
    /// Told as Events only, not journaled (`DirectiveEvaluation.notices`).
    public var notices: [Incident] = []
    public var notes: [String]
    public var requeueAt: Date?

    public init(directive: ObjectRef, uid: String? = nil, status: Directive.Status, incidents: [Incident] = [], notes: [String] = [], requeueAt: Date? = nil) {
        self.directive = directive
        self.uid = uid
        self.status = status
        self.incidents = incidents
        self.notes = notes
        self.requeueAt = requeueAt
    }

    /// The status after the gates: a start the gates stopped leaves the job PENDING at its earlier
    /// attempt, with the verdict as its message, so the next pass asks again.
    init(_ directive: Directive, _ evaluation: DirectiveEvaluation, judged: [String: Action]) {
        let schedule = DirectiveSchedule(directive)
        self.directive = directive.ref
        uid = directive.metadata.uid
        notes = evaluation.notes
        notices = evaluation.notices
        requeueAt = evaluation.requeueAt
        let previous = directive.status
        var status = Directive.Status(
            observedGeneration: directive.metadata.generation ?? previous?.observedGeneration,
            lastScheduleTime: evaluation.lastScheduleTime.map(RFC3339.string(from:)),
            nextRunTime: evaluation.nextRunTime.map(RFC3339.string(from:)),
            lastHandledRunRequest: evaluation.handledRunRequest,
            conditions: previous?.conditions)
        status.runs = evaluation.runs.map { run in
            if let recorded = run.recorded { return RunSummary.reshaped(recorded) }
            let entries = run.jobs.map { job in
                let status = Self.jobStatus(job, directive: directive, judged: judged)
                let failing = job.state == .failed || job.state == .timedOut || job.retryAt != nil || status.attempts != job.attempts
                return RunSummary.Entry(status: status, failing: failing, latest: job.finishTime ?? job.startTime)
            }
            return Directive.Status.Run(
                scheduledTime: RFC3339.string(from: run.time), date: schedule.localDate(run.time), trigger: run.trigger,
                sloDeadline: run.deadline.map(RFC3339.string(from:)), sloOk: run.sloOk, sloAtRisk: run.sloAtRisk ? true : nil,
                completionTime: run.completionTime.map(RFC3339.string(from:)), jobCount: run.jobs.count,
                counts: Directive.Status.JobCounts(entries.map(\.status.state)), jobs: RunSummary.listed(entries))
        }
        self.status = status

        let previousRuns = Dictionary((previous?.runs ?? []).map { ($0.scheduledTime + "/" + ($0.trigger ?? .schedule).rawValue, $0) },
                                      uniquingKeysWith: { first, _ in first })
        incidents = evaluation.runs.reversed().compactMap { run in
            let before = previousRuns[RFC3339.string(from: run.time) + "/" + run.trigger.rawValue]
            return Self.incident(run, before: before, directive: directive, schedule: schedule)
        } + evaluation.incidents
    }

    static func jobStatus(_ job: JobProgress, directive: Directive, judged: [String: Action]) -> Directive.Status.JobStatus {
        var status = Directive.Status.JobStatus(
            id: job.id, state: job.state, attempts: job.attempts, jobName: job.jobName,
            startTime: job.startTime.map(RFC3339.string(from:)), completionTime: job.finishTime.map(RFC3339.string(from:)),
            message: job.message)
        guard let start = job.starting, let action = judged[start.jobName], !action.finalVerdict.proceeds else { return status }
        let earlier = start.attempt - 1
        status.attempts = earlier
        status.jobName = earlier > 0
            ? DirectiveNaming.jobName(directive: directive.metadata.name, runID: start.runID, jobID: start.jobID, attempt: earlier) : nil
        let why = action.gates.filter { !$0.verdict.proceeds }.map(\.reason).joined(separator: "; ")
        switch action.finalVerdict {
        case .hold: status.message = "attempt \(start.attempt) held for approval (\(action.id)): \(why)"
        case .defer: status.message = "attempt \(start.attempt) deferred: \(why)"
        default: status.message = "attempt \(start.attempt) denied: \(why)"
        }
        return status
    }

    /// A breach when the run's SLO turns false, a warning when it turns at risk; each once per run,
    /// because the stored status remembers it was raised.
    static func incident(_ run: RunProgress, before: Directive.Status.Run?, directive: Directive, schedule: DirectiveSchedule) -> Incident? {
        guard let deadline = run.deadline else { return nil }
        let what = "run \(schedule.localDateTime(run.time))"
        let due = "its SLO deadline \(schedule.localDateTime(deadline))"
        if run.sloOk == false, before?.sloOk != false {
            let open = run.jobs.filter { $0.state != .succeeded }
            let shown = open.prefix(5).map { "\($0.id) \($0.state.rawValue)" + ($0.attempts > 1 ? " after \($0.attempts) attempts" : "") }
            let more = open.count > shown.count ? " and \(open.count - shown.count) more" : ""
            let succeeded = run.jobs.count - open.count
            let message: String
            if let completion = run.completionTime, open.isEmpty {
                message = "\(what) finished at \(schedule.localTime(completion)), after \(due)"
            } else if run.isFinal {
                message = "\(what) cannot meet \(due): \(shown.joined(separator: ", "))\(more) (\(succeeded) of \(run.jobs.count) jobs succeeded)"
            } else {
                message = "\(what) was not complete at \(due): \(shown.joined(separator: ", "))\(more) (\(succeeded) of \(run.jobs.count) jobs succeeded; the jobs keep running)"
            }
            return Incident(reason: .sloBreached, source: directive.ref, runID: run.id, message: message)
        }
        if run.sloOk == nil, run.sloAtRisk, before?.sloAtRisk != true, let projected = run.projectedFinish {
            return Incident(
                reason: .sloAtRisk, source: directive.ref, runID: run.id,
                message: "\(what) is projected to finish at \(schedule.localTime(projected)), after \(due), from the durations of its jobs so far")
        }
        return nil
    }
}
