import JSON

/// Field ownership through one write, as the apiserver's field manager keeps it: an apply merges
/// the configuration, takes ownership of what it sets, removes what it no longer sets and nobody
/// else owns, and refuses to change another manager's fields unless forced; an update takes
/// ownership of what it changed.
struct FieldOwnership {
    var schema: MergeSchema
    var apiVersion: String
    /// Empty for the main resource; `status` or `scale` for those subresources.
    var subresource: String
    /// The main resource of a type with a status subresource does not own status, and the status
    /// subresource owns nothing else.
    var hasStatusSubresource: Bool
    /// For a create of a built-in kind: the structs a typed Go object always has.
    var presentStructs: Set<[String]> = []

    /// Fields the server owns, never a manager (structured-merge-diff's strip set; exact paths).
    private static let serverFields: [[PathElement]] = [
        [.field("apiVersion")], [.field("kind")], [.field("metadata")],
    ] + ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"]
        .map { [.field("metadata"), .field($0)] }

    /// A manager's fields as this write may record them.
    private func scoped(_ set: FieldSet) -> FieldSet {
        var set = set.removingMembers(Self.serverFields)
        let status = PathElement.field("status")
        if subresource == "status" {
            var only = FieldSet()
            if set.members.contains(status) { only.members.insert(status) }
            only.children[status] = set.children[status]
            return only
        }
        if hasStatusSubresource {
            set.members.remove(status)
            set.children[status] = nil
        }
        return set
    }

    // MARK: - Update

    /// The managers after `old` became `new` through an update (PUT, or a patch that is not an apply).
    func update(old: JSONValue, new: JSONValue, managers: ManagedFields, manager: String, now: String) throws(MergeError) -> ManagedFields {
        let identity = ManagerIdentity(manager: manager, operation: .update, subresource: subresource)
        let comparison = try schema.compare(old, new, presentStructs: presentStructs)
        let changed = scoped(comparison.addedOrModified)
        var managers = managers
        managers.remove(comparison.addedOrModified)
        managers.remove(comparison.removed)
        guard !changed.isEmpty else { return managers }
        let previous = managers.entries[identity]?.fields ?? FieldSet()
        managers.entries[identity] = ManagedEntry(apiVersion: apiVersion, time: now, fields: previous.union(changed))
        return managers
    }

    // MARK: - Apply

    /// The object after applying `configuration` to `live` (an empty object for a create), and its managers.
    func apply(
        _ configuration: JSONValue, to live: JSONValue, managers: ManagedFields, manager: String, force: Bool, now: String
    ) throws(ApplyFailure) -> (object: JSONValue, managers: ManagedFields) {
        let identity = ManagerIdentity(manager: manager, operation: .apply, subresource: subresource)
        let previousTime = managers.entries[identity]?.time
        let outcome: (object: JSONValue, managers: ManagedFields, comparison: MergeSchema.Comparison)
        do throws(MergeError) {
            outcome = try merging(configuration, into: live, managers: managers, identity: identity)
        } catch {
            throw .malformed(error.message)
        }
        let conflicts = Self.conflicts(outcome.comparison.addedOrModified, managers: outcome.managers, except: identity)
        if !force, !conflicts.isEmpty { throw .conflicts(conflicts) }
        var managers = outcome.managers
        managers.remove(outcome.comparison.addedOrModified, exceptFrom: identity)
        managers.remove(outcome.comparison.removed, exceptFrom: identity)
        if outcome.object != live || previousTime == nil { managers.entries[identity]?.time = now }
        return (outcome.object, managers)
    }

    /// The merged object with what this manager applied before and applies no more (and nobody
    /// else owns) removed; the managers with the applier's new set; what changed from `live`.
    private func merging(
        _ configuration: JSONValue, into live: JSONValue, managers: ManagedFields, identity: ManagerIdentity
    ) throws(MergeError) -> (object: JSONValue, managers: ManagedFields, comparison: MergeSchema.Comparison) {
        let merged = try schema.merge(live, configuration) ?? live
        let applied = scoped(try schema.fieldSet(of: configuration))
        var managers = managers
        let previous = managers.entries[identity]
        managers.entries[identity] = ManagedEntry(apiVersion: apiVersion, time: previous?.time, fields: applied)
        var result = merged
        if let last = previous?.fields, !last.isEmpty {
            let abandoned = last.withFieldsAsMembers.subtracting(managers.allFields.withFieldsAsMembers)
            result = try schema.removing(abandoned, from: merged)
        }
        return (result, managers, try schema.compare(live, result))
    }

    /// The fields other managers own that `changed` touches, by manager.
    static func conflicts(_ changed: FieldSet, managers: ManagedFields, except identity: ManagerIdentity) -> [ApplyConflict] {
        managers.entries.keys.filter { $0 != identity }.sorted().flatMap { other in
            (managers.entries[other]?.fields.intersection(changed).paths ?? []).map {
                ApplyConflict(manager: other, apiVersion: managers.entries[other]?.apiVersion ?? "", path: $0)
            }
        }
    }
}

/// One field an apply would change that another manager owns.
struct ApplyConflict: Equatable {
    var manager: ManagerIdentity
    var apiVersion: String
    var path: [PathElement]

    /// `"kubectl-scale" using apps/v1` for an updater, `"hmsctl" with subresource "status"`, as the apiserver names them.
    var managerDescription: String {
        var text = manager.manager.jsonQuoted
        if !manager.subresource.isEmpty { text += " with subresource \(manager.subresource.jsonQuoted)" }
        if manager.operation == .update { text += " using \(apiVersion)" }
        return text
    }
}

enum ApplyFailure: Error {
    case conflicts([ApplyConflict])
    /// The configuration or the live object cannot be read against the schema.
    case malformed(String)
}

extension APIError {
    /// 409 with a cause per field, as the apiserver answers an apply that conflicts.
    static func applyConflicts(_ conflicts: [ApplyConflict]) -> APIError {
        let causes: [JSONValue] = conflicts.map {
            ["type": "FieldManagerConflict", "message": .string("conflict with \($0.managerDescription)"), "field": .string($0.path.fieldPathText)]
        }
        return APIError(code: 409, reason: "Conflict", message: conflictMessage(conflicts), details: ["causes": .array(causes)])
    }

    private static func conflictMessage(_ conflicts: [ApplyConflict]) -> String {
        if conflicts.count == 1, let only = conflicts.first {
            return "Apply failed with 1 conflict: conflict with \(only.managerDescription): \(only.path.fieldPathText)"
        }
        var lines: [String] = []
        var current: ManagerIdentity?
        for conflict in conflicts {
            if conflict.manager != current {
                lines.append("conflicts with \(conflict.managerDescription):")
                current = conflict.manager
            }
            lines.append("- \(conflict.path.fieldPathText)")
        }
        return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
    }
}
