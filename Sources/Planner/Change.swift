import Foundation
import Model

/// What one action changes, as values: the gates judge it, the id hashes it, and the objects to
/// write are rendered from it once the gates have had their say.
public enum Change: Sendable, Equatable {
    /// A Deployment's replica count: made with `to` replicas when `from` is nil (not deployed
    /// yet, with its Service when it has a port), else scaled.
    case replicas(ReplicaChange)
    /// A ClusterIP Service in front of a deployed service's pods, on `port`.
    case exposeService(port: Int)
    /// A managed Service brought in line with its ServiceSpec (a port moved, drift set back).
    case updateService(ServiceDiff)
    /// A Deployment's template brought in line with its ServiceSpec.
    case template(TemplateDiff)
    /// A rolling restart: the template's restart stamp moves from `from` (nil: never restarted) to `to`.
    case rollingRestart(from: String?, to: String)
    /// A pod failing its health check, deleted so that its Deployment makes a new one.
    case replacePod
    /// One attempt of one job of a Directive's run, as a Job.
    case startJob(JobAttempt)
    /// A managed Deployment (and its Service) that nothing declares, running `replicas`, or a
    /// managed Service left without its Deployment (0 replicas): deleted
    /// once live reads confirm `condition`.
    case prune(replicas: Int, condition: PruneCondition)
    /// What a managed Deployment's live pod template runs that its ServiceSpec does not declare:
    /// a finding, shown as the update that would remove it and always denied (never carried out).
    case foreignContainers([ForeignContainer])
    /// A Job of a Directive's run deleted (its pods with it): the run is beyond the history
    /// limits, or replaced.
    case deleteJob(JobDeletion)

    public var verb: Action.Verb {
        switch self {
        case .replicas(let change): change.from == nil ? .deploy : .scale
        case .exposeService: .deploy
        case .template, .updateService, .foreignContainers: .update
        case .rollingRestart, .replacePod: .restart
        case .startJob: .startJob
        case .prune, .deleteJob: .delete
        }
    }

    /// Replicas before and after, for what changes a running count (a delete ends with 0); what
    /// the budget prices.
    public var replicaCounts: (from: Int, to: Int)? {
        switch self {
        case .replicas(let change): (change.from ?? 0, change.to)
        case .prune(let replicas, _): (replicas, 0)
        case .exposeService, .updateService, .template, .rollingRestart, .replacePod, .startJob, .foreignContainers, .deleteJob: nil
        }
    }

    /// Fields of an object we made that another field manager changed, set back by this
    /// change when it is carried out (`DriftReverted`, `hms_drift_total`).
    public var drift: [FieldDrift] {
        switch self {
        case .template(let diff): diff.drift
        case .updateService(let diff): diff.drift
        default: []
        }
    }

    /// A Deployment asked to run more replicas than it does (a deploy counts from 0).
    public var scalesUp: Bool {
        guard case .replicas(let change) = self else { return false }
        return change.to > change.from ?? 0
    }

    /// The run of a Directive a job start belongs to.
    public var run: String? {
        switch self {
        case .startJob(let attempt): attempt.run
        case .deleteJob(let deletion): deletion.runID
        default: nil
        }
    }

    /// A Job of a Directive started or deleted: it depends on no other action, and a run's share
    /// one Event.
    public var isDirectiveJob: Bool { run != nil }
}

/// A Deployment's replica count before and after.
public struct ReplicaChange: Sendable, Equatable {
    /// nil: the Deployment does not exist yet.
    public var from: Int?
    public var to: Int
    /// When the budget clamped `to`: the count that was asked for.
    public var requested: Int?

    public init(from: Int?, to: Int, requested: Int? = nil) {
        self.from = from
        self.to = to
        self.requested = requested
    }
}

/// One attempt of one job of a Directive's run: what its Job is made from.
public struct JobAttempt: Sendable, Equatable {
    public var run: String
    /// When the run was scheduled (or asked for): the Job's scheduled-time annotation.
    public var runTime: Date
    public var trigger: Directive.Trigger
    /// The job's id within the Directive.
    public var job: String
    public var attempt: Int
    public var maxAttempts: Int

    public init(run: String, runTime: Date, trigger: Directive.Trigger, job: String, attempt: Int, maxAttempts: Int) {
        self.run = run
        self.runTime = runTime
        self.trigger = trigger
        self.job = job
        self.attempt = attempt
        self.maxAttempts = maxAttempts
    }

    init(_ start: JobStart, maxAttempts: Int) {
        self.init(run: start.runID, runTime: start.runTime, trigger: start.trigger, job: start.jobID, attempt: start.attempt,
                  maxAttempts: maxAttempts)
    }
}

// MARK: - As the plan shows it

extension Change {
    /// What the plan, the journal and Events show before the arrow: a replica count, an image,
    /// a restart stamp, a job id.
    public var fromText: String {
        switch self {
        case .replicas(let change): change.from.map(String.init) ?? "0"
        case .exposeService: "none"
        case .updateService(let diff): diff.fromPort.map { "port \($0)" } ?? "none"
        case .template(let diff): diff.fromImage
        case .rollingRestart(let from, _): from ?? "never"
        case .replacePod: "unhealthy"
        case .startJob(let attempt): attempt.job
        case .prune(let replicas, _): String(replicas)
        case .foreignContainers(let found): found.map(\.summary).joined(separator: ", ")
        case .deleteJob(let deletion): "\(deletion.jobID) attempt \(deletion.attempt)"
        }
    }

    /// What they show after the arrow.
    public var toText: String {
        switch self {
        case .replicas(let change): String(change.to)
        case .exposeService(let port): "port \(port)"
        case .updateService(let diff): "port \(diff.toPort)"
        case .template(let diff): diff.toImage
        case .rollingRestart(_, let to): to
        case .replacePod: "replaced"
        case .startJob(let attempt): "attempt \(attempt.attempt) of \(attempt.maxAttempts)"
        case .prune: "0"
        case .foreignContainers: "not declared: reported, not removed"
        case .deleteJob: "deleted"
        }
    }

    /// The replica count asked for, when the budget clamped it.
    public var requestedText: String? {
        guard case .replicas(let change) = self else { return nil }
        return change.requested.map(String.init)
    }
}
