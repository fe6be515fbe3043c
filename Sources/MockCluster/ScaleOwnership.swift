import JSON

/// How managedFields cross the scale subresource, as the apiserver's `ScaleHandler` moves them:
/// a write to `/scale` runs the field manager on an autoscaling/v1 Scale whose entries are the
/// parent's owners of `.spec.replicas`, and its outcome is folded back into the parent's entries.
struct ScaleOwnership {
    static let scaleVersion = "autoscaling/v1"
    static let replicasPath: [PathElement] = [.field("spec"), .field("replicas")]

    /// The parent's version, whose `.spec.replicas` is the Scale's (upstream's path mappings hold
    /// one path per version the kind is served in; the mock serves one). Entries of any other
    /// version are unknown to the mapping and dropped, as upstream drops them.
    var parentVersion: String

    private static var replicasOnly: FieldSet {
        var set = FieldSet()
        set.insert(replicasPath[...])
        return set
    }

    /// The Scale's entries: each parent entry that owns `.spec.replicas`, owning only that, in
    /// the Scale's version, with its time (`ToSubresource`).
    func toSubresource(_ parent: ManagedFields) -> ManagedFields {
        var scale = ManagedFields()
        for (identity, entry) in parent.entries where entry.apiVersion == parentVersion && entry.fields.contains(Self.replicasPath[...]) {
            scale.entries[identity] = ManagedEntry(apiVersion: Self.scaleVersion, time: entry.time, fields: Self.replicasOnly)
        }
        return scale
    }

    /// The parent's entries after the write (`ToParent`): an owner of `.spec.replicas` that no longer
    /// owns it in the Scale loses it (and goes when nothing is left), one that still does is kept
    /// as it was, and an owner new to the Scale gets an entry of `.spec.replicas` alone.
    ///
    /// Upstream takes a new entry's time from the parent's entry of the same key, and an updater's
    /// key holds its version (apps/v1 on the parent, autoscaling/v1 on the Scale): an entry made
    /// through `/scale` never has a time (`kubectl scale` leaves `manager: kubectl, operation: Update,
    /// subresource: scale` without one). For the same reason upstream splits a main-resource
    /// updater whose `.spec.replicas` survives a `/scale` write into two entries of the same manager;
    /// the mock, whose managers are keyed without their version, keeps that entry whole.
    func toParent(_ scale: ManagedFields, parent: ManagedFields) -> ManagedFields {
        var result = ManagedFields()
        var newOwners = scale.entries
        for (identity, entry) in parent.entries where entry.apiVersion == parentVersion {
            guard entry.fields.contains(Self.replicasPath[...]) else {
                result.entries[identity] = entry
                continue
            }
            if newOwners.removeValue(forKey: identity) != nil {
                result.entries[identity] = entry
                continue
            }
            let rest = entry.fields.subtracting(Self.replicasOnly)
            if !rest.isEmpty { result.entries[identity] = ManagedEntry(apiVersion: entry.apiVersion, time: entry.time, fields: rest) }
        }
        for (identity, entry) in newOwners where entry.fields.contains(Self.replicasPath[...]) {
            let time = identity.operation == .apply ? parent.entries[identity]?.time : nil
            result.entries[identity] = ManagedEntry(apiVersion: parentVersion, time: time, fields: Self.replicasOnly)
        }
        return result
    }
}
