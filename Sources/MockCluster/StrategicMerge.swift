import JSON

/// Strategic merge patch, for built-in types: a JSON merge patch whose lists of named things merge
/// element by element (by the keys of `BuiltInMergeTable`: containers by name, ports by port number,
/// ...), with the `$patch` directives
/// kubectl sends. Ordering directives (`$setElementOrder`, `$retainKeys`) are accepted and ignored.
enum StrategicMerge {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        merge(target, patch, path: []) ?? .null
    }

    /// nil: the patch deletes this value.
    private static func merge(_ target: JSONValue?, _ patch: JSONValue, path: [String]) -> JSONValue? {
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
                members[key] = mergeList(members[key]?.arrayValue ?? [], patchItems, path: path + [key])
            } else {
                members[key] = merge(members[key], change, path: path + [key])
            }
        }
        return .object(members)
    }

    private static func mergeList(_ live: [JSONValue], _ patch: [JSONValue], path: [String]) -> JSONValue {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"] == nil })
        }
        guard let key = BuiltInMergeTable.patchMergeKey(at: path) else { return .array(patch) }
        var result = live
        for item in patch {
            let identity = item[key]
            let index = result.firstIndex { identity != nil && $0[key] == identity }
            switch (index, merge(index.map { result[$0] }, item, path: path)) {
            case (let index?, let merged?): result[index] = merged
            case (let index?, nil): result.remove(at: index)
            case (nil, let merged?): result.append(merged)
            case (nil, nil): break  // deleting what is not there
            }
        }
        return .array(result)
    }
}
