import JSON
import Synchronization

/// Where an object lives within its type: cluster-scoped objects have an empty namespace.
struct ObjectKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    static func < (left: ObjectKey, right: ObjectKey) -> Bool {
        (left.namespace, left.name) < (right.namespace, right.name)
    }
}

/// An object as stored: the value, and its JSON, encoded on the first read and kept, so that reads
/// are a copy, not an encode, and an object written again before anyone reads it (a Deployment's
/// status, say, as the simulation moves it on) is never encoded at all.
struct StoredObject: Sendable {
    let value: JSONValue
    let resourceVersion: Int
    private let encoded = EncodedJSON()

    init(_ value: JSONValue, resourceVersion: Int) {
        self.value = value
        self.resourceVersion = resourceVersion
    }

    var bytes: [UInt8] { encoded.bytes(of: value) }

    var labels: [String: JSONValue] { value[path: ["metadata", "labels"]]?.objectValue ?? [:] }
}

/// One change, as watchers see it.
struct ChangeEvent: Sendable {
    enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    var kind: Kind
    var typeID: String
    var object: StoredObject
    var resourceVersion: Int { object.resourceVersion }
}

/// Every object of the cluster, with one resourceVersion counter for all writes (as etcd's revision)
/// and a bounded history of changes from which watches resume.
struct ObjectStore: Sendable {
    private var objects: [String: [ObjectKey: StoredObject]] = [:]
    private(set) var resourceVersion = 1000
    private var history: [ChangeEvent] = []
    /// Watches from before this version get 410 Gone: the history no longer reaches back that far.
    private(set) var oldestResumable = 1000
    var historyLimit = 10_000
    /// What stored objects have in common, held once.
    private var sharedParts = SharedParts()
    private var owners = OwnerIndex()

    func get(_ typeID: String, _ key: ObjectKey) -> StoredObject? {
        objects[typeID]?[key]
    }

    /// Objects in key order, of one namespace or of all (`nil`).
    func list(_ typeID: String, namespace: String?) -> [StoredObject] {
        guard let all = objects[typeID] else { return [] }
        let keys = all.keys.filter { namespace == nil || $0.namespace == namespace }.sorted()
        return keys.compactMap { all[$0] }
    }

    /// The stored objects whose ownerReferences name `uid`.
    func dependents(of uid: String) -> Set<ObjectRef> { owners.dependents(of: uid) }

    func count(_ typeID: String) -> Int { objects[typeID]?.count ?? 0 }

    var totalCount: Int { objects.values.reduce(0) { $0 + $1.count } }

    /// Stores `value` under a new resourceVersion, which it writes into the object's metadata. Takes
    /// `value` over: handed in with `consume`, it is changed in place, not copied.
    @discardableResult
    mutating func put(_ typeID: String, _ key: ObjectKey, _ value: consuming JSONValue) -> StoredObject {
        resourceVersion += 1
        value[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let stored = StoredObject(sharedParts.share(value), resourceVersion: resourceVersion)
        let previous = objects[typeID, default: [:]].updateValue(stored, forKey: key)
        owners.update(ObjectRef(typeID: typeID, key: key), from: previous?.value, to: stored.value)
        let existed = previous != nil
        record(ChangeEvent(kind: existed ? .modified : .added, typeID: typeID, object: stored))
        return stored
    }

    /// Replaces stored values of one type in place, keeping their resourceVersions and recording no
    /// change: what every read now sees, not a write (as the apiserver defaults a custom resource
    /// each time it reads one from etcd, with the defaults its CRD has now).
    mutating func rewriteInPlace(_ typeID: String, _ change: (JSONValue) -> JSONValue) {
        guard let all = objects[typeID] else { return }
        for (key, stored) in all {
            let value = change(stored.value)
            if value != stored.value {
                objects[typeID]?[key] = StoredObject(sharedParts.share(value), resourceVersion: stored.resourceVersion)
                owners.update(ObjectRef(typeID: typeID, key: key), from: stored.value, to: value)
            }
        }
    }

    @discardableResult
    mutating func remove(_ typeID: String, _ key: ObjectKey) -> StoredObject? {
        guard let removed = objects[typeID]?.removeValue(forKey: key) else { return nil }
        owners.update(ObjectRef(typeID: typeID, key: key), from: removed.value, to: nil)
        resourceVersion += 1
        var last = removed.value
        last[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let stored = StoredObject(last, resourceVersion: resourceVersion)
        record(ChangeEvent(kind: .deleted, typeID: typeID, object: stored))
        return stored
    }

    /// Puts back an object from a snapshot as it was, version included; no watcher sees it happen.
    mutating func restore(_ typeID: String, _ key: ObjectKey, _ value: JSONValue) {
        let version = value[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap(Int.init) ?? resourceVersion
        let previous = objects[typeID, default: [:]].updateValue(StoredObject(sharedParts.share(value), resourceVersion: version), forKey: key)
        owners.update(ObjectRef(typeID: typeID, key: key), from: previous?.value, to: value)
        resourceVersion = max(resourceVersion, version)
        oldestResumable = resourceVersion
    }

    /// Continues the version sequence of a snapshot, so versions never go backwards across restarts.
    mutating func restore(resourceVersion version: Int) {
        resourceVersion = max(resourceVersion, version)
        oldestResumable = resourceVersion
    }

    /// Changes after `version`, or nil when the history no longer reaches back that far.
    func changes(after version: Int) -> ArraySlice<ChangeEvent>? {
        guard version >= oldestResumable else { return nil }
        // The history is ordered by version: find the first newer change by binary search.
        var low = history.startIndex
        var high = history.endIndex
        while low < high {
            let middle = (low + high) / 2
            if history[middle].resourceVersion <= version { low = middle + 1 } else { high = middle }
        }
        return history[low...]
    }

    /// Forgets the history, as an etcd compaction does: older watches must relist.
    mutating func compact() {
        history.removeAll()
        oldestResumable = resourceVersion
    }

    private mutating func record(_ event: ChangeEvent) {
        history.append(event)
        if history.count > historyLimit {
            let dropped = history.count - historyLimit / 2
            oldestResumable = history[dropped - 1].resourceVersion
            history.removeFirst(dropped)
        }
    }
}

/// The JSON of one stored value once it has been asked for. Shared by the copies of a
/// `StoredObject` (the store's, a change event's), so whichever reads first encodes for all.
private final class EncodedJSON: Sendable {
    private let cache = Mutex<[UInt8]?>(nil)

    func bytes(of value: JSONValue) -> [UInt8] {
        cache.withLock { cached in
            if let cached { return cached }
            let bytes = value.jsonBytes
            cached = bytes
            return bytes
        }
    }
}
