import Foundation
import Model

/// A Kubernetes Event the core decides on: what it is about, its name (which the decision
/// determines, so that the same decision is one Event however many passes see it), and what it
/// says. The shell's `EventRecorder` only creates or counts it.
public struct PlannedEvent: Sendable, Equatable {
    public var about: ObjectRef
    public var uid: String?
    public var name: String
    public var type: String
    public var reason: String
    public var message: String
    /// A decision that comes again on a later pass is a repeat, counted; a fact that a later
    /// pass sees again (an incident of one run) is not: it stays at count 1.
    public var countsRepeats = true

    public init(about: ObjectRef, uid: String?, name: String, type: String, reason: String, message: String, countsRepeats: Bool = true) {
        self.about = about
        self.uid = uid
        self.name = name
        self.type = type
        self.reason = reason
        self.message = message
        self.countsRepeats = countsRepeats
    }

    /// `resource.suffix`, the resource's part cut so that the whole fits an object name (253).
    public static func name(_ resource: String, _ suffix: String) -> String {
        let room = max(1, 253 - suffix.count - 1)
        var head = String(resource.prefix(room))
        while let last = head.last, last == "-" || last == "." { head.removeLast() }
        return (head.isEmpty ? "x" : head) + "." + suffix
    }
}

/// What a pass records once its actions have run: the Events of each outcome, incident and
/// degraded service, and each Directive's status with the starts that failed. Pure: the
/// Reconciler writes what these return.
public enum Records {
    /// The Event of one decision, on the resource that asked for it. Named after the action and
    /// its outcome, so that an action carried out after it was held (approved) gets its own.
    public static func event(for outcome: ActionOutcome, uid: String?) -> PlannedEvent {
        let action = outcome.action
        let (type, reason) = eventKind(outcome)
        let gates = action.gates.filter { $0.verdict != .allow }.map(\.reason)
        let message = "\(action.verb.rawValue) \(action.target.kind) \(action.target.name) \(action.change.fromText) → \(action.change.toText)"
            + (gates.isEmpty ? "" : ": " + gates.joined(separator: "; ")) + " (\(action.id))"
        return PlannedEvent(about: action.source, uid: uid, name: PlannedEvent.name(action.source.name, "\(action.id).\(eventOutcome(outcome))"),
                            type: type, reason: reason, message: message)
    }

    /// A Warning Event `DriftReverted` for an update carried out that set back fields another
    /// manager changed, naming each field and that manager; nil for any other outcome. Named
    /// after the action, so that passes that see the same drift make one Event.
    public static func driftEvent(for outcome: ActionOutcome, uid: String?) -> PlannedEvent? {
        let drift = outcome.action.change.drift
        guard outcome.result == .done, !drift.isEmpty else { return nil }
        let action = outcome.action
        let message = "reverted on \(action.target.kind) \(action.target.name): " + drift.map(\.text).joined(separator: "; ") + " (\(action.id))"
        return PlannedEvent(about: action.source, uid: uid, name: PlannedEvent.name(action.source.name, "\(action.id).driftreverted"),
                            type: "Warning", reason: driftRevertedReason, message: message)
    }

    public static let driftRevertedReason = "DriftReverted"

    /// One Event per run and outcome for job starts, and for Job deletes: a run of 1,000 jobs is
    /// one line, not 1,000.
    public static func runStartEvents(_ outcomes: [ActionOutcome], uids: [ObjectRef: String?]) -> [PlannedEvent] {
        groupedByRun(outcomes.filter(\.action.change.isDirectiveJob)).compactMap { runStartEvent($0, uid: uids[$0[0].action.source] ?? nil) }
    }

    /// An Event per incident (`SLOBreached`, `SLOAtRisk`, `TooManyMissedTimes`, `JobAlreadyActive`),
    /// named after the run so that it is raised once however many passes see it.
    public static func incidentEvents(_ reports: [DirectiveReport]) -> [PlannedEvent] {
        reports.flatMap { report in
            (report.incidents + report.notices).map { incident in
                PlannedEvent(about: incident.source, uid: report.uid,
                             name: PlannedEvent.name(incident.source.name, "\(incident.reason.rawValue.lowercased()).\(incident.runID)"),
                             type: incident.reason.eventType, reason: incident.reason.rawValue, message: incident.message, countsRepeats: false)
            }
        }
    }

    /// One Event per outage of a degraded service: named by when its longest-failing pod turned
    /// unready (not by the condition's time, which a pass reading a stale status would set anew),
    /// so that a pass repeating it meets the one that exists.
    public static func degradedEvent(_ service: ServiceSpec, health: ServiceHealth?) -> PlannedEvent? {
        guard let health, health.degraded else { return nil }
        let since = health.failingSince.map { RFC3339.string(from: $0) } ?? "unknown"
        return PlannedEvent(about: service.ref, uid: service.metadata.uid,
                            name: PlannedEvent.name(service.metadata.name, "servicedegraded.\(DirectiveNaming.stableHash(since))"),
                            type: "Warning", reason: ServiceHealth.degradedReason, message: health.message, countsRepeats: false)
    }

    /// The Directive's status as the plan worked it out, a start that failed saying why in its
    /// job's message; nil when the stored status says the same.
    public static func directiveStatus(_ report: DirectiveReport, stored: Directive.Status?, outcomes: [ActionOutcome]) -> Directive.Status? {
        var failures: [String: String] = [:]
        for outcome in outcomes where outcome.action.verb == .startJob && outcome.action.source == report.directive {
            if case .failed(let message) = outcome.result { failures[outcome.action.target.name] = message }
        }
        var status = report.status
        if !failures.isEmpty {
            status.runs = status.runs?.map { run in
                var run = run
                run.jobs = run.jobs.map { job in
                    var job = job
                    if let name = job.jobName, let failure = failures[name] { job.message = "could not create the Job: \(failure)" }
                    return job
                }
                return run
            }
        }
        return status == stored ? nil : status
    }

    // MARK: - Naming and grouping

    /// The outcome's part of an Event name.
    static func eventOutcome(_ outcome: ActionOutcome) -> String {
        switch outcome.result {
        case .done: "done"
        case .notCarriedOut(.hold): "held"
        case .notCarriedOut(.defer): "deferred"
        case .notCarriedOut: "denied"
        case .skipped: "skipped"
        case .failed: "failed"
        }
    }

    static func eventKind(_ outcome: ActionOutcome) -> (type: String, reason: String) {
        // A finding on the live state is a warning about the workload, not a decision denied.
        if case .foreignContainers = outcome.action.change { return ("Warning", "ForeignContainer") }
        return switch outcome.result {
        case .done: ("Normal", outcome.action.verb.eventReason)
        case .notCarriedOut(.hold): ("Normal", "ActionHeld")
        case .notCarriedOut(.defer): ("Normal", "ActionDeferred")
        case .notCarriedOut: ("Warning", "ActionDenied")
        case .skipped: ("Normal", "ActionSkipped")
        case .failed: ("Warning", "ActionFailed")
        }
    }

    /// Job starts by Directive, run and outcome, in plan order.
    static func groupedByRun(_ outcomes: [ActionOutcome]) -> [[ActionOutcome]] {
        var order: [String] = []
        var groups: [String: [ActionOutcome]] = [:]
        for outcome in outcomes {
            let key = "\(outcome.action.source)|\(outcome.action.change.run ?? "")|\(eventKind(outcome).reason)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(outcome)
        }
        return order.compactMap { groups[$0] }
    }

    /// The starts of one run with one outcome: how many, the first few job names and gate reasons.
    static func runStartEvent(_ group: [ActionOutcome], uid: String?) -> PlannedEvent? {
        guard let first = group.first else { return nil }
        let source = first.action.source
        let (type, reason) = eventKind(first)
        let names = group.prefix(3).map(\.action.target.name).joined(separator: ", ") + (group.count > 3 ? ", ..." : "")
        let gates = Array(Set(group.flatMap { $0.action.gates.filter { $0.verdict != .allow }.map(\.reason) })).sorted().prefix(3)
        var failures = ""
        if case .failed(let message) = first.result { failures = ": " + message }
        let deletes = first.action.verb == .delete
        let verb = (first.result == .done ? "" : "not ") + (deletes ? "deleted" : "started")
        let message = "\(verb) \(group.count) \(deletes ? "Job" : "job")\(group.count == 1 ? "" : "s") of run \(first.action.change.run ?? "?") (\(names))"
            + (gates.isEmpty ? "" : ": " + gates.joined(separator: "; ")) + failures
        let identity = group.map(\.action.id).joined(separator: ",") + "|" + reason
        return PlannedEvent(about: source, uid: uid, name: PlannedEvent.name(source.name, DirectiveNaming.stableHash(identity)),
                            type: type, reason: reason, message: message)
    }
}

extension Action.Verb {
    /// The reason of the Event of a decision carried out.
    public var eventReason: String {
        switch self {
        case .deploy: "Deployed"
        case .update: "Updated"
        case .scale: "Scaled"
        case .restart: "Restarted"
        case .delete: "Deleted"
        case .startJob: "JobStarted"
        }
    }
}
