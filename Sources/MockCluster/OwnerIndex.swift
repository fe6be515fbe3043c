import JSON

/// Which stored objects name each uid in their ownerReferences: the garbage collector's graph
/// (kube-controller-manager's collector keeps one too), updated with every write so that finding
/// a removed owner's dependents is a lookup, not a scan of every object in its namespace.
struct OwnerIndex: Sendable {
    private var dependentsByOwner: [String: Set<ObjectRef>] = [:]

    /// The objects whose ownerReferences name `uid`, in no particular order.
    func dependents(of uid: String) -> Set<ObjectRef> {
        dependentsByOwner[uid] ?? []
    }

    /// Records that the object at `ref` changed from `old` to `new` (nil: absent).
    mutating func update(_ ref: ObjectRef, from old: JSONValue?, to new: JSONValue?) {
        let before = Self.ownerUIDs(old), after = Self.ownerUIDs(new)
        guard before != after else { return }
        for uid in before.subtracting(after) {
            dependentsByOwner[uid]?.remove(ref)
            if dependentsByOwner[uid]?.isEmpty == true { dependentsByOwner[uid] = nil }
        }
        for uid in after.subtracting(before) { dependentsByOwner[uid, default: []].insert(ref) }
    }

    private static func ownerUIDs(_ object: JSONValue?) -> Set<String> {
        Set((object?.ownerReferences ?? []).compactMap { $0["uid"]?.stringValue })
    }
}
