import Model

/// What `--prune` proposes to delete: managed objects (keyed by their own reference) that no
/// ServiceSpec declares, wherever they are. The controller observes managed Deployments and
/// Services in every namespace, so an object left in a namespace whose ServiceSpecs are all gone
/// is found too. A real cluster's garbage collector removes most of these through their
/// ownerReferences; the prune is the fallback for objects made before ownerReferences and for
/// those a manifests directory made (which have no owner in the cluster).
extension Planner {
    /// The uids of every ServiceSpec the desired state knows, valid or not: an object whose
    /// controller reference names one of them belongs to something alive, whatever its name.
    static func ownerUIDs(_ desired: DesiredState) -> Set<String> {
        Set(desired.services.compactMap(\.metadata.uid) + desired.invalid.filter { $0.kind == ServiceSpec.kind }.compactMap(\.uid))
    }

    /// Deletes of managed Deployments, and of managed Services left without theirs, that nothing
    /// declares. Only proposed: the desired state may be a cache that has not caught up, so each
    /// carries what the executor must confirm with live reads first (`PruneCondition`). From a
    /// manifests directory, only what was made from files is pruned; otherwise never what was.
    func pruneActions(observed: ObservedState, declared: Set<ObjectRef>, knownOwners: Set<String>) -> [Action] {
        let candidates = PruneCandidates(declared: declared, knownOwners: knownOwners, fromManifests: options.desiredFromManifests)
        let deployments = observed.deployments.keys.sorted().compactMap { ref -> Action? in
            guard let live = observed.deployments[ref],
                candidates.isCandidate(ref, isManaged: live.isManaged, owner: live.owner, fromManifests: live.fromManifests)
            else { return nil }
            return candidates.action(ref, owner: live.owner, uid: live.uid, replicas: live.replicas)
        }
        // A Service goes with its Deployment (the executor deletes both); alone, when its
        // Deployment is gone already (deleted by hand, or its prune stopped half-way).
        let services = observed.services.keys.sorted().compactMap { ref -> Action? in
            let deployment = ObjectRef(kind: .deployment, namespace: ref.namespace, name: ref.name)
            guard observed.deployments[deployment] == nil, !declared.contains(deployment), let live = observed.services[ref],
                candidates.isCandidate(ref, isManaged: live.isManaged, owner: live.owner, fromManifests: live.fromManifests)
            else { return nil }
            return candidates.action(ref, owner: live.owner, uid: live.uid, replicas: 0)
        }
        return deployments + services
    }
}

/// The rule a prune candidate passes, one object at a time.
struct PruneCandidates {
    /// The Deployments the desired state declares (valid and invalid ServiceSpecs alike).
    let declared: Set<ObjectRef>
    let knownOwners: Set<String>
    let fromManifests: Bool

    /// Ours (the managed-by label), not declared, made in the mode we run in, and not owned by a
    /// ServiceSpec we know of.
    func isCandidate(_ ref: ObjectRef, isManaged: Bool, owner: ServiceSpecOwner?, fromManifests made: Bool) -> Bool {
        guard isManaged, !declared.contains(ref), made == fromManifests else { return false }
        return !(owner.map { knownOwners.contains($0.uid) } ?? false)
    }

    func action(_ ref: ObjectRef, owner: ServiceSpecOwner?, uid: String?, replicas: Int) -> Action {
        let confirm: PruneCondition.Owner =
            fromManifests ? .createdFromManifests : owner.map { PruneCondition.Owner.serviceSpec($0) } ?? .serviceSpecNamed(ref.name)
        let source = ObjectRef(kind: .serviceSpec, namespace: ref.namespace, name: owner?.name ?? ref.name)
        return Action(source: source, target: ref, change: .prune(replicas: replicas, condition: PruneCondition(uid: uid, owner: confirm)),
                      reason: confirm.pruneReason)
    }
}
