import Foundation
import JSON

/// A Namespace's deletion, as kube-apiserver's namespace registry and kube-controller-manager's
/// namespace controller do it: DELETE marks it `Terminating` (with `deletionTimestamp`); nothing
/// new may be created in it; the controller, a step of the simulation (`advance(to:)`), deletes
/// its contents, reports what remains in the status conditions, and once it is empty removes its
/// `kubernetes` finalizer and the Namespace itself.
extension MockCluster {
    static let namespaceFinalizer = "kubernetes"

    mutating func deleteNamespace(_ live: StoredObject, _ options: DeleteOptions, now: Date) throws(APIError) -> DeletionOutcome {
        let type = BuiltInTypes.namespaces
        let name = ObjectKey(object: live.value).name
        try options.checkPreconditions(live, type, name)
        var namespace = live.value
        guard namespace.deletionTimestamp == nil else {
            // Deleted for good once its spec.finalizers are gone, as any other object.
            if !Self.specFinalizers(namespace).isEmpty { return .alreadyPending(namespace) }
            return try beginDeletion(type, ObjectKey(namespace: "", name: name), live, options, now: now)
        }
        namespace[path: ["metadata", "deletionTimestamp"]] = .string(timestamp(now))
        namespace[path: ["status", "phase"]] = "Terminating"
        // The registry's own reading of the options: set or clear, or keep what the namespace has.
        let current = namespace.finalizers
        var orphan = current.contains(Finalizer.orphan)
        var foreground = current.contains(Finalizer.foreground)
        if let orphanDependents = options.orphanDependents {
            orphan = orphanDependents
            foreground = !orphanDependents
        } else if let propagation = options.propagation {
            orphan = propagation == .orphan
            foreground = propagation == .foreground
        }
        var finalizers = current.filter { $0 != Finalizer.orphan && $0 != Finalizer.foreground }
        if orphan { finalizers.append(Finalizer.orphan) }
        if foreground { finalizers.append(Finalizer.foreground) }
        namespace.finalizers = finalizers
        if options.dryRun { return .pending(namespace) }
        simulation.terminatingNamespaces.insert(name)
        let stored = store.put(type.id, ObjectKey(namespace: "", name: name), consume namespace)
        noteDeleting(type, ObjectKey(namespace: "", name: name), stored.value)
        return .pending(stored.value)
    }

    /// PUT namespaces/{name}/finalize: replaces `spec.finalizers` and nothing else (the namespace
    /// registry's finalize subresource), as `kubectl replace --raw .../finalize` does to free a
    /// namespace whose other finalizers nobody will remove.
    mutating func finalizeNamespace(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let live = try existing(route, route.key.name)
        let body = try decodeBody(request, type: route.type)
        if let version = body[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty, version != String(live.resourceVersion) {
            throw .conflict(route.type, route.key.name)
        }
        let sent = body[path: ["spec", "finalizers"]] ?? .null
        guard sent == .null || sent.arrayValue?.allSatisfy({ !($0.stringValue ?? "").isEmpty }) == true else {
            throw .invalid(route.type, route.key.name, field: "spec.finalizers", "\(sent.jsonText): must be a list of names")
        }
        var namespace = live.value
        namespace[path: ["spec", "finalizers"]] = sent.arrayValue?.isEmpty == false ? sent : nil
        if request.isDryRun || namespace == live.value { return .json(request.isDryRun ? namespace : live.value) }
        let stored = store.put(BuiltInTypes.namespaces.id, route.key, consume namespace)
        if stored.value.deletionTimestamp != nil { simulation.terminatingNamespaces.insert(route.key.name) }
        return .json(stored.value)
    }

    /// The NamespaceLifecycle admission plugin: 403 for a creation in a terminating namespace.
    func admitCreation(in namespace: String, _ type: ResourceType, name: String) throws(APIError) {
        guard let live = store.get(BuiltInTypes.namespaces.id, ObjectKey(namespace: "", name: namespace)),
            live.value.deletionTimestamp != nil
        else { return }
        var details = type.details(name)
        details["causes"] = [["reason": "NamespaceTerminating", "message": .string("namespace \(namespace) is being terminated"),
                              "field": "metadata.namespace"]]
        throw APIError(
            code: 403, reason: "Forbidden",
            message: "\(type.qualifiedPlural) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
            details: details)
    }

    /// The namespace controller's pass over each terminating namespace.
    mutating func finalizeNamespaces(now: Date) {
        for name in simulation.terminatingNamespaces.sorted() {
            let key = ObjectKey(namespace: "", name: name)
            guard let live = store.get(BuiltInTypes.namespaces.id, key), live.value.deletionTimestamp != nil else {
                simulation.terminatingNamespaces.remove(name)
                continue
            }
            var finalizers = Self.specFinalizers(live.value)
            if finalizers.contains(Self.namespaceFinalizer) {
                let remaining = deleteContents(of: name, now: now)
                guard remaining.isEmpty else {
                    setTerminationConditions(key, remaining: remaining, now: now)
                    continue
                }
                finalizers.removeAll { $0 == Self.namespaceFinalizer }
                guard var namespace = store.get(BuiltInTypes.namespaces.id, key)?.value else { continue }
                namespace[path: ["spec", "finalizers"]] = finalizers.isEmpty ? nil : .array(finalizers.map(JSONValue.string))
                store.put(BuiltInTypes.namespaces.id, key, consume namespace)
            }
            // Finalized (by us, or by whoever held the other spec.finalizers): the namespace goes.
            guard finalizers.isEmpty, let finalized = store.get(BuiltInTypes.namespaces.id, key) else { continue }
            let uid = finalized.value[path: ["metadata", "uid"]]?.stringValue
            if case .removed = (try? beginDeletion(BuiltInTypes.namespaces, key, finalized, DeleteOptions(preconditionUID: uid), now: now)) {
                simulation.terminatingNamespaces.remove(name)
            }
        }
    }

    /// Deletes everything in the namespace (in the background, as the controller asks), and says
    /// what is left, by type: objects waiting for finalizers or a grace period.
    private mutating func deleteContents(of namespace: String, now: Date) -> [(type: ResourceType, objects: [JSONValue])] {
        let types = allTypes.filter { $0.namespaced && $0.isStored }
        for type in types {
            for object in store.list(type.id, namespace: namespace) where object.value.deletionTimestamp == nil {
                _ = try? beginDeletion(type, ObjectKey(object: object.value), object, DeleteOptions(propagation: .background), now: now)
            }
        }
        collectGarbage(now: now)
        return types.compactMap { type in
            let left = store.list(type.id, namespace: namespace).map(\.value)
            return left.isEmpty ? nil : (type, left)
        }
    }

    private mutating func setTerminationConditions(_ key: ObjectKey, remaining: [(type: ResourceType, objects: [JSONValue])], now: Date) {
        guard var namespace = store.get(BuiltInTypes.namespaces.id, key)?.value else { return }
        let resources = remaining.sorted { $0.type.qualifiedPlural < $1.type.qualifiedPlural }
            .map { "\($0.type.plural).\($0.type.group) has \($0.objects.count) resource instances" }
        var finalizerCounts: [String: Int] = [:]
        for (_, objects) in remaining { for object in objects { for finalizer in object.finalizers { finalizerCounts[finalizer, default: 0] += 1 } } }
        let finalizers = finalizerCounts.keys.sorted().map { "\($0) in \(finalizerCounts[$0] ?? 0) resource instances" }
        let previous = namespace[path: ["status", "conditions"]]?.arrayValue ?? []
        func condition(_ type: String, _ isTrue: Bool, _ reason: String, _ message: String) -> JSONValue {
            var made = Self.condition(type, isTrue, reason: reason, message: message, previous: previous, now: now)
            made["lastUpdateTime"] = nil
            return made
        }
        let conditions: JSONValue = [
            condition("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered"),
            condition("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            condition("NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
            resources.isEmpty
                ? condition("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed")
                : condition("NamespaceContentRemaining", true, "SomeResourcesRemain", "Some resources are remaining: \(resources.joined(separator: ", "))"),
            finalizers.isEmpty
                ? condition("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished")
                : condition("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain",
                            "Some content in the namespace has finalizers remaining: \(finalizers.joined(separator: ", "))"),
        ]
        guard namespace[path: ["status", "conditions"]] != conditions else { return }
        namespace[path: ["status", "conditions"]] = conditions
        store.put(BuiltInTypes.namespaces.id, key, consume namespace)
    }

    static func specFinalizers(_ namespace: JSONValue) -> [String] {
        (namespace[path: ["spec", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
