import Foundation
import JSON

/// Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for.
enum Tables {
    static func table(for objects: [JSONValue], type: ResourceType, resourceVersion: Int, includeObject: String?,
                      now: Date, continueToken: String? = nil, withHeaders: Bool = true) -> JSONValue {
        let name = Column(name: "Name", format: "name", description: "Name must be unique within a namespace.") { object, _ in
            object[path: ["metadata", "name"]] ?? ""
        }
        let columns = [name] + type.columns
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": withHeaders ? .array(columns.map(\.definition)) : [],
            "rows": .array(objects.map { object in
                ["cells": .array(columns.map { $0.cell(object, now) }), "object": rowObject(object, includeObject: includeObject)]
            }),
        ]
    }

    /// Rows carry the object's metadata by default, the whole object with `includeObject=Object`:
    /// kubectl needs it for `-A`, `-L`, `--show-labels` and `--sort-by`.
    private static func rowObject(_ object: JSONValue, includeObject: String?) -> JSONValue {
        switch includeObject {
        case "Object": return object
        case "None": return .null
        default:
            var metadata = object["metadata"] ?? [:]
            metadata["managedFields"] = nil
            return ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata]
        }
    }
}
