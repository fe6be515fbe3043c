import Foundation
import JSON

/// How a write records field ownership in `metadata.managedFields`.
enum OwnershipRecord {
    /// An update (create, PUT, a patch that is not an apply): the manager takes what it changed.
    case update(manager: String, subresource: String)
    /// Managers already decided: a server-side apply, or a write through `/scale`.
    case decided(ManagedFields)
}

/// Server-side apply (`application/apply-patch+yaml`), and the managedFields every write records.
extension MockCluster {
    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    mutating func serverSideApply(_ route: ResourceRoute, _ request: APIRequest, _ configuration: JSONValue, now: Date) throws(APIError) -> APIResponse {
        let manager = request.query["fieldManager"] ?? ""
        try Self.checkApplyRequest(route, configuration)
        let live = store.get(route.type.id, route.key)
        guard live != nil || route.subresource == nil else { throw .notFound(route.type, route.key.name) }
        if let live { try checkPrecondition(configuration, live: live, route) }
        var start: JSONValue = live?.value ?? ["apiVersion": .string(route.type.apiVersion), "kind": .string(route.type.kind), "metadata": [:]]
        start[path: ["metadata", "managedFields"]] = nil
        let ownership = fieldOwnership(route.type, subresource: route.subresource ?? "", creating: false)
        let managers = live.flatMap { ManagedFields(of: $0.value) } ?? ManagedFields()
        var result: (object: JSONValue, managers: ManagedFields)
        do throws(ApplyFailure) {
            result = try ownership.apply(configuration, to: start, managers: managers, manager: manager, force: request.flag("force"), now: timestamp(now))
        } catch {
            result = try retryOverClientSideApply(error, ownership: ownership, configuration, start, managers, manager: manager, route, now: now)
        }
        if manager == "kubectl", start[path: ["metadata", "annotations", Self.lastAppliedAnnotation]] != nil {
            result.object[path: ["metadata", "annotations", Self.lastAppliedAnnotation]] = .string(Self.lastApplied(configuration))
        }
        if live == nil { result.object[path: ["metadata", "name"]] = .string(route.key.name) }
        let stored = try write(result.object, to: route, previous: live?.value, request: request, now: now, ownership: .decided(result.managers))
        return try render(stored, route.type, request, now: now, status: live == nil ? 201 : 200)
    }

    /// The apiserver's checks of an apply request before it looks at the object.
    private static func checkApplyRequest(_ route: ResourceRoute, _ configuration: JSONValue) throws(APIError) {
        guard configuration.objectValue != nil else { throw .badRequest("error decoding YAML: the apply configuration must be an object") }
        let version = configuration["apiVersion"]?.stringValue ?? ""
        guard version == route.type.apiVersion else {
            throw .badRequest("Incorrect version specified in apply patch. Specified patch version: \(version), expected: \(route.type.apiVersion)")
        }
        if configuration[path: ["metadata", "managedFields"]] != nil { throw .badRequest("metadata.managedFields must be nil") }
    }

    /// kubectl moving from client-side to server-side apply: conflicts on fields whose live value is
    /// still what the last-applied annotation records are taken over, as the apiserver allows.
    private func retryOverClientSideApply(
        _ failure: ApplyFailure, ownership: FieldOwnership, _ configuration: JSONValue, _ live: JSONValue,
        _ managers: ManagedFields, manager: String, _ route: ResourceRoute, now: Date
    ) throws(APIError) -> (object: JSONValue, managers: ManagedFields) {
        switch failure {
        case .malformed(let message):
            // A plain Go error in the apiserver: a 500 with no reason, which kubectl prints as `Error from server: ...`.
            let groupVersion = route.type.group.isEmpty ? "/" + route.type.version : route.type.apiVersion
            let object = (route.type.namespaced ? route.key.namespace : "") + "/" + route.key.name
            throw APIError(code: 500, reason: "", message: "failed to create typed patch object (\(object); \(groupVersion), Kind=\(route.type.kind)): \(message)")
        case .conflicts(let conflicts):
            let allowed = manager == "kubectl" ? ownership.fieldsStillAsLastApplied(live) : nil
            let remaining = conflicts.filter { !(allowed?.contains($0.path[...]) ?? false) }
            guard remaining.isEmpty else { throw .applyConflicts(remaining) }
            do throws(ApplyFailure) {
                return try ownership.apply(configuration, to: live, managers: managers, manager: manager, force: true, now: timestamp(now))
            } catch {
                throw .applyConflicts(conflicts)
            }
        }
    }

    /// The annotation as the apiserver rewrites it for kubectl: the applied configuration without it.
    private static func lastApplied(_ configuration: JSONValue) -> String {
        var copy = configuration
        if copy[path: ["metadata", "annotations"]] != nil {
            copy[path: ["metadata", "annotations", lastAppliedAnnotation]] = nil
        }
        return copy.jsonText + "\n"
    }

    // MARK: - Recording

    /// The object with its managedFields after this write.
    mutating func recordingOwnership(_ record: OwnershipRecord, _ object: JSONValue, previous: JSONValue?, type: ResourceType, now: Date) -> JSONValue {
        var object = object
        let managers: ManagedFields
        switch record {
        case .decided(let decided):
            managers = decided
        case .update(let manager, let subresource):
            let sent = subresource.isEmpty ? ManagedFields(of: object) : nil
            let base = sent ?? previous.flatMap { ManagedFields(of: $0) } ?? ManagedFields()
            var old = previous ?? [:]
            old[path: ["metadata", "managedFields"]] = nil
            var new = object
            new[path: ["metadata", "managedFields"]] = nil
            let ownership = fieldOwnership(type, subresource: subresource, creating: previous == nil)
            // As the apiserver's UpdateNoErrors: a write the schema cannot index keeps the managers it had.
            let updated = try? ownership.update(old: old, new: new, managers: base, manager: manager, now: timestamp(now))
            managers = updated?.cappingUpdates() ?? base
        }
        let entries: JSONValue? = managers.entries.isEmpty ? .none : interned(managers)
        object[path: ["metadata", "managedFields"]] = entries
        return object
    }

    /// The managers' JSON, shared by every object whose managers are equal: objects created alike
    /// (10,000 Deployments from one template) hold one tree, not 10,000 copies of it. Bounded: the
    /// table starts over when full.
    private mutating func interned(_ managers: ManagedFields) -> JSONValue {
        if let shared = internedManagedFields[managers] { return shared }
        if internedManagedFields.count >= 4096 { internedManagedFields.removeAll(keepingCapacity: true) }
        let encoded = managers.encoded
        internedManagedFields[managers] = encoded
        return encoded
    }

    func fieldOwnership(_ type: ResourceType, subresource: String, creating: Bool) -> FieldOwnership {
        FieldOwnership(
            schema: mergeSchema(for: type), apiVersion: type.apiVersion, subresource: subresource,
            hasStatusSubresource: type.subresources.contains("status"),
            presentStructs: creating && type.isBuiltIn ? BuiltInMergeTable.structsOfNewObjects : [])
    }

    /// Built-in kinds merge by the built-in table; custom resources by their CRD's schema.
    func mergeSchema(for type: ResourceType) -> MergeSchema {
        guard !type.isBuiltIn,
            let crd = store.get(BuiltInTypes.customResourceDefinitions.id, ObjectKey(namespace: "", name: type.qualifiedPlural))
        else { return .builtIn }
        let version = (crd.value[path: ["spec", "versions"]]?.arrayValue ?? []).first { $0["name"]?.stringValue == type.version }
        return MergeSchema(customSchema: version?[path: ["schema", "openAPIV3Schema"]] ?? [:])
    }
}

extension FieldOwnership {
    /// The fields of the last-applied annotation whose live value is still the one it records
    /// (the apiserver's `allowedConflictsFromLastApplied`).
    func fieldsStillAsLastApplied(_ live: JSONValue) -> FieldSet? {
        guard let text = live[path: ["metadata", "annotations", MockCluster.lastAppliedAnnotation]]?.stringValue, !text.isEmpty,
            let lastApplied = try? JSONValue(parsing: text),
            let set = try? schema.fieldSet(of: lastApplied),
            let comparison = try? schema.compare(lastApplied, live)
        else { return nil }
        return set.subtracting(comparison.modified).subtracting(comparison.added).subtracting(comparison.removed)
    }
}
