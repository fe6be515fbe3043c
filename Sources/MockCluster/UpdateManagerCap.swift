import JSON

/// The apiserver keeps at most ten managedFields entries written by updates
/// (`DefaultMaxUpdateManagers`): after every update (create, PUT, a patch that is not an apply,
/// through any subresource), the oldest Update entries are merged, per API version, into one entry
/// of the manager `ancient-changes`. Apply entries are never merged and do not count.
extension ManagedFields {
    static let maxUpdateManagers = 10
    static let ancientChangesManager = "ancient-changes"

    /// The entries after the apiserver's cap (its `capManagersManager`), step for step: the Update
    /// entries sorted oldest first (by whole seconds, an entry without a time first, then by the
    /// manager's identifier), the first of each version kept as it is until a second one of that
    /// version comes, then both folded into the bucket, which takes the time of the newest entry
    /// folded in. As upstream, a bucket that sorts after an older entry of its version is folded
    /// into itself and dropped, and that older entry starts the bucket anew.
    /// The mock keys managers without their version (a type serves one), so it keeps one bucket.
    func cappingUpdates(at limit: Int = maxUpdateManagers) -> ManagedFields {
        let updaters = entries.keys.filter { $0.operation == .update }
        guard updaters.count > limit else { return self }
        let oldestFirst = updaters.sorted { lhs, rhs in
            let (left, right) = (entries[lhs]?.time ?? "", entries[rhs]?.time ?? "")
            if left != right { return left < right }
            return identifierKey(lhs) < identifierKey(rhs)
        }
        let bucket = ManagerIdentity(manager: Self.ancientChangesManager, operation: .update)
        var capped = self
        var firstOfVersion: [String: ManagerIdentity] = [:]
        var remaining = updaters.count
        for identity in oldestFirst where remaining > limit {
            guard let entry = capped.entries[identity] else { continue }
            guard let first = firstOfVersion[entry.apiVersion] else {
                firstOfVersion[entry.apiVersion] = identity
                continue
            }
            if capped.entries[bucket] == nil {
                capped.entries[bucket] = capped.entries[first]
                capped.entries[first] = nil
            }
            let fields = entry.fields.union(capped.entries[bucket]?.fields ?? FieldSet())
            capped.entries[bucket] = ManagedEntry(apiVersion: entry.apiVersion, time: entry.time, fields: fields)
            capped.entries[identity] = nil
            remaining -= 1
        }
        return capped
    }

    /// The apiserver's key for a manager (`BuildManagerIdentifier`): the entry's JSON as Go writes
    /// it, without fields and time, and without the version for an applier. Ties in age sort by it.
    func identifierKey(_ identity: ManagerIdentity) -> String {
        var members: [String] = []
        if !identity.manager.isEmpty { members.append(#""manager":"# + Self.goJSONQuoted(identity.manager)) }
        members.append(#""operation":"# + Self.goJSONQuoted(identity.operation.rawValue))
        if identity.operation == .update, let version = entries[identity]?.apiVersion, !version.isEmpty {
            members.append(#""apiVersion":"# + Self.goJSONQuoted(version))
        }
        if !identity.subresource.isEmpty { members.append(#""subresource":"# + Self.goJSONQuoted(identity.subresource)) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A JSON string as Go's encoder writes it: HTML characters and line separators escaped too.
    private static func goJSONQuoted(_ text: String) -> String {
        var quoted = ""
        for scalar in text.jsonQuoted.unicodeScalars {
            switch scalar {
            case "<": quoted += "\\u003c"
            case ">": quoted += "\\u003e"
            case "&": quoted += "\\u0026"
            case "\u{2028}": quoted += "\\u2028"
            case "\u{2029}": quoted += "\\u2029"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted
    }
}
