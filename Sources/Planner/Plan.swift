import Foundation
import JSON

/// What a gate says about an action, from least to most severe.
public enum Verdict: String, Sendable, Codable, Comparable, CaseIterable {
    /// Goes ahead as planned.
    case allow = "ALLOW"
    /// Goes ahead, changed to fit (a budget clamps a scale-up).
    case clamp = "CLAMP"
    /// Waits for an Approval naming its id.
    case hold = "HOLD"
    /// Waits for a window to open (a freeze, or a paused service).
    case `defer` = "DEFER"
    /// Refused, with the policy's reason.
    case deny = "DENY"

    private var severity: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (left: Verdict, right: Verdict) -> Bool { left.severity < right.severity }

    /// Whether the executor carries the action out.
    public var proceeds: Bool { self == .allow || self == .clamp }
}

public struct GateVerdict: Sendable, Codable, Equatable {
    public var gate: String
    public var verdict: Verdict
    public var reason: String
    /// For a finding on the live state: the GovernancePolicy (nil: the controller's own rule) and
    /// the rule it breaks, as `hms_policy_findings` counts them.
    public var policy: String?
    public var rule: String?

    public init(gate: String, verdict: Verdict, reason: String, policy: String? = nil, rule: String? = nil) {
        self.gate = gate
        self.verdict = verdict
        self.reason = reason
        self.policy = policy
        self.rule = rule
    }
}

/// One change the plan would make to the cluster.
public struct Action: Sendable, Equatable {
    public enum Verb: String, Sendable, Codable, CaseIterable {
        case deploy, update, scale, restart, delete
        case startJob = "start-job"

        /// Terraform-like symbols for the plan text.
        public var symbol: String {
            switch self {
            case .deploy: "+"
            case .update, .scale: "~"
            case .restart: "↻"
            case .delete: "-"
            case .startJob: "▶"
            }
        }
    }

    /// Stable: a hash of the target and every field of the change, so an Approval can name it
    /// and cannot release any other change (`Action.id(target:change:)`). Read-only outside the
    /// planner; set again whenever the change is.
    public internal(set) var id: String
    /// The resource that asks for the action (a ServiceSpec, a Directive).
    public var source: ObjectRef
    /// The object the action changes (a Deployment, a Service, a Job, a Pod).
    public let target: ObjectRef
    /// What it changes. A gate that alters it (the budget clamps a scale-up) changes the id with it.
    public var change: Change {
        didSet { id = Self.id(target: target, change: change) }
    }
    public var reason: String
    public var costDeltaUSDPerHour: Double
    public var gates: [GateVerdict]
    /// The objects to write when the action proceeds (Deployment, Service, Job; none for deletes
    /// and pod replacements), rendered from the change once the gates have judged it.
    public internal(set) var manifests: [JSONValue]
    /// For a change of one field of a live object (a scale, a restart): the merge patch of the
    /// target that makes it, touching nothing else, so that it never carries another change (a
    /// new image) that the gates did not let through.
    public internal(set) var patch: JSONValue?

    public init(source: ObjectRef, target: ObjectRef, change: Change, reason: String, costDeltaUSDPerHour: Double = 0,
                gates: [GateVerdict] = [], manifests: [JSONValue] = []) {
        self.id = Self.id(target: target, change: change)
        self.source = source
        self.target = target
        self.change = change
        self.reason = reason
        self.costDeltaUSDPerHour = costDeltaUSDPerHour
        self.gates = gates
        self.manifests = manifests
    }

    public var verb: Verb { change.verb }

    public var finalVerdict: Verdict { gates.lazy.map(\.verdict).max() ?? .allow }
}

/// What a prune must confirm before it deletes a managed Deployment (and its Service): the
/// Deployment is still the one planned on (`uid`, a delete precondition), and its owner is gone.
public struct PruneCondition: Sendable, Equatable {
    public enum Owner: Sendable, Equatable {
        /// Its controller ownerReference: gone when a live read of that ServiceSpec answers 404
        /// or another uid.
        case serviceSpec(ServiceSpecOwner)
        /// Made before ownerReferences: gone when a live read of the ServiceSpec of its name answers 404.
        case serviceSpecNamed(String)
        /// Made from a manifests directory that no longer declares it; no ServiceSpec in the
        /// cluster has a say.
        case createdFromManifests

        var pruneReason: String {
            switch self {
            case .serviceSpec(let owner): "its ServiceSpec \(owner.name) (uid \(owner.uid)) is gone (--prune)"
            case .serviceSpecNamed(let name): "no ServiceSpec \(name) declares it (--prune)"
            case .createdFromManifests: "made from the manifests directory, which no longer declares it (--prune)"
            }
        }
    }

    /// The Deployment's uid as observed (every stored object has one; without it nothing is deleted).
    public var uid: String?
    public var owner: Owner

    public init(uid: String?, owner: Owner) {
        self.uid = uid
        self.owner = owner
    }
}

/// The ordered actions of one reconcile pass, what each Directive should show, and each service's health.
/// (The status of ServiceSpecs, Budgets and rules depends on what the actions did: `Statuses`.)
public struct Plan: Sendable, Equatable {
    public var actions: [Action]
    /// Each Directive's runs: the status to write and the incidents to raise.
    public var directives: [DirectiveReport]
    /// The health of each ServiceSpec with failing pods: which to replace, or Degraded.
    public var health: [ObjectRef: ServiceHealth]
    /// The Deployments this plan rendered to compare, for the next plan to reuse
    /// (`Planner.Options.renderedDeployments`): what the shell keeps between passes.
    public var renderedDeployments: [ObjectRef: RenderedDeployment] = [:]

    public init(actions: [Action] = [], directives: [DirectiveReport] = [],
                health: [ObjectRef: ServiceHealth] = [:]) {
        self.actions = actions
        self.directives = directives
        self.health = health
    }

    public var isEmpty: Bool { actions.isEmpty }

    public var incidents: [Incident] { directives.flatMap(\.incidents) }

    /// When to reconcile again even if nothing in the cluster changes: a run falls due, a retry's
    /// backoff ends, an SLO deadline passes.
    public var requeueAt: Date? { directives.compactMap(\.requeueAt).min() }

    public func count(_ verb: Action.Verb) -> Int { actions.count { $0.verb == verb } }
    public func count(_ verdict: Verdict) -> Int { actions.count { $0.finalVerdict == verdict } }
}
