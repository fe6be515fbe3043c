import JSON
import Model

/// A container of a live pod template, regular or init, as the observer read it: its name, its
/// image, and the field managers the server records for its entry.
public struct TemplateContainer: Sendable, Equatable {
    public enum Role: String, Sendable {
        case container, initContainer
        /// The pod template's field that lists it.
        var field: String { self == .container ? "containers" : "initContainers" }
    }

    public var name: String
    public var image: String?
    public var role: Role
    /// Who owns the entry (its list-map key), from managedFields.
    public var managers: [String]

    public init(name: String, image: String?, role: Role, managers: [String] = []) {
        self.name = name
        self.image = image
        self.role = role
        self.managers = managers
    }

    /// Every container and init container of `template`, with their managers.
    static func all(in template: JSONValue?, managedFields: JSONValue?) -> [TemplateContainer] {
        [Role.container, .initContainer].flatMap { role in
            (template?["spec"]?[role.field]?.arrayValue ?? []).compactMap { container -> TemplateContainer? in
                guard let name = container["name"]?.stringValue else { return nil }
                let entry = ["f:spec", "f:template", "f:spec", "f:\(role.field)", "k:" + JSONValue.object(["name": .string(name)]).jsonText]
                return TemplateContainer(name: name, image: container["image"]?.stringValue, role: role,
                                         managers: ObservedDeployment.managers(owning: entry, in: managedFields))
            }
        }
    }
}

/// What runs in a managed Deployment's pod template that its ServiceSpec does not declare: a
/// container (or init container) it does not render. The controller does not remove it: the entry
/// is another manager's, and taking it would hide who put it there. The governance gate reports it
/// on the live state instead (a DENY, an Event, the console, `hms_policy_findings`) until a person
/// removes it or declares it. (Our own container's image, changed by someone else, is drift in a
/// field we own: the template update sets it back and `DriftReverted` names who changed it.)
public struct ForeignContainer: Sendable, Equatable, Hashable {
    public var name: String
    public var image: String
    public var role: TemplateContainer.Role
    /// The field managers that put it there, when the server records them (ours left out).
    public var managers: [String]

    public init(name: String, image: String, role: TemplateContainer.Role, managers: [String] = []) {
        self.name = name
        self.image = image
        self.role = role
        self.managers = managers
    }

    /// What the live template runs that `service` does not declare, in template order: every
    /// container but ours (`ObservedDeployment.ownContainer`), whatever its place in the list.
    static func found(in live: ObservedDeployment, for service: ServiceSpec) -> [ForeignContainer] {
        let ours = live.ownContainer(for: service)
        return live.templateContainers.compactMap { container in
            if container == ours { return nil }
            let others = container.managers.filter { !Rendering.ownFieldManagers.contains($0) }
            return ForeignContainer(name: container.name, image: container.image ?? "", role: container.role, managers: others)
        }
    }

    /// `container miner (docker.io/evil/miner)`, `init container seed (...)`.
    public var summary: String { "\(role == .container ? "container" : "init container") \(name) (\(image))" }

    /// The governance gate's reason, naming the container, its image and who put it there.
    var finding: String {
        let by = managers.isEmpty ? "" : ", set by \(managers.joined(separator: ", "))"
        return "[\(Self.rule)] \(summary) is not declared by the ServiceSpec\(by): reported, not removed (another manager's field); remove it or declare it"
    }

    static let rule = "foreign-container"
}

extension Planner {
    /// The live-state finding of a managed Deployment running what its ServiceSpec does not declare.
    func foreignContainerAction(_ service: ServiceSpec, _ deploymentRef: ObjectRef, observed: ObservedState) -> Action? {
        guard let live = observed.deployments[deploymentRef], live.isManaged else { return nil }
        let found = ForeignContainer.found(in: live, for: service)
        guard !found.isEmpty else { return nil }
        return Action(source: service.ref, target: deploymentRef, change: .foreignContainers(found),
                      reason: "the live pod template runs what ServiceSpec \(service.metadata.name) does not declare")
    }
}

extension GovernanceGate {
    /// A finding on the live state is denied whatever the policies: it is never carried out, and
    /// each foreign container is named. A policy whose registries do not allow its image says so too.
    func judgeFindings(_ action: inout Action, _ found: [ForeignContainer], labels: [String: String]) {
        for container in found {
            action.gates.append(GateVerdict(gate: "governance", verdict: .deny, reason: container.finding, rule: ForeignContainer.rule))
            let applying = (policiesByNamespace[action.source.namespace] ?? []).filter { $0.spec.selector?.matches(labels) ?? true }
            for policy in applying.sorted(by: { $0.metadata.name < $1.metadata.name }) {
                guard let registries = policy.spec.allowedRegistries, !Self.allowed(container.image, by: registries) else { continue }
                action.gates.append(GateVerdict(
                    gate: "governance", verdict: .deny,
                    reason: "[registry] \(container.summary) is not from an allowed registry (\(registries.joined(separator: ", "))) (GovernancePolicy \(policy.metadata.name))",
                    policy: policy.metadata.name, rule: "registry"))
            }
        }
    }
}

/// A rule a live object breaks, by policy (nil: the controller's own rule) and rule: what
/// `hms_policy_findings{policy,rule}` counts.
public struct PolicyFinding: Sendable, Hashable {
    public var policy: String?
    public var rule: String

    public init(policy: String?, rule: String) {
        self.policy = policy
        self.rule = rule
    }
}

extension Plan {
    /// The live-state findings of this plan, one per denied verdict of each finding action.
    public var findings: [PolicyFinding] {
        actions.flatMap { action -> [PolicyFinding] in
            guard case .foreignContainers = action.change else { return [] }
            return action.gates.compactMap { gate in
                guard gate.verdict == .deny, let rule = gate.rule else { return nil }
                return PolicyFinding(policy: gate.policy, rule: rule)
            }
        }
    }
}
