import Foundation
import JSON

/// DELETE of one object or a collection, as kube-apiserver's generic registry answers it: options
/// read and checked, graceful deletion for pods, finalizers holding an object (it gets
/// `deletionTimestamp` and stays readable), and the garbage collector's finalizers (`orphan`,
/// `foregroundDeletion`) set from the propagation policy. What happens to dependents afterwards is
/// the garbage collector's business (GarbageCollector.swift).
extension MockCluster {
    /// How a DELETE ended: the object is gone, or it waits (finalizers, a grace period), or it was
    /// already waiting and nothing changed.
    enum DeletionOutcome {
        case removed(JSONValue)
        case pending(JSONValue)
        case alreadyPending(JSONValue)
    }

    mutating func delete(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let live = try existing(route, route.key.name)
        let options = try DeleteOptions(request, body: try deleteOptionsBody(request))
        try admit(nil, to: route, previous: live.value, request: request, now: now)
        if Self.orphansByDefault(route.type), options.propagation == nil, options.orphanDependents == nil {
            warnings.append(Self.jobOrphanWarning)
        }
        let outcome: DeletionOutcome
        if route.type.id == BuiltInTypes.namespaces.id {
            outcome = try deleteNamespace(live, options, now: now)
        } else {
            outcome = try beginDeletion(route.type, route.key, live, options, now: now)
        }
        return deletionResponse(outcome, route.type, options)
    }

    private func deleteOptionsBody(_ request: APIRequest) throws(APIError) -> JSONValue {
        request.body.isEmpty ? .null : try parseBody(request.body, contentType: "application/json")
    }

    /// The object while it waits; once gone, the object for the types that return it, otherwise a
    /// `Status` of `Success` (the store's finalizeDelete). 202 only for the deprecated
    /// `orphanDependents: false` on an object that is not gone yet, as the apiserver's handler does.
    func deletionResponse(_ outcome: DeletionOutcome, _ type: ResourceType, _ options: DeleteOptions) -> APIResponse {
        let accepted = options.orphanDependents == false ? 202 : 200
        switch outcome {
        case .pending(let object):
            return .json(object, status: accepted)
        case .removed(let object), .alreadyPending(let object):
            let status = if case .removed = outcome { 200 } else { accepted }
            if type.returnsDeletedObject { return .json(object, status: status) }
            return .json([
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": [
                    "name": object[path: ["metadata", "name"]] ?? .null, "group": .string(type.group),
                    "kind": .string(type.plural), "uid": object[path: ["metadata", "uid"]] ?? .null,
                ],
            ], status: status)
        }
    }

    mutating func deleteCollection(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
        let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
        let options = try DeleteOptions(request, body: try deleteOptionsBody(request))
        let doomed = store.list(route.type.id, namespace: route.type.namespaced ? route.namespace : nil)
            .filter { labels.matches($0.labels) && fields.matches($0.value) }
        // Admission judges every item before any is deleted: one refusal deletes none.
        for object in doomed {
            var target = route
            target.name = object.value[path: ["metadata", "name"]]?.stringValue
            target.namespace = object.value[path: ["metadata", "namespace"]]?.stringValue
            try admit(nil, to: target, previous: object.value, request: request, now: now)
        }
        var items: [JSONValue] = []
        for object in doomed {
            let key = ObjectKey(object: object.value)
            // Each item is deleted as a DELETE of it would be; one already gone is skipped.
            guard let live = store.get(route.type.id, key) else { continue }
            let outcome = route.type.id == BuiltInTypes.namespaces.id
                ? try deleteNamespace(live, options, now: now) : try beginDeletion(route.type, key, live, options, now: now)
            switch outcome {
            case .removed(let last), .pending(let last), .alreadyPending(let last): items.append(last)
            }
        }
        return .json([
            "kind": .string(route.type.listKind), "apiVersion": .string(route.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.resourceVersion))], "items": .array(items),
        ])
    }

    /// The generic registry's Delete: graceful deletion (pods), the garbage collector's finalizers,
    /// then either an update that marks the object as deleting, or its removal.
    mutating func beginDeletion(
        _ type: ResourceType, _ key: ObjectKey, _ live: StoredObject, _ options: DeleteOptions, now: Date
    ) throws(APIError) -> DeletionOutcome {
        try options.checkPreconditions(live, type, key.name)
        var object = live.value
        var graceful = false
        var lastGrace = 0
        if type.id == BuiltInTypes.pods.id {
            switch Self.podGrace(object, options) {
            case .notGraceful: break
            case .alreadyTerminating: return .alreadyPending(object)
            case .start(let seconds), .shorten(let seconds):
                Self.startGracefulDeletion(&object, seconds: seconds, now: now)
                graceful = true
                lastGrace = seconds
            }
        }
        let current = object.finalizers
        let wanted = Self.collectorFinalizers(current, options: options, defaultOrphans: Self.orphansByDefault(type))
        if Set(wanted) != Set(current) { object.finalizers = wanted }
        let pendingFinalizers = !object.finalizers.isEmpty
        if !graceful, pendingFinalizers { Self.markAsDeleting(&object, now: now) }
        let waits = pendingFinalizers || lastGrace > 0
        if options.dryRun { return waits ? .pending(object) : .removed(object) }
        if !waits { return .removed(remove(type, key)?.value ?? object) }
        // A DELETE that changes nothing (again, with the same options) writes nothing, as etcd skips
        // an update to the same bytes.
        if object == live.value { return .pending(live.value) }
        let stored = store.put(type.id, key, consume object)
        afterWrite(type, key, stored.value, previous: live.value, now: now)
        noteDeleting(type, key, stored.value)
        return .pending(stored.value)
    }

    /// Removes an object, and tells the garbage collector: its dependents may now be garbage, its
    /// owners may be waiting for it (foreground deletion).
    @discardableResult
    mutating func remove(_ type: ResourceType, _ key: ObjectKey) -> StoredObject? {
        guard let removed = store.remove(type.id, key) else { return nil }
        afterDelete(type, key, removed.value)
        simulation.garbage.objectRemoved(removed.value, namespaced: type.namespaced)
        return removed
    }

    // MARK: - Writes to deleting objects

    /// What creates and updates may do about deletion: nothing is created in a terminating
    /// namespace (the NamespaceLifecycle admission plugin); a client sets no deletion fields on
    /// create; an update keeps `deletionTimestamp` and `deletionGracePeriodSeconds` (rest.BeforeUpdate)
    /// and adds no finalizer once deletion started (ValidateObjectMetaUpdate).
    func applyDeletionRules(to object: inout JSONValue, previous: JSONValue?, route: ResourceRoute) throws(APIError) {
        guard let previous else {
            if route.type.namespaced { try admitCreation(in: route.key.namespace, route.type, name: route.key.name) }
            object[path: ["metadata", "deletionTimestamp"]] = nil
            object[path: ["metadata", "deletionGracePeriodSeconds"]] = nil
            return
        }
        if let grace = previous[path: ["metadata", "deletionGracePeriodSeconds"]] {
            if let sent = object[path: ["metadata", "deletionGracePeriodSeconds"]], sent != .null, sent != grace {
                throw .invalid(route.type, route.key.name, field: "metadata.deletionGracePeriodSeconds", "\(sent.jsonText): field is immutable")
            }
            object[path: ["metadata", "deletionGracePeriodSeconds"]] = grace
        }
        guard let deleting = previous[path: ["metadata", "deletionTimestamp"]] else { return }
        object[path: ["metadata", "deletionTimestamp"]] = deleting
        let added = object.finalizers.filter { !previous.finalizers.contains($0) }
        if !added.isEmpty {
            let list = added.map { "\"\($0)\"" }.joined(separator: ", ")
            throw .forbiddenField(route.type, route.key.name, field: "metadata.finalizers",
                                  "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(list)}")
        }
    }

    /// An update that takes the last finalizer off a deleting object whose grace period is over
    /// deletes it instead (the store's ShouldDeleteDuringUpdate).
    static func deletionFinishes(_ object: JSONValue, previous: JSONValue) -> Bool {
        object.finalizers.isEmpty && !previous.finalizers.isEmpty && previous.deletionTimestamp != nil
            && previous[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue == 0
    }

    // MARK: - Rules

    /// batch/v1 Jobs orphan their pods unless told otherwise, for compatibility (the Job registry's
    /// DefaultGarbageCollectionPolicy); every other type we serve deletes its dependents.
    static func orphansByDefault(_ type: ResourceType) -> Bool {
        type.id == BuiltInTypes.jobs.id && type.version == "v1"
    }

    /// What the Job registry warns of when a DELETE leaves the policy to that default.
    static let jobOrphanWarning = "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"

    /// The store's deletionFinalizersForGarbageCollection: the explicit options first, then the
    /// finalizers the object already carries, then the type's default.
    static func collectorFinalizers(_ current: [String], options: DeleteOptions, defaultOrphans: Bool) -> [String] {
        let orphan: Bool
        let foreground: Bool
        if let orphanDependents = options.orphanDependents {
            orphan = orphanDependents
            foreground = false
        } else if let propagation = options.propagation {
            orphan = propagation == .orphan
            foreground = propagation == .foreground
        } else if let first = current.first(where: { $0 == Finalizer.orphan || $0 == Finalizer.foreground }) {
            orphan = first == Finalizer.orphan
            foreground = first == Finalizer.foreground
        } else {
            orphan = defaultOrphans
            foreground = false
        }
        var wanted = current.filter { $0 != Finalizer.orphan && $0 != Finalizer.foreground }
        if orphan { wanted.append(Finalizer.orphan) }
        if foreground { wanted.append(Finalizer.foreground) }
        return wanted
    }

    /// markAsDeleting: for types without graceful deletion, a deleting object has a zero grace
    /// period; its generation counts the deletion once.
    static func markAsDeleting(_ object: inout JSONValue, now: Date) {
        if object.deletionTimestamp == nil, let generation = object[path: ["metadata", "generation"]]?.intValue, generation > 0 {
            object[path: ["metadata", "generation"]] = .int(generation + 1)
        }
        if object.deletionTimestamp == nil { object[path: ["metadata", "deletionTimestamp"]] = .string(timestamp(now)) }
        object[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
    }

    enum PodGrace: Equatable { case notGraceful, alreadyTerminating, start(Int), shorten(Int) }

    /// rest.BeforeDelete with the pod strategy: the grace period asked for, or the pod's own
    /// (`terminationGracePeriodSeconds`, 30 by default); zero for a pod on no node or one that has
    /// finished; while a pod terminates, only a shorter period changes anything.
    static func podGrace(_ pod: JSONValue, _ options: DeleteOptions) -> PodGrace {
        let asked = options.gracePeriodSeconds.map { $0 < 0 ? 1 : $0 }
        if pod.deletionTimestamp != nil {
            guard let current = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue, current > 0 else { return .notGraceful }
            guard let asked, asked < current else { return .alreadyTerminating }
            return .shorten(asked)
        }
        var seconds = asked ?? pod[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
        let phase = pod[path: ["status", "phase"]]?.stringValue
        if (pod[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty || phase == "Succeeded" || phase == "Failed" { seconds = 0 }
        return .start(seconds)
    }

    /// The pod's deletion is due when its grace period ends (shortened: counted from the same start).
    static func startGracefulDeletion(_ pod: inout JSONValue, seconds: Int, now: Date) {
        var start = now
        if let due = pod.deletionTimestamp.flatMap(parseTimestamp), let current = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue {
            start = due.addingTimeInterval(-Double(current))
        } else if let generation = pod[path: ["metadata", "generation"]]?.intValue, generation > 0 {
            pod[path: ["metadata", "generation"]] = .int(generation + 1)
        }
        pod[path: ["metadata", "deletionTimestamp"]] = .string(timestamp(start.addingTimeInterval(Double(seconds))))
        pod[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(seconds)
    }
}

/// The finalizers the garbage collector acts on.
enum Finalizer {
    static let orphan = "orphan"
    static let foreground = "foregroundDeletion"
}

/// What a DELETE may say about dependents.
enum Propagation: String, Sendable {
    case orphan = "Orphan", background = "Background", foreground = "Foreground"
}

extension APIError {
    /// A 422 whose cause is `FieldValueForbidden`, as field.Forbidden reports.
    static func forbiddenField(_ type: ResourceType, _ name: String, field: String, _ problem: String) -> APIError {
        var details = type.details(name)
        details["causes"] = [["reason": "FieldValueForbidden", "message": .string("Forbidden: \(problem)"), "field": .string(field)]]
        let qualifiedKind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(field): Forbidden: \(problem)", details: details)
    }
}

extension JSONValue {
    var deletionTimestamp: String? { self[path: ["metadata", "deletionTimestamp"]]?.stringValue }

    var finalizers: [String] {
        get { (self[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue) }
        set { self[path: ["metadata", "finalizers"]] = newValue.isEmpty ? nil : .array(newValue.map(JSONValue.string)) }
    }

    var ownerReferences: [JSONValue] { self[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] }
}
