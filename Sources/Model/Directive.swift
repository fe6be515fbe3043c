import JSON

/// A big instruction: at each scheduled time it is split into jobs, each run as a batch/v1 Job.
public struct Directive: Resource {
    public static let kind = "Directive"
    public static let plural = "directives"
    public static let shortNames = ["dir"]
    public static let schema = OpenAPISchema.resource(Directive.self)

    public enum CatchUp: String, WireEnum {
        case none, latest, all
    }

    /// What a scheduled run does when an earlier run is still active, as a CronJob's
    /// `concurrencyPolicy`: start alongside it, wait (skipped while it is active), or replace it
    /// (its active Jobs deleted).
    public enum ConcurrencyPolicy: String, WireEnum {
        case allow = "Allow", forbid = "Forbid", replace = "Replace"
    }

    /// Finished runs whose Jobs are kept when the spec does not say, as a CronJob's.
    public static let defaultSuccessfulRunsHistoryLimit = 3
    public static let defaultFailedRunsHistoryLimit = 1
    /// A finished Job of a complete run is deleted by the controller this long after it
    /// finished, unless the history limits delete it first (a week by default). Never a Job of a
    /// run still open: the run would start it again.
    public static let defaultTTLSecondsAfterFinished = 604_800

    public struct Spec: Codable, Sendable, Equatable {
        /// Five-field cron, or "HH:MM" for daily at that time.
        public var schedule: CronSchedule
        /// IANA time zone the schedule and SLO are read in (default UTC).
        public var timeZone: TimeZoneID?
        public var template: JobTemplate
        public var jobs: [Job]
        public var retry: RetryPolicy?
        /// A job running longer is TIMED_OUT and stopped.
        public var maxRuntimeSeconds: Int?
        public var slo: SLO?
        /// Runs missed while the controller was down (default none).
        public var catchUp: CatchUp?
        /// True: no new runs start.
        public var suspend: Bool?
        /// A scheduled run while another is active (default Allow).
        public var concurrencyPolicy: ConcurrencyPolicy?
        /// A scheduled run not started this many seconds after its time is missed and skipped
        /// (default: 120 under catchUp none, no limit under latest and all).
        public var startingDeadlineSeconds: Int?
        /// Finished runs whose Jobs are kept, newest first: those that succeeded (default 3)...
        public var successfulRunsHistoryLimit: Int?
        /// ...and those that did not (default 1). Older runs' Jobs are deleted.
        public var failedRunsHistoryLimit: Int?
        /// How long after it finished a Job of a complete run is kept (default a week): applied by
        /// the controller once the run is complete, not set on the Jobs.
        public var ttlSecondsAfterFinished: Int?

        public init(schedule: CronSchedule, timeZone: TimeZoneID? = nil, template: JobTemplate, jobs: [Job], retry: RetryPolicy? = nil, maxRuntimeSeconds: Int? = nil, slo: SLO? = nil, catchUp: CatchUp? = nil, suspend: Bool? = nil,
                    concurrencyPolicy: ConcurrencyPolicy? = nil, startingDeadlineSeconds: Int? = nil, successfulRunsHistoryLimit: Int? = nil,
                    failedRunsHistoryLimit: Int? = nil, ttlSecondsAfterFinished: Int? = nil) {
            self.schedule = schedule
            self.timeZone = timeZone
            self.template = template
            self.jobs = jobs
            self.retry = retry
            self.maxRuntimeSeconds = maxRuntimeSeconds
            self.slo = slo
            self.catchUp = catchUp
            self.suspend = suspend
            self.concurrencyPolicy = concurrencyPolicy
            self.startingDeadlineSeconds = startingDeadlineSeconds
            self.successfulRunsHistoryLimit = successfulRunsHistoryLimit
            self.failedRunsHistoryLimit = failedRunsHistoryLimit
            self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        }
    }

    public struct JobTemplate: Codable, Sendable, Equatable {
        public var image: String
        public var command: [String]?
        public var args: [String]?
        public var env: [EnvVar]?
        public var resources: ResourceRequests?

        public init(image: String, command: [String]? = nil, args: [String]? = nil, env: [EnvVar]? = nil, resources: ResourceRequests? = nil) {
            self.image = image
            self.command = command
            self.args = args
            self.env = env
            self.resources = resources
        }
    }

    public struct Job: Codable, Sendable, Equatable {
        public var id: String
        /// Passed as JSON in the `HMS_PAYLOAD` environment variable.
        public var payload: JSONValue?

        public init(id: String, payload: JSONValue? = nil) {
            self.id = id
            self.payload = payload
        }
    }

    public struct RetryPolicy: Codable, Sendable, Equatable {
        public var maxAttempts: Int
        public var backoffSeconds: Int?
        public var backoffMultiplier: Double?

        public init(maxAttempts: Int, backoffSeconds: Int? = nil, backoffMultiplier: Double? = nil) {
            self.maxAttempts = maxAttempts
            self.backoffSeconds = backoffSeconds
            self.backoffMultiplier = backoffMultiplier
        }
    }

    public struct SLO: Codable, Sendable, Equatable {
        /// Local time (in `timeZone`) by which a run must be complete.
        public var finishBefore: ClockTime

        public init(finishBefore: ClockTime) {
            self.finishBefore = finishBefore
        }
    }

    public enum JobState: String, WireEnum {
        case pending = "PENDING", running = "RUNNING", succeeded = "SUCCEEDED", failed = "FAILED", timedOut = "TIMED_OUT"
    }

    /// What started a run: its schedule, or a person (`hmsctl directive run`).
    public enum Trigger: String, WireEnum {
        case schedule, manual
    }

    public struct Status: Codable, Sendable, Equatable {
        public struct Run: Codable, Sendable, Equatable {
            public var scheduledTime: String
            /// The run's local date, `2026-11-26`.
            public var date: String
            public var trigger: Trigger?
            public var sloDeadline: String?
            /// True when every job succeeded by the deadline, false once the SLO is missed; absent
            /// while it is still open (or when there is no SLO).
            public var sloOk: Bool?
            /// The finish projected from the durations so far falls after the deadline.
            public var sloAtRisk: Bool?
            public var completionTime: String?
            /// How many jobs the run has, and how many are in each state.
            public var jobCount: Int?
            public var counts: JobCounts?
            /// Some of its jobs, not all (a run may have 1,000): the failing ones first (FAILED,
            /// TIMED_OUT, and those waiting to retry or held), then the most recent, each capped;
            /// every job's details are in its Jobs.
            public var jobs: [JobStatus]

            public init(
                scheduledTime: String, date: String, trigger: Trigger? = nil, sloDeadline: String? = nil, sloOk: Bool? = nil,
                sloAtRisk: Bool? = nil, completionTime: String? = nil, jobCount: Int? = nil, counts: JobCounts? = nil, jobs: [JobStatus]
            ) {
                self.scheduledTime = scheduledTime
                self.date = date
                self.trigger = trigger
                self.sloDeadline = sloDeadline
                self.sloOk = sloOk
                self.sloAtRisk = sloAtRisk
                self.completionTime = completionTime
                self.jobCount = jobCount
                self.counts = counts
                self.jobs = jobs
            }

            /// Jobs by state: counted, or from the list of a status written before runs were counted.
            public var jobCounts: JobCounts { counts ?? JobCounts(jobs.map(\.state)) }
            public var totalJobs: Int { jobCount ?? jobs.count }
        }

        /// Jobs of a run by state.
        public struct JobCounts: Codable, Sendable, Equatable {
            public var pending: Int
            public var running: Int
            public var succeeded: Int
            public var failed: Int
            public var timedOut: Int

            public init(pending: Int = 0, running: Int = 0, succeeded: Int = 0, failed: Int = 0, timedOut: Int = 0) {
                self.pending = pending
                self.running = running
                self.succeeded = succeeded
                self.failed = failed
                self.timedOut = timedOut
            }

            public init(_ states: some Sequence<JobState>) {
                self.init()
                for state in states { self[state] += 1 }
            }

            public subscript(state: JobState) -> Int {
                get {
                    switch state {
                    case .pending: pending
                    case .running: running
                    case .succeeded: succeeded
                    case .failed: failed
                    case .timedOut: timedOut
                    }
                }
                set {
                    switch state {
                    case .pending: pending = newValue
                    case .running: running = newValue
                    case .succeeded: succeeded = newValue
                    case .failed: failed = newValue
                    case .timedOut: timedOut = newValue
                    }
                }
            }
        }

        public struct JobStatus: Codable, Sendable, Equatable {
            public var id: String
            public var state: JobState
            public var attempts: Int?
            public var jobName: String?
            public var startTime: String?
            public var completionTime: String?
            public var message: String?

            public init(
                id: String, state: JobState, attempts: Int? = nil, jobName: String? = nil, startTime: String? = nil,
                completionTime: String? = nil, message: String? = nil
            ) {
                self.id = id
                self.state = state
                self.attempts = attempts
                self.jobName = jobName
                self.startTime = startTime
                self.completionTime = completionTime
                self.message = message
            }
        }

        public var observedGeneration: Int?
        public var lastScheduleTime: String?
        public var nextRunTime: String?
        /// The `ops.hms.gov/run-requested-at` annotation last acted on: a new value asks for a run.
        public var lastHandledRunRequest: String?
        public var runs: [Run]?
        public var conditions: [Condition]?

        public init(
            observedGeneration: Int? = nil, lastScheduleTime: String? = nil, nextRunTime: String? = nil,
            lastHandledRunRequest: String? = nil, runs: [Run]? = nil, conditions: [Condition]? = nil
        ) {
            self.observedGeneration = observedGeneration
            self.lastScheduleTime = lastScheduleTime
            self.nextRunTime = nextRunTime
            self.lastHandledRunRequest = lastHandledRunRequest
            self.runs = runs
            self.conditions = conditions
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public func ruleIssues() -> [FieldIssue] {
        var issues = validateMetadata()
        let template = spec.template
        if ImageReference(parsing: template.image) == nil {
            issues.append(FieldIssue("spec.template.image", "\"\(template.image)\" is not a valid image reference"))
        }
        issues += validateEnv(template.env, at: FieldPath("spec.template.env"))
        if template.env?.contains(where: { $0.name == "HMS_PAYLOAD" }) ?? false {
            issues.append(FieldIssue("spec.template.env", "HMS_PAYLOAD is set by the controller from each job's payload"))
        }
        var firstIndex: [String: Int] = [:]
        for (i, job) in spec.jobs.enumerated() {
            func here() -> FieldPath { FieldPath("spec.jobs").index(i).key("id") }
            if let problem = Names.dns1123LabelProblem(job.id) {
                issues.append(FieldIssue(here(), problem))
            } else if let first = firstIndex[job.id] {
                issues.append(FieldIssue(here(), "duplicate job id \"\(job.id)\" (also spec.jobs[\(first)].id)"))
            } else {
                firstIndex[job.id] = i
            }
        }
        return issues
    }
}
