import JSON
import Model

/// The objects an action writes, rendered from its change after the gates have judged it: what a
/// gate changed (a clamped count) is what is written, and no gate touches a manifest.
struct ActionRendering {
    let index: DesiredIndex
    let observed: ObservedState
    let fromManifests: Bool
    /// The replica count and restart stamp each Deployment gets from this plan's actions that
    /// proceed: a template update is written with them, so that it neither undoes a scale or a
    /// restart carried out beside it nor carries one that the gates held.
    let settled: [ObjectRef: Settled]
    /// The Deployments whose template update the gates held in this plan.
    let heldTemplates: Set<ObjectRef>

    struct Settled {
        var replicas: Int?
        var restartedAt: String?
    }

    init(index: DesiredIndex, observed: ObservedState, fromManifests: Bool, judged: [Action]) {
        self.index = index
        self.observed = observed
        self.fromManifests = fromManifests
        var settled: [ObjectRef: Settled] = [:]
        for action in judged where action.finalVerdict.proceeds {
            switch action.change {
            case .replicas(let change): settled[action.target, default: Settled()].replicas = change.to
            case .rollingRestart(_, let to): settled[action.target, default: Settled()].restartedAt = to
            default: break
            }
        }
        self.settled = settled
        heldTemplates = Set(judged.filter { action in
            guard case .template = action.change else { return false }
            return !action.finalVerdict.proceeds
        }.map(\.target))
    }

    /// The action with what it writes, when it proceeds; one that does not writes nothing.
    func rendered(_ action: Action) -> Action {
        guard action.finalVerdict.proceeds else { return action }
        var action = action
        action.manifests = manifests(action)
        action.patch = patch(action)
        return action
    }

    /// A scale of a running Deployment sets `spec.replicas` alone; a restart beside a held
    /// template update, the template's stamp alone (its apply would carry the held change).
    func patch(_ action: Action) -> JSONValue? {
        switch action.change {
        case .replicas(let change) where change.from != nil:
            ["spec": ["replicas": .int(change.to)]]
        case .rollingRestart(_, let to) where heldTemplates.contains(action.target):
            ["spec": ["template": ["metadata": ["annotations": [Rendering.restartedAtKey: .string(to)]]]]]
        default:
            nil
        }
    }

    func manifests(_ action: Action) -> [JSONValue] {
        switch action.change {
        case .replicas(let change):
            // A running Deployment is scaled by a patch (`patch(_:)`); a first deploy writes it whole.
            guard change.from == nil, let service = index.service(action.source) else { return [] }
            let replicas = service.spec.isScaledExternally ? nil : change.to
            var objects = [Rendering.deployment(service, replicas: replicas, fromManifests: fromManifests)]
            // A first deploy brings its Service along.
            if change.from == nil, let front = Rendering.service(service, fromManifests: fromManifests) { objects.append(front) }
            return objects
        case .exposeService, .updateService:
            guard let service = index.service(action.source) else { return [] }
            return Rendering.service(service, fromManifests: fromManifests).map { [$0] } ?? []
        case .template:
            return updatedDeployment(action)
        case .rollingRestart:
            // Applied as our field manager, like every other write of the template, so that the
            // stamp is ours to drop later in the same apply as another change; the same object as
            // a template update proceeding beside it (applied twice, it changes once), else the
            // live one with the new stamp.
            return heldTemplates.contains(action.target) ? [] : updatedDeployment(action)
        case .startJob(let attempt):
            guard let directive = index.directives[action.source] else { return [] }
            return [DirectiveRendering.job(directive, attempt, name: action.target.name)]
        case .replacePod, .prune, .foreignContainers, .deleteJob:
            return []
        }
    }

    /// The Deployment as a template update or a restart writes it, with the replicas and the
    /// restart stamp it has after this plan: a scale and a restart are actions of their own,
    /// judged on their own.
    private func updatedDeployment(_ action: Action) -> [JSONValue] {
        guard var service = index.service(action.source), let live = observed.deployments[action.target] else { return [] }
        let settled = settled[action.target]
        if let restartedAt = settled?.restartedAt {
            service.spec.restartedAt = restartedAt
        } else if case .template(let diff) = action.change {
            service.spec.restartedAt = diff.restartStamp(live: live, service: service)
        }
        let replicas = service.spec.isScaledExternally ? nil : settled?.replicas ?? live.replicas
        return [Rendering.deployment(service, replicas: replicas, fromManifests: fromManifests)]
    }
}
