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
            store.put(typeID, key, object)
            if let type = allTypes.first(where: { $0.id == typeID }) {
                afterWrite(type, key, object, previous: nil, now: now)
            }
        }
        // Pods and jobs already carry their progress; only settle what is still under way.
        advance(to: now)
    }
}
