import Foundation
import JSON

/// `--state FILE`: the stored objects as one JSON document, so a restarted mock keeps them.
extension MockCluster {
    public func snapshot() -> [UInt8] {
        var objects: [JSONValue] = []
        for type in allTypes where type.isStored {
            for object in store.list(type.id, namespace: nil) {
                objects.append(["type": .string(type.id), "object": object.value])
            }
        }
        return JSONValue.object(["resourceVersion": .int(store.resourceVersion), "objects": .array(objects)]).jsonBytes
    }

    /// Loads a snapshot: CustomResourceDefinitions first, so their resources have a type to go to.
    public mutating func restore(_ bytes: [UInt8], now: Date) throws {
        let document = try JSONValue(parsing: bytes)
        let entries = document["objects"]?.arrayValue ?? []
        let crdID = BuiltInTypes.customResourceDefinitions.id
        for entry in entries.sorted(by: { ($0["type"]?.stringValue == crdID) && ($1["type"]?.stringValue != crdID) }) {
            guard let typeID = entry["type"]?.stringValue, let object = entry["object"] else { continue }
            let key = ObjectKey(object: object)
            store.restore(typeID, key, object)
            reindex(typeID, key, object)
        }
        refreshCustomTypes()
        store.restore(resourceVersion: document["resourceVersion"]?.intValue ?? store.resourceVersion)
        // Pods and jobs already carry their progress; only settle what is still under way.
        advance(to: now)
    }

    /// Rebuilds the simulation's indexes for a restored object, without acting on it again.
    private mutating func reindex(_ typeID: String, _ key: ObjectKey, _ object: JSONValue) {
        switch typeID {
        case BuiltInTypes.namespaces.id:
            if object.deletionTimestamp != nil { simulation.terminatingNamespaces.insert(key.name) }
        case BuiltInTypes.pods.id:
            if object.deletionTimestamp != nil { simulation.terminatingPods.insert(key) }
            for owner in Self.owners(of: object) { simulation.podsByOwner[owner, default: []].insert(key) }
            if object[path: ["status", "phase"]] == "Pending" { simulation.startingPods[key] = startTime(ofPodCreated: object) }
        case BuiltInTypes.deployments.id:
            if let uid = object[path: ["metadata", "uid"]]?.stringValue { simulation.deploymentsByUID[uid] = key }
            simulation.deploymentsToReconcile.insert(key)
        case BuiltInTypes.jobs.id:
            let finished = (object[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
                ["Complete", "Failed"].contains($0["type"]?.stringValue ?? "") && $0["status"] == "True"
            }
            if !finished { simulation.runningJobs.insert(key) }
        default:
            break
        }
    }
}
