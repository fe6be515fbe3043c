import Foundation
import JSON
import Model

/// The parts of a live batch/v1 Job of a Directive that planning looks at: which run, job and
/// attempt it is (from its labels), and how it is doing (from its status).
public struct ObservedJob: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case active, succeeded, failed
        /// Stopped by the cluster at `activeDeadlineSeconds` (`maxRuntimeSeconds`).
        case timedOut
    }

    public var namespace: String
    public var name: String
    /// The Job's uid: a delete names it as its precondition.
    public var uid: String?
    /// The directive's name, from the annotation (else the label, which may be shortened).
    public var directive: String
    public var runID: String
    public var jobID: String
    public var attempt: Int
    public var scheduledTime: Date?
    public var trigger: Directive.Trigger?
    public var isManaged: Bool
    public var startTime: Date?
    /// When it succeeded or failed.
    public var finishTime: Date?
    public var phase: Phase
    /// The cluster's words when it failed.
    public var message: String?

    public init(
        namespace: String, name: String, directive: String, runID: String, jobID: String, attempt: Int,
        scheduledTime: Date?, trigger: Directive.Trigger?, isManaged: Bool = true, startTime: Date? = nil,
        finishTime: Date? = nil, phase: Phase, message: String? = nil, uid: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.directive = directive
        self.runID = runID
        self.jobID = jobID
        self.attempt = attempt
        self.scheduledTime = scheduledTime
        self.trigger = trigger
        self.isManaged = isManaged
        self.startTime = startTime
        self.finishTime = finishTime
        self.phase = phase
        self.message = message
    }

    /// Nil for a Job that does not carry a directive's labels.
    public init?(_ object: JSONValue) {
        let metadata = object["metadata"]
        let labels = metadata?["labels"]
        let annotations = metadata?["annotations"]
        guard let name = metadata?["name"]?.stringValue,
            let label = labels?[DirectiveNaming.directiveLabel]?.stringValue,
            let runID = labels?[DirectiveNaming.runLabel]?.stringValue,
            let jobID = labels?[DirectiveNaming.jobLabel]?.stringValue,
            let attempt = labels?[DirectiveNaming.attemptLabel]?.stringValue.flatMap({ Int($0) }),
            // Attempts are 1...100 (spec.retry.maxAttempts); a label outside that is not ours, and
            // `attempt + 1` must not overflow.
            (1...1_000).contains(attempt)
        else { return nil }
        self.name = name
        uid = metadata?["uid"]?.stringValue
        namespace = metadata?["namespace"]?.stringValue ?? "default"
        directive = annotations?[DirectiveNaming.directiveAnnotation]?.stringValue ?? label
        self.runID = runID
        self.jobID = jobID
        self.attempt = attempt
        scheduledTime = annotations?[DirectiveNaming.scheduledTimeAnnotation]?.stringValue.flatMap(RFC3339.date(from:))
        trigger = annotations?[DirectiveNaming.triggerAnnotation]?.stringValue.flatMap(Directive.Trigger.init(rawValue:))
        isManaged = labels?[Rendering.managedByKey]?.stringValue == Rendering.managedByValue

        let status = object["status"]
        startTime = status?["startTime"]?.stringValue.flatMap(RFC3339.date(from:))
        let conditions = (status?["conditions"]?.arrayValue ?? []).filter { $0["status"] == "True" }
        func condition(_ types: String...) -> JSONValue? { conditions.first { types.contains($0["type"]?.stringValue ?? "") } }
        if let done = condition("Complete", "SuccessCriteriaMet") {
            phase = .succeeded
            finishTime = (status?["completionTime"]?.stringValue ?? done["lastTransitionTime"]?.stringValue).flatMap(RFC3339.date(from:))
        } else if let failure = condition("Failed", "FailureTarget") {
            phase = failure["reason"] == "DeadlineExceeded" ? .timedOut : .failed
            finishTime = failure["lastTransitionTime"]?.stringValue.flatMap(RFC3339.date(from:))
            // With backoffLimit 0 "reached the specified backoff limit" says nothing the state does not.
            if failure["reason"] != "BackoffLimitExceeded" { message = failure["message"]?.stringValue }
        } else {
            phase = .active
        }
    }

    /// The job's state as the Directive's status shows it.
    public var state: Directive.JobState {
        switch phase {
        case .active: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .timedOut: .timedOut
        }
    }
}
