import Foundation
import JSON

/// DELETE of one object or a collection, and what follows from it: owners' dependents, finalizers,
/// namespaces' contents.
extension MockCluster {
    mutating func delete(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let live = try existing(route, route.key.name)
        let options = request.body.isEmpty ? JSONValue.null : try parseBody(request.body, contentType: "application/json")
        if let uid = options[path: ["preconditions", "uid"]]?.stringValue, uid != live.value[path: ["metadata", "uid"]]?.stringValue {
            throw .conflict(route.type, route.key.name)
        }
        if let version = options[path: ["preconditions", "resourceVersion"]]?.stringValue, version != String(live.resourceVersion) {
            throw .conflict(route.type, route.key.name)
        }
        let deleted = request.isDryRun
            ? live.value : remove(route.type, route.key, orphan: options["propagationPolicy"] == "Orphan")?.value ?? live.value
        if route.type.returnsDeletedObject { return .json(deleted) }
        return .json([
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
            "details": [
                "name": .string(route.key.name), "group": .string(route.type.group), "kind": .string(route.type.plural),
                "uid": deleted[path: ["metadata", "uid"]] ?? .null,
            ],
        ])
    }

    mutating func deleteCollection(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
        let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
        let doomed = store.list(route.type.id, namespace: route.type.namespaced ? route.namespace : nil)
            .filter { labels.matches($0.labels) && fields.matches($0.value) }
        var removed: [JSONValue] = []
        for object in doomed where !request.isDryRun {
            if let last = remove(route.type, ObjectKey(object: object.value), orphan: false) { removed.append(last.value) }
        }
        return .json([
            "kind": .string(route.type.listKind), "apiVersion": .string(route.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.resourceVersion))], "items": .array(removed),
        ])
    }

    /// Removes an object and, unless orphaning, what it owns (garbage collection, in the background).
    @discardableResult
    mutating func remove(_ type: ResourceType, _ key: ObjectKey, orphan: Bool) -> StoredObject? {
        guard let removed = store.remove(type.id, key) else { return nil }
        afterDelete(type, key, removed.value)
        if !orphan, let uid = removed.value[path: ["metadata", "uid"]]?.stringValue {
            for pod in pods(ownedBy: uid) { remove(BuiltInTypes.pods, ObjectKey(object: pod), orphan: false) }
            // Events and pods carry no owners worth a scan (pods are indexed above).
            for dependentType in allTypes where dependentType.namespaced && dependentType.isStored
                && dependentType.id != BuiltInTypes.events.id && dependentType.id != BuiltInTypes.pods.id {
                for dependent in store.list(dependentType.id, namespace: key.namespace.isEmpty ? nil : key.namespace)
                where (dependent.value[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains(where: { $0["uid"]?.stringValue == uid }) {
                    remove(dependentType, ObjectKey(object: dependent.value), orphan: false)
                }
            }
        }
        return removed
    }
}
