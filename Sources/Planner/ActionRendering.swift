import JSON
import Model

/// The objects an action writes, rendered from its change after the gates have judged it: what a
/// gate changed (a clamped count) is what is written, and no gate touches a manifest.
struct ActionRendering {
    let index: DesiredIndex
    let observed: ObservedState
    let fromManifests: Bool

    /// The action with its manifests, when it proceeds; one that does not writes nothing.
    func rendered(_ action: Action) -> Action {
        guard action.finalVerdict.proceeds else { return action }
        var action = action
        action.manifests = manifests(action)
        return action
    }

    func manifests(_ action: Action) -> [JSONValue] {
        switch action.change {
        case .replicas(let change):
            guard let service = index.service(action.source) else { return [] }
            var objects = [Rendering.deployment(service, replicas: change.to, fromManifests: fromManifests)]
            // A first deploy brings its Service along.
            if change.from == nil, let front = Rendering.service(service, fromManifests: fromManifests) { objects.append(front) }
            return objects
        case .exposeService:
            guard let service = index.service(action.source) else { return [] }
            return Rendering.service(service, fromManifests: fromManifests).map { [$0] } ?? []
        case .template, .rollingRestart:
            // Written with the replicas it runs: a scale is an action of its own.
            guard let service = index.service(action.source), let live = observed.deployments[action.target] else { return [] }
            return [Rendering.deployment(service, replicas: live.replicas, fromManifests: fromManifests)]
        case .startJob(let attempt):
            guard let directive = index.directives[action.source] else { return [] }
            return [DirectiveRendering.job(directive, attempt, name: action.target.name)]
        case .replacePod, .prune:
            return []
        }
    }
}
