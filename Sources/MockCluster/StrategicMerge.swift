import JSON

/// Strategic merge patch, for built-in types: a JSON merge patch whose lists of named things merge
/// element by element (containers by name, ports by port number, ...), with the `$patch` directives
/// kubectl sends. Ordering directives (`$setElementOrder`, `$retainKeys`) are accepted and ignored.
enum StrategicMerge {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        merge(target, patch, field: "") ?? .null
    }

    /// The key that identifies elements of a list field, as the Kubernetes types declare it.
    private static func mergeKey(field: String, elements: [JSONValue]) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets":
            return "name"
        case "ports":
            // Container ports merge on containerPort, Service ports on port.
            return elements.contains { $0["containerPort"] != nil } ? "containerPort" : "port"
        case "volumeMounts": return "mountPath"
        case "volumeDevices": return "devicePath"
        case "conditions": return "type"
        case "hostAliases": return "ip"
        case "topologySpreadConstraints": return "topologyKey"
        default: return nil
        }
    }

    /// nil: the patch deletes this value.
    private static func merge(_ target: JSONValue?, _ patch: JSONValue, field: String) -> JSONValue? {
        guard case .object(var changes) = patch else { return patch }
        switch changes.removeValue(forKey: "$patch")?.stringValue {
        case "delete": return nil
        case "replace": return .object(changes)
        default: break
        }
        var members = target?.objectValue ?? [:]
        for (key, change) in changes {
            if key.hasPrefix("$setElementOrder/") || key.hasPrefix("$deleteFromPrimitiveList/") || key == "$retainKeys" {
                continue
            }
            if change == .null {
                members[key] = nil
            } else if case .array(let patchItems) = change {
                members[key] = mergeList(members[key]?.arrayValue ?? [], patchItems, field: key)
            } else {
                members[key] = merge(members[key], change, field: key)
            }
        }
        return .object(members)
    }

    private static func mergeList(_ live: [JSONValue], _ patch: [JSONValue], field: String) -> JSONValue {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"] == nil })
        }
        guard let key = mergeKey(field: field, elements: live + patch) else { return .array(patch) }
        var result = live
        for item in patch {
            let identity = item[key]
            let index = result.firstIndex { identity != nil && $0[key] == identity }
            switch (index, merge(index.map { result[$0] }, item, field: field)) {
            case (let index?, let merged?): result[index] = merged
            case (let index?, nil): result.remove(at: index)
            case (nil, let merged?): result.append(merged)
            case (nil, nil): break  // deleting what is not there
            }
        }
        return .array(result)
    }
}
