import Foundation
import JSON

/// One stored object, by type and key.
struct ObjectRef: Hashable, Sendable {
    var typeID: String
    var key: ObjectKey
}

/// What the garbage collector has still to look at, in the order it learnt of it (so a run is
/// the same every time).
struct GarbageQueue: Sendable {
    enum Item: Sendable, Equatable {
        /// An object to attempt: its owners may be gone, or it is deleting and waits for its dependents.
        case object(ObjectRef)
        /// The owners named by a removed object: one may be waiting for it (foreground deletion).
        case owners(references: [JSONValue], namespace: String)
    }

    /// A removed owner, whose dependents are to be found; `namespace` nil when it was cluster-scoped.
    struct RemovedOwner: Sendable, Equatable {
        var uid: String
        var namespace: String?
    }

    private(set) var items: [Item] = []
    private var head = 0
    /// Kept apart and looked up together: a namespace's thousands of objects removed in one step
    /// cost one scan for their dependents, not one each.
    private(set) var removedOwners: [RemovedOwner] = []

    mutating func takeRemovedOwners() -> [RemovedOwner] {
        defer { removedOwners.removeAll() }
        return removedOwners
    }

    mutating func add(_ item: Item) { items.append(item) }

    mutating func next() -> Item? {
        guard head < items.count else {
            items.removeAll(keepingCapacity: true)
            head = 0
            return nil
        }
        defer { head += 1 }
        return items[head]
    }

    mutating func objectRemoved(_ object: JSONValue, namespaced: Bool) {
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
        if let uid = object[path: ["metadata", "uid"]]?.stringValue { removedOwners.append(RemovedOwner(uid: uid, namespace: namespaced ? namespace : nil)) }
        let references = object.ownerReferences
        if !references.isEmpty { add(.owners(references: references, namespace: namespace)) }
    }
}

/// kube-controller-manager's garbage collector, run to completion right after each request and
/// each simulation step (on a real cluster it runs a moment later; here, so that tests are
/// deterministic, nothing is left for later): dependents whose owners are all gone (or whose
/// owner reference names a uid that no longer exists) are deleted; an owner deleting in the
/// foreground waits for its dependents that block it; an orphaning owner has its references
/// removed from its dependents.
extension MockCluster {
    /// Stops a pathological graph (owners that own each other) from spinning forever.
    static let garbageStepLimit = 1_000_000

    mutating func collectGarbage(now: Date) {
        var steps = 0
        while true {
            guard let item = simulation.garbage.next() else {
                let removed = simulation.garbage.takeRemovedOwners()
                if removed.isEmpty { return }
                for dependent in dependents(ofRemoved: removed) { simulation.garbage.add(.object(dependent)) }
                continue
            }
            steps += 1
            if steps > Self.garbageStepLimit { continue }
            switch item {
            case .object(let ref):
                attemptToDelete(ref, now: now)
            case .owners(let references, let namespace):
                for reference in references {
                    if case .present(let owner) = resolve(reference, namespace: namespace) { simulation.garbage.add(.object(owner)) }
                }
            }
        }
    }

    /// A written object with owners is looked at once: its owners may not exist. Owners it no
    /// longer names may have been waiting for it.
    mutating func noteOwners(_ type: ResourceType, _ key: ObjectKey, _ object: JSONValue, previous: JSONValue?) {
        let references = object.ownerReferences
        if !references.isEmpty { simulation.garbage.add(.object(ObjectRef(typeID: type.id, key: key))) }
        let before = previous?.ownerReferences ?? []
        if !before.isEmpty, before != references { simulation.garbage.add(.owners(references: before, namespace: key.namespace)) }
    }

    /// An owner now deleting in the foreground or orphaning has work for the collector.
    mutating func noteDeleting(_ type: ResourceType, _ key: ObjectKey, _ object: JSONValue) {
        let finalizers = object.finalizers
        if finalizers.contains(Finalizer.foreground) || finalizers.contains(Finalizer.orphan) {
            simulation.garbage.add(.object(ObjectRef(typeID: type.id, key: key)))
        }
    }

    private mutating func attemptToDelete(_ ref: ObjectRef, now: Date) {
        guard let live = store.get(ref.typeID, ref.key), let type = storedType(ref.typeID) else { return }
        let object = live.value
        let uid = object[path: ["metadata", "uid"]]?.stringValue ?? ""
        if object.deletionTimestamp != nil {
            if object.finalizers.contains(Finalizer.foreground) {
                deleteDependentsFirst(ref, uid: uid, namespace: type.namespaced ? ref.key.namespace : nil, now: now)
            } else if object.finalizers.contains(Finalizer.orphan) {
                orphanDependents(ref, uid: uid, namespace: type.namespaced ? ref.key.namespace : nil, now: now)
            }
            return
        }
        var solid = false
        var released: [String] = []
        var waiting = false
        for reference in object.ownerReferences {
            switch resolve(reference, namespace: ref.key.namespace) {
            case .unresolvable: solid = true
            case .absent: released.append(reference["uid"]?.stringValue ?? "")
            case .present(let owner):
                let ownerObject = store.get(owner.typeID, owner.key)?.value
                if ownerObject?.deletionTimestamp != nil, ownerObject?.finalizers.contains(Finalizer.foreground) == true {
                    waiting = true
                    released.append(reference["uid"]?.stringValue ?? "")
                } else {
                    solid = true
                }
            }
        }
        if solid {
            if !released.isEmpty { dropOwnerReferences(ref, uids: Set(released), now: now) }
            return
        }
        guard !object.ownerReferences.isEmpty else { return }
        // Without a live owner it is garbage: in the foreground if an owner waits for it and it has
        // dependents of its own, otherwise as its own finalizers say.
        let propagation: Propagation =
            if waiting && !dependents(of: uid, namespace: type.namespaced ? ref.key.namespace : nil).isEmpty { .foreground }
            else if object.finalizers.contains(Finalizer.orphan) { .orphan }
            else if object.finalizers.contains(Finalizer.foreground) { .foreground }
            else { .background }
        _ = try? beginDeletion(type, ref.key, live, DeleteOptions(propagation: propagation, preconditionUID: uid), now: now)
    }

    /// Foreground deletion: dependents are deleted; once none that blocks its deletion is left, the
    /// owner loses its `foregroundDeletion` finalizer (and goes, if it was the last).
    private mutating func deleteDependentsFirst(_ owner: ObjectRef, uid: String, namespace: String?, now: Date) {
        let all = dependents(of: uid, namespace: namespace)
        let blocking = all.filter { dependent in
            (store.get(dependent.typeID, dependent.key)?.value.ownerReferences ?? [])
                .contains { $0["uid"]?.stringValue == uid && $0["blockOwnerDeletion"]?.boolValue == true }
        }
        if blocking.isEmpty {
            removeFinalizer(Finalizer.foreground, from: owner, now: now)
            return
        }
        for dependent in all where store.get(dependent.typeID, dependent.key)?.value.deletionTimestamp == nil {
            simulation.garbage.add(.object(dependent))
        }
    }

    /// Orphan deletion: the owner's references are removed from its dependents, then its `orphan`
    /// finalizer.
    private mutating func orphanDependents(_ owner: ObjectRef, uid: String, namespace: String?, now: Date) {
        for dependent in dependents(of: uid, namespace: namespace) { dropOwnerReferences(dependent, uids: [uid], now: now) }
        removeFinalizer(Finalizer.orphan, from: owner, now: now)
    }

    private mutating func dropOwnerReferences(_ ref: ObjectRef, uids: Set<String>, now: Date) {
        guard let live = store.get(ref.typeID, ref.key) else { return }
        var object = live.value
        let kept = object.ownerReferences.filter { !uids.contains($0["uid"]?.stringValue ?? "") }
        object[path: ["metadata", "ownerReferences"]] = kept.isEmpty ? nil : .array(kept)
        store.put(ref.typeID, ref.key, consume object)
        // Owners waiting for this dependent may now go on.
        simulation.garbage.add(.owners(references: live.value.ownerReferences, namespace: ref.key.namespace))
    }

    /// An update that removes a finalizer; the last one of a deleting object removes the object.
    private mutating func removeFinalizer(_ finalizer: String, from ref: ObjectRef, now: Date) {
        guard let live = store.get(ref.typeID, ref.key), let type = storedType(ref.typeID) else { return }
        var object = live.value
        object.finalizers = object.finalizers.filter { $0 != finalizer }
        if Self.deletionFinishes(object, previous: live.value) {
            remove(type, ref.key)
        } else {
            store.put(ref.typeID, ref.key, consume object)
        }
    }

    /// The stored objects whose owner references name `uid`: in the owner's namespace, or anywhere
    /// for a cluster-scoped owner. Events are left out: nothing we serve makes them owned.
    func dependents(of uid: String, namespace: String?) -> [ObjectRef] {
        dependents(ofAny: [uid], namespace: namespace)
    }

    /// The dependents of removed owners, one scan per namespace they lived in (one in all for a
    /// cluster-scoped owner).
    private func dependents(ofRemoved owners: [GarbageQueue.RemovedOwner]) -> [ObjectRef] {
        guard !owners.isEmpty else { return [] }
        if owners.contains(where: { $0.namespace == nil }) { return dependents(ofAny: Set(owners.map(\.uid)), namespace: nil) }
        let byNamespace = Dictionary(grouping: owners) { $0.namespace ?? "" }
        return byNamespace.keys.sorted().flatMap { namespace in
            dependents(ofAny: Set((byNamespace[namespace] ?? []).map(\.uid)), namespace: namespace)
        }
    }

    /// Looked up in the store's owner index; in the order a scan would find them (by kind as the
    /// cluster serves them, then by key), so that a collection runs the same every time.
    private func dependents(ofAny uids: Set<String>, namespace: String?) -> [ObjectRef] {
        let named = uids.reduce(into: Set<ObjectRef>()) { $0.formUnion(store.dependents(of: $1)) }
        guard !named.isEmpty else { return [] }
        let byType = Dictionary(grouping: named.filter { namespace == nil || $0.key.namespace == namespace }, by: \.typeID)
        return allTypes.filter { $0.isStored && $0.id != BuiltInTypes.events.id && (namespace == nil || $0.namespaced) }.flatMap { type in
            (byType[type.id] ?? []).map(\.key).sorted().map { ObjectRef(typeID: type.id, key: $0) }
        }
    }

    enum OwnerState {
        /// A kind the cluster does not serve: the collector cannot tell, so the dependent stays.
        case unresolvable
        /// No object of that kind and name, or one with another uid: the reference dangles.
        case absent
        case present(ObjectRef)
    }

    /// Looks an owner up as the collector does: by kind and name, in the dependent's namespace for a
    /// namespaced owner, and compares the uid.
    func resolve(_ reference: JSONValue, namespace: String) -> OwnerState {
        guard let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
            let name = reference["name"]?.stringValue, let uid = reference["uid"]?.stringValue
        else { return .unresolvable }
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        guard let type = allTypes.first(where: { $0.group == group && $0.kind == kind && $0.isStored }) else { return .unresolvable }
        let key = ObjectKey(namespace: type.namespaced ? namespace : "", name: name)
        guard type.namespaced == false || !namespace.isEmpty,
            let owner = store.get(type.id, key), owner.value[path: ["metadata", "uid"]]?.stringValue == uid
        else { return .absent }
        return .present(ObjectRef(typeID: type.id, key: key))
    }

    func storedType(_ id: String) -> ResourceType? {
        allTypes.first { $0.id == id && $0.isStored }
    }
}
