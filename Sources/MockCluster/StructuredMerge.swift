import JSON

/// A list the schema cannot index: an element without a key field, or two with the same key.
struct MergeError: Error, Equatable {
    var message: String
}

/// Objects as structured-merge-diff sees them: the set of fields a value sets, the merge of an
/// applied configuration into a live object, the fields that differ between two versions, and
/// removal of fields by path. Each walk follows the schema's list and map types.
extension MergeSchema {
    // MARK: - Field sets

    /// The fields a value sets: every scalar, atomic list or atomic map, every element of a
    /// granular list, and empty maps.
    func fieldSet(of value: JSONValue) throws(MergeError) -> FieldSet {
        var set = FieldSet()
        try collect(value, names: [], path: [], into: &set)
        return set
    }

    private func collect(_ value: JSONValue, names: [String], path: [PathElement], into set: inout FieldSet) throws(MergeError) {
        switch value {
        case .object(let members) where !isAtomicMap(at: names) || path.isEmpty:
            for (name, member) in members {
                let childPath = path + [.field(name)]
                try collect(member, names: names + [name], path: childPath, into: &set)
                if member == .null || member.objectValue?.isEmpty == true { set.insert(childPath[...]) }
            }
        case .array(let items) where listType(at: names) != .atomic:
            for (element, item) in try elements(items, names: names, path: path) {
                let childPath = path + [element]
                if case .object = item { try collect(item, names: names, path: childPath, into: &set) }
                set.insert(childPath[...])
            }
        default:
            set.insert(path[...])
        }
    }

    /// Each element of a granular list with the path element that names it.
    func elements(_ items: [JSONValue], names: [String], path: [PathElement]) throws(MergeError) -> [(PathElement, JSONValue)] {
        let type = listType(at: names)
        var seen = Set<PathElement>()
        var result: [(PathElement, JSONValue)] = []
        for (index, item) in items.enumerated() {
            let element: PathElement
            switch type {
            case .atomic: element = .index(index)
            case .set: element = .value(item)
            case .map(let keys, let defaults):
                var fields: [PathElement.KeyField] = []
                for key in keys {
                    guard let value = item[key] ?? defaults[key] else {
                        throw MergeError(message: "\(path.fieldPathText): element \(index): associative list with keys has an element that omits key field \"\(key)\" (and doesn't have default value)")
                    }
                    fields.append(PathElement.KeyField(name: key, value: value))
                }
                element = .key(fields.sorted { $0.name < $1.name })
            }
            guard seen.insert(element).inserted else {
                throw MergeError(message: "\(path.fieldPathText): duplicate entries for key \(element)")
            }
            result.append((element, item))
        }
        return result
    }

    // MARK: - Merge

    /// The applied configuration merged into the live object: maps field by field, granular lists
    /// element by element, everything else replaced.
    func merge(_ live: JSONValue?, _ applied: JSONValue?, names: [String] = [], path: [PathElement] = []) throws(MergeError) -> JSONValue? {
        guard let applied else { return live }
        guard let live else { return applied }
        switch (live, applied) {
        case (.object(var members), .object(let changes)) where !isAtomicMap(at: names) || path.isEmpty:
            for (name, change) in changes {
                let merged = try merge(members[name], change, names: names + [name], path: path + [.field(name)])
                // A null is stored as absent, as the apiserver's decoding drops it.
                members[name] = merged == .null ? nil : merged
            }
            return .object(members)
        case (.array(let liveItems), .array(let appliedItems)) where listType(at: names) != .atomic:
            let liveElements = try elements(liveItems, names: names, path: path)
            let appliedElements = try elements(appliedItems, names: names, path: path)
            let liveByElement = Dictionary(liveElements) { first, _ in first }
            let appliedByElement = Dictionary(appliedElements) { first, _ in first }
            var merged: [JSONValue] = []
            for element in ListOrder.merged(live: liveElements.map(\.0), applied: appliedElements.map(\.0)) {
                let item = try merge(liveByElement[element], appliedByElement[element], names: names, path: path + [element])
                if let item { merged.append(item) }
            }
            return .array(merged)
        default:
            return applied
        }
    }

    // MARK: - Comparison

    /// The fields `new` adds, changes and removes relative to `old`.
    struct Comparison {
        var added = FieldSet()
        var modified = FieldSet()
        var removed = FieldSet()

        var addedOrModified: FieldSet { added.union(modified) }
    }

    /// `presentStructs` are paths that count as present in `old` when it lacks them: the empty
    /// structs of a typed Go object a create starts from.
    func compare(_ old: JSONValue, _ new: JSONValue, presentStructs: Set<[String]> = []) throws(MergeError) -> Comparison {
        var comparison = Comparison()
        try compare(old, new, names: [], path: [], presentStructs: presentStructs, into: &comparison)
        return comparison
    }

    private func compare(
        _ old: JSONValue?, _ new: JSONValue?, names: [String], path: [PathElement], presentStructs: Set<[String]>,
        into comparison: inout Comparison
    ) throws(MergeError) {
        guard let pairs = try childPairs(old, new, names: names, path: path) else {
            if old == nil { comparison.added.insert(path[...]) }
            else if new == nil { comparison.removed.insert(path[...]) }
            else if old != new { comparison.modified.insert(path[...]) }
            return
        }
        for (element, oldChild, newChild, childNames) in pairs {
            let childPath = path + [element]
            // Spelled out: JSONValue is nil-literal expressible, so a bare `nil` here would be `.null`.
            var oldPresent: JSONValue? = oldChild
            if oldPresent == nil, presentStructs.contains(childNames), newChild?.objectValue != nil { oldPresent = .object([:]) }
            try compare(oldPresent, newChild, names: childNames, path: childPath, presentStructs: presentStructs, into: &comparison)
            if oldPresent == nil { comparison.added.insert(childPath[...]) }
            else if newChild == nil { comparison.removed.insert(childPath[...]) }
        }
    }

    /// The children of two versions of a granular map or list, paired; nil when the value is a
    /// leaf (a scalar, an atomic list or map, or values of different shapes).
    private func childPairs(
        _ old: JSONValue?, _ new: JSONValue?, names: [String], path: [PathElement]
    ) throws(MergeError) -> [(PathElement, JSONValue?, JSONValue?, [String])]? {
        let isObject = { (value: JSONValue?) in value == nil || value?.objectValue != nil }
        let isArray = { (value: JSONValue?) in value == nil || value?.arrayValue != nil }
        if isObject(old), isObject(new), old != nil || new != nil, !isAtomicMap(at: names) || path.isEmpty {
            let oldMembers = old?.objectValue ?? [:]
            let newMembers = new?.objectValue ?? [:]
            return Set(oldMembers.keys).union(newMembers.keys).sorted().map {
                (.field($0), oldMembers[$0], newMembers[$0], names + [$0])
            }
        }
        guard isArray(old), isArray(new), old != nil || new != nil, listType(at: names) != .atomic else { return nil }
        let oldElements = try elements(old?.arrayValue ?? [], names: names, path: path)
        let newElements = try elements(new?.arrayValue ?? [], names: names, path: path)
        let oldByElement = Dictionary(oldElements) { first, _ in first }
        let newByElement = Dictionary(newElements) { first, _ in first }
        let all = oldElements.map(\.0) + newElements.map(\.0).filter { oldByElement[$0] == nil }
        return all.map { ($0, oldByElement[$0], newByElement[$0], names) }
    }

    // MARK: - Removal

    /// The value without the paths `set` holds as members (with all below them).
    func removing(_ set: FieldSet, from value: JSONValue, names: [String] = [], path: [PathElement] = []) throws(MergeError) -> JSONValue {
        switch value {
        case .object(var members):
            for (name, member) in members {
                let element = PathElement.field(name)
                if set.members.contains(element) {
                    members[name] = nil
                } else if let below = set.children[element] {
                    members[name] = try removing(below, from: member, names: names + [name], path: path + [element])
                }
            }
            return .object(members)
        case .array(let items) where listType(at: names) != .atomic:
            var kept: [JSONValue] = []
            for (element, item) in try elements(items, names: names, path: path) where !set.members.contains(element) {
                kept.append(try set.children[element].map { below throws(MergeError) in
                    try removing(below, from: item, names: names, path: path + [element])
                } ?? item)
            }
            return .array(kept)
        default:
            return value
        }
    }
}

/// The order of a merged list, as structured-merge-diff makes it: the live order, with the applied
/// elements that are also live taking the applied order among themselves, and new elements placed
/// after the applied element they follow.
enum ListOrder {
    static func merged(live: [PathElement], applied: [PathElement]) -> [PathElement] {
        let appliedSet = Set(applied)
        let liveSet = Set(live)
        var shared = applied.filter(liveSet.contains)[...]
        var nextShared = shared.popFirst()
        var taken = Set<PathElement>()
        var result: [PathElement] = []
        var liveIndex = 0
        var appliedIndex = 0
        while liveIndex < live.count || appliedIndex < applied.count {
            if liveIndex < live.count, appliedIndex < applied.count {
                let element = live[liveIndex]
                if element == applied[appliedIndex] {
                    result.append(element)
                    taken.insert(element)
                    liveIndex += 1
                    appliedIndex += 1
                    nextShared = shared.popFirst()
                    continue
                }
                // A shared element, but not the one due now: it comes when the applied order reaches it.
                if appliedSet.contains(element), let due = nextShared, due != element {
                    liveIndex += 1
                    continue
                }
            }
            if liveIndex < live.count {
                let element = live[liveIndex]
                if !appliedSet.contains(element) || taken.contains(element) {
                    if !appliedSet.contains(element) { result.append(element) }
                    liveIndex += 1
                    continue
                }
            }
            if appliedIndex < applied.count {
                let element = applied[appliedIndex]
                result.append(element)
                taken.insert(element)
                appliedIndex += 1
                if nextShared == element { nextShared = shared.popFirst() }
            }
        }
        return result
    }
}
