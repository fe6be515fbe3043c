import Foundation
import JSON
import Kube
import Logging
import Model
import Planner
import Synchronization

/// One cached object: what the controller keeps of it, and the version it was read at.
public struct CachedItem<Value: Sendable>: Sendable {
    public var key: ObjectRef
    public var resourceVersion: String
    public var value: Value

    public init(key: ObjectRef, resourceVersion: String, value: Value) {
        self.key = key
        self.resourceVersion = resourceVersion
        self.value = value
    }
}

/// A change the cache saw: nil before means added, nil after means deleted.
public struct CacheChange<Value: Sendable>: Sendable {
    public var key: ObjectRef
    public var old: Value?
    public var new: Value?
}

/// The objects of one kind as the last list and the watch events since made them, pure: each
/// operation returns the changes it made, for the event handlers.
public struct InformerStore<Value: Sendable>: Sendable {
    public private(set) var items: [ObjectRef: CachedItem<Value>] = [:]
    /// True once a full list was stored (client-go's `HasSynced`).
    public private(set) var hasSynced = false
    /// The newest version the whole store is known to be current at: its list's, then each
    /// event's and bookmark's. Integer versions only (etcd's, the mock's); 0 when unknown.
    public private(set) var currentVersion: UInt64 = 0
    /// Namespaces read afresh (a quorum list) at a version newer than `currentVersion`.
    private var namespaceVersions: [String: UInt64] = [:]

    public init() {}

    /// Whether the store has seen everything of `namespace` up to `version`: what a gate needs
    /// before it judges a change made at that version.
    public func isCurrent(atLeast version: UInt64, namespace: String) -> Bool {
        max(currentVersion, namespaceVersions[namespace] ?? 0) >= version
    }

    /// The store has seen the collection up to `version` (an event, a bookmark, a list).
    public mutating func advance(to version: String) {
        guard let number = UInt64(version), number > currentVersion else { return }
        currentVersion = number
        namespaceVersions = namespaceVersions.filter { $0.value > number }
    }

    /// A fresh list of one namespace, read at `version`: it is the truth for that namespace, as
    /// `replace` is for the whole store.
    public mutating func replace(namespace: String, with listed: [CachedItem<Value>], version: String) -> [CacheChange<Value>] {
        var changes: [CacheChange<Value>] = []
        var seen: Set<ObjectRef> = []
        for item in listed where item.key.namespace == namespace {
            seen.insert(item.key)
            if let change = upsert(item) { changes.append(change) }
        }
        for (key, item) in items where key.namespace == namespace && !seen.contains(key) {
            items[key] = nil
            changes.append(CacheChange(key: key, old: item.value, new: nil))
        }
        if let number = UInt64(version), number > currentVersion {
            namespaceVersions[namespace] = max(namespaceVersions[namespace] ?? 0, number)
        }
        return changes
    }

    public var values: [Value] { items.values.map(\.value) }

    public subscript(key: ObjectRef) -> Value? { items[key]?.value }

    /// A list (at the start, or after 410 Gone): the list is the truth, objects it lacks were
    /// deleted meanwhile. Objects at the version held already are no change.
    public mutating func replace(_ listed: [CachedItem<Value>]) -> [CacheChange<Value>] {
        var changes: [CacheChange<Value>] = []
        var seen: Set<ObjectRef> = []
        for item in listed {
            seen.insert(item.key)
            if let change = upsert(item) { changes.append(change) }
        }
        for (key, item) in items where !seen.contains(key) {
            items[key] = nil
            changes.append(CacheChange(key: key, old: item.value, new: nil))
        }
        hasSynced = true
        return changes
    }

    /// An added or modified object (from the watch, or the answer to our own write). Ignored
    /// when the store holds it at this version or a newer one.
    public mutating func upsert(_ item: CachedItem<Value>) -> CacheChange<Value>? {
        let old = items[item.key]
        if let old, !Self.isNewer(item.resourceVersion, than: old.resourceVersion) { return nil }
        items[item.key] = item
        return CacheChange(key: item.key, old: old?.value, new: item.value)
    }

    public mutating func remove(_ key: ObjectRef) -> CacheChange<Value>? {
        guard let old = items.removeValue(forKey: key) else { return nil }
        return CacheChange(key: key, old: old.value, new: nil)
    }

    /// Versions are opaque to clients, except that the same version means the same object.
    /// Integer versions (etcd's, the mock's) are compared, as client-go's mutation cache does, so
    /// that a late watch event does not undo the answer to a write that came after it.
    static func isNewer(_ candidate: String, than held: String) -> Bool {
        if candidate == held { return false }
        if let candidate = UInt64(candidate), let held = UInt64(held) { return candidate > held }
        return true
    }
}

/// A cache of one kind, cluster-wide, kept current by a list and then a watch from the list's
/// version (`WatchSequence`: it resumes after a dropped connection from the last version seen,
/// and lists again on 410 Gone). Each change goes to the handler given to `run`.
///
/// `Object` is what the API sends; `Value` is what the controller keeps of it (a typed resource,
/// or a small projection of a Deployment or Pod, so that 1,000 Deployments cost little memory).
public final class Informer<Object: Decodable & Sendable, Value: Sendable>: Sendable {
    public let resource: ResourceType
    public let labelSelector: String?
    public let fieldSelector: String?
    private let identify: @Sendable (Object) -> (key: ObjectRef, resourceVersion: String)
    private let project: @Sendable (Object) -> Value
    private let store = Mutex(InformerStore<Value>())
    private let handler = Mutex<(@Sendable ([CacheChange<Value>]) -> Void)?>(nil)

    public init(
        _ resource: ResourceType, labelSelector: String? = nil, fieldSelector: String? = nil,
        identify: @escaping @Sendable (Object) -> (key: ObjectRef, resourceVersion: String),
        project: @escaping @Sendable (Object) -> Value
    ) {
        self.resource = resource
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.identify = identify
        self.project = project
    }

    public var hasSynced: Bool { store.withLock { $0.hasSynced } }
    public var values: [Value] { store.withLock { $0.values } }
    public var count: Int { store.withLock { $0.items.count } }
    public var keys: [ObjectRef] { store.withLock { Array($0.items.keys) } }
    public subscript(key: ObjectRef) -> Value? { store.withLock { $0[key] } }
    /// The version at which the cache holds `key`'s object.
    public func version(of key: ObjectRef) -> String? { store.withLock { $0.items[key]?.resourceVersion } }

    func item(_ object: Object) -> CachedItem<Value> {
        let (key, version) = identify(object)
        return CachedItem(key: key, resourceVersion: version, value: project(object))
    }

    /// Applies one watch event; returns the changes (also given to the handler).
    @discardableResult
    public func apply(_ event: WatchEvent<Object>) -> [CacheChange<Value>] {
        let changes: [CacheChange<Value>] = store.withLock { store in
            switch event {
            case .relisted(let objects, let version):
                defer { store.advance(to: version) }
                return store.replace(objects.map(item))
            case .added(let object), .modified(let object):
                let item = item(object)
                defer { store.advance(to: item.resourceVersion) }
                return store.upsert(item).map { [$0] } ?? []
            case .deleted(let object):
                let (key, version) = identify(object)
                defer { store.advance(to: version) }
                return store.remove(key).map { [$0] } ?? []
            case .bookmark(let version):
                store.advance(to: version)
                return []
            case .error:
                return []
            }
        }
        if !changes.isEmpty, let handler = handler.withLock({ $0 }) { handler(changes) }
        return changes
    }

    /// An object this controller deleted: gone from the cache at once, as `overlay` stores the
    /// answer to a write. Should it still exist (a finalizer holds it), its watch event brings it
    /// back, at a newer version.
    public func forget(_ key: ObjectRef) {
        let change = store.withLock { $0.remove(key) }
        if let change, let handler = handler.withLock({ $0 }) { handler([change]) }
    }

    /// Whether this cache has seen `namespace` up to `version` (see `InformerStore.isCurrent`).
    public func isCurrent(atLeast version: UInt64, namespace: String) -> Bool {
        store.withLock { $0.isCurrent(atLeast: version, namespace: namespace) }
    }

    /// Reads `namespace` afresh with a quorum list (no resourceVersion: the newest the cluster
    /// has) and makes it the truth for that namespace, so that what a gate judges is at least as
    /// new as the change it judges. A watch that lags behind does not undo it: its older events
    /// are older versions.
    public func refresh(namespace: String, client: KubeClient) async throws(KubeError) {
        let list = try await client.list(Object.self, resource, namespace: namespace,
                                         options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector))
        let listed = list.items.map(item)
        let changes = store.withLock { $0.replace(namespace: namespace, with: listed, version: list.metadata?.resourceVersion ?? "") }
        if !changes.isEmpty, let handler = handler.withLock({ $0 }) { handler(changes) }
    }

    /// The answer to one of our writes: stored at once, so that work done before its watch event
    /// arrives does not act on the old version (and write twice).
    /// It does not move `currentVersion`: the watch may still owe events older than the answer.
    public func overlay(_ object: Object) {
        let changes: [CacheChange<Value>] = store.withLock { store in store.upsert(item(object)).map { [$0] } ?? [] }
        if !changes.isEmpty, let handler = handler.withLock({ $0 }) { handler(changes) }
    }

    /// Lists and watches until cancelled; a watch that fails in a way its own retries cannot mend
    /// (403, an undecodable object) starts over with a fresh list after a backoff.
    public func run(client: KubeClient, watchTimeoutSeconds: Int, logger: Logger, onChange: @escaping @Sendable ([CacheChange<Value>]) -> Void) async {
        handler.withLock { $0 = onChange }
        var failures = 0
        while !Task.isCancelled {
            let options = WatchOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, timeoutSeconds: watchTimeoutSeconds)
            do {
                for try await event in client.watch(Object.self, resource, allNamespaces: true, options: options) {
                    if case .relisted = event { failures = 0 }
                    apply(event)
                }
                return  // the sequence ends only when cancelled
            } catch {
                failures += 1
                logger.warning("watch failed; listing again", metadata: ["kube.resource": "\(resource)", "error": "\(error)"])
                let delay = min(30.0, 0.5 * pow(2, Double(min(failures, 6))))
                try? await Task.sleep(for: .seconds(delay))
            }
        }
    }
}

extension Informer where Object == JSONValue {
    /// A cache of one of our kinds: each object decoded and validated on its own, so that one
    /// that does not decode is a finding about itself (`Admitted.invalid`) and the list and the
    /// watch go on for every other.
    public convenience init<R: Resource>(admitting kind: R.Type) where Value == Admitted<R> {
        self.init(.of(kind), kind: ObjectKind(kind)) { Admitted<R>.admit($0) }
    }
}

extension Informer where Object == JSONValue {
    /// A cache of a built-in kind, kept as `project` reads it.
    public convenience init(_ resource: ResourceType, kind: ObjectKind, labelSelector: String? = nil, fieldSelector: String? = nil,
                            project: @escaping @Sendable (JSONValue) -> Value) {
        self.init(resource, labelSelector: labelSelector, fieldSelector: fieldSelector, identify: { object in
            let metadata = object["metadata"]
            return (ObjectRef(kind: kind, namespace: metadata?["namespace"]?.stringValue ?? "", name: metadata?["name"]?.stringValue ?? ""),
                    metadata?["resourceVersion"]?.stringValue ?? "")
        }, project: project)
    }
}
