import Foundation
import JSON

/// The scale subresource: `spec.replicas` read and written through an autoscaling/v1 Scale, as the
/// apiserver's ScaleREST does. The field manager runs on the Scale (updates record operation Update
/// with `subresource: scale`; an apply merges, conflicts and is forced as on any object), and
/// `ScaleOwnership` folds the outcome into the parent's managedFields.
extension MockCluster {
    /// An update through `/scale`: a PUT, or a patch that is not an apply (`kubectl scale`).
    mutating func changeScale(
        _ route: ResourceRoute, _ request: APIRequest, now: Date, _ change: (JSONValue) throws(APIError) -> JSONValue
    ) throws(APIError) -> APIResponse {
        let start = try scaleWriteStart(route)
        let wanted = try change(start.current)
        // Custom resources: upstream's field manager has no type for a Scale of theirs, fails, and
        // keeps the managers as they were (kubernetes/kubernetes#131892): ownership is not recorded.
        var managers = start.parentManagers
        if route.type.isBuiltIn {
            // As the apiserver's UpdateNoErrors: a write the schema cannot index keeps the managers it had.
            let updated = try? start.handler.fieldOwnership.update(
                old: start.current, new: wanted, managers: start.scaleManagers, manager: request.fieldManager, now: timestamp(now))
            managers = start.handler.toParent(updated?.cappingUpdates() ?? start.scaleManagers, parent: start.parentManagers)
        }
        return try storeScale(wanted, managers: managers, start, route, request, now: now)
    }

    /// A server-side apply of a Scale (`application/apply-patch+yaml` to `/scale`).
    mutating func applyScale(_ route: ResourceRoute, _ request: APIRequest, _ configuration: JSONValue, now: Date) throws(APIError) -> APIResponse {
        let start = try scaleWriteStart(route)
        try Self.checkScaleApply(configuration)
        guard route.type.isBuiltIn else {
            throw Self.typedPatchFailure(configuration, "no corresponding type for autoscaling/v1, Kind=Scale")
        }
        let result: (object: JSONValue, managers: ManagedFields)
        do throws(ApplyFailure) {
            result = try start.handler.fieldOwnership.apply(
                configuration, to: start.current, managers: start.scaleManagers, manager: request.query["fieldManager"] ?? "",
                force: request.flag("force"), now: timestamp(now))
        } catch {
            switch error {
            case .conflicts(let conflicts): throw .applyConflicts(conflicts)
            case .malformed(let message): throw Self.typedPatchFailure(configuration, message)
            }
        }
        let managers = start.handler.toParent(result.managers, parent: start.parentManagers)
        return try storeScale(result.object, managers: managers, start, route, request, now: now)
    }

    /// The live parent, its Scale, and the managers of both, before a write through `/scale`.
    private func scaleWriteStart(_ route: ResourceRoute) throws(APIError) -> ScaleWriteStart {
        let live = try existing(route, route.key.name)
        let handler = ScaleOwnership(parentVersion: route.type.apiVersion)
        let parentManagers = ManagedFields(of: live.value) ?? ManagedFields()
        return ScaleWriteStart(
            live: live, current: scale(of: live, type: route.type), parentManagers: parentManagers,
            scaleManagers: handler.toSubresource(parentManagers), handler: handler)
    }

    /// The new Scale checked as ScaleREST checks it, its replicas moved to the parent, stored with
    /// the managers already decided; the answer is the Scale of what was stored.
    private mutating func storeScale(
        _ wanted: JSONValue, managers: ManagedFields, _ start: ScaleWriteStart, _ route: ResourceRoute, _ request: APIRequest, now: Date
    ) throws(APIError) -> APIResponse {
        try checkPrecondition(wanted, live: start.live, route)
        try checkIdentity(wanted, route)
        let replicas = try Self.replicas(of: wanted, name: route.key.name)
        var object = start.live.value
        object[path: ["spec", "replicas"]] = .int(replicas)
        var main = route
        main.subresource = nil
        let stored = try write(object, to: main, previous: start.live.value, request: request, now: now, ownership: .decided(managers))
        return .json(scale(of: StoredObject(stored, resourceVersion: 0), type: route.type))
    }

    /// `spec.replicas` of a Scale: an int32 that reads as 0 when absent, at least 0 (`ValidateScale`).
    private static func replicas(of scale: JSONValue, name: String) throws(APIError) -> Int {
        let replicas: Int
        switch scale[path: ["spec", "replicas"]] {
        case .none, .some(.null): replicas = 0
        case .some(let value):
            guard let number = value.intValue else {
                throw .invalid(kind: "Scale", group: "autoscaling", name: name, [FieldError(.invalid, "spec.replicas", .json(value), "must be an integer")])
            }
            replicas = number
        }
        guard replicas >= 0 else {
            throw .invalid(kind: "Scale", group: "autoscaling", name: name,
                           [FieldError(.invalid, "spec.replicas", .json(.int(replicas)), "must be greater than or equal to 0")])
        }
        return replicas
    }

    /// The field manager's checks of an applied Scale: its type first (`versionCheckManager`), then
    /// no managedFields.
    private static func checkScaleApply(_ configuration: JSONValue) throws(APIError) {
        guard configuration.objectValue != nil else { throw .badRequest("error decoding YAML: the apply configuration must be an object") }
        let apiVersion = configuration["apiVersion"]?.stringValue ?? ""
        let kind = configuration["kind"]?.stringValue ?? ""
        guard apiVersion == ScaleOwnership.scaleVersion, kind == "Scale" else {
            throw .badRequest("invalid object type: \(groupVersionKindText(apiVersion: apiVersion, kind: kind))")
        }
        if configuration[path: ["metadata", "managedFields"]] != nil { throw .badRequest("metadata.managedFields must be nil") }
    }

    /// Go's `GroupVersionKind.String()` of an object's apiVersion and kind (`group/version, Kind=kind`;
    /// an apiVersion that does not parse leaves group and version empty).
    static func groupVersionKindText(apiVersion: String, kind: String) -> String {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let (group, version) = switch parts.count {
        case 1: ("", apiVersion)
        case 2: (parts[0], parts[1])
        default: ("", "")
        }
        return "\(group)/\(version), Kind=\(kind)"
    }

    /// The plain server error (500, no reason) of an applied Scale the schema cannot read, naming
    /// the object as the configuration does.
    private static func typedPatchFailure(_ configuration: JSONValue, _ message: String) -> APIError {
        let namespace = configuration[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let name = configuration[path: ["metadata", "name"]]?.stringValue ?? ""
        return APIError(code: 500, reason: "", message: "failed to create typed patch object (\(namespace)/\(name); autoscaling/v1, Kind=Scale): \(message)")
    }

    /// An autoscaling/v1 Scale of a stored object, as ScaleREST builds it: identity metadata only,
    /// and Go's `omitempty` (no `spec.replicas` for 0, no empty selector).
    func scale(of object: StoredObject, type: ResourceType) -> JSONValue {
        let metadata = object.value["metadata"] ?? [:]
        var scaleMetadata: JSONValue = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] { scaleMetadata[key] = metadata[key] }
        let replicas = object.value[path: ["spec", "replicas"]]?.intValue ?? 1
        var status: JSONValue = ["replicas": .int(object.value[path: ["status", "replicas"]]?.intValue ?? 0)]
        let selector = LabelSelector(object: object.value[path: ["spec", "selector"]]).text
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": .string(ScaleOwnership.scaleVersion), "metadata": scaleMetadata,
            "spec": replicas == 0 ? [:] : ["replicas": .int(replicas)], "status": status,
        ]
    }
}

/// What every write through `/scale` starts from.
private struct ScaleWriteStart {
    var live: StoredObject
    /// The Scale of the live parent.
    var current: JSONValue
    var parentManagers: ManagedFields
    /// The parent's owners of `.spec.replicas`, as entries of the Scale.
    var scaleManagers: ManagedFields
    var handler: ScaleOwnership
}

extension ScaleOwnership {
    /// The field manager of the Scale kind: its fields merge as a built-in's, and it has no status
    /// subresource of its own (what it sets of the Scale's status is dropped on the way back).
    var fieldOwnership: FieldOwnership {
        FieldOwnership(schema: .builtIn, apiVersion: Self.scaleVersion, subresource: "scale", hasStatusSubresource: false)
    }
}
