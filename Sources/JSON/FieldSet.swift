/// One step of a path into an object, as structured-merge-diff names it: a field of a map, an
/// element of a list of maps by its key fields, an element of a set by its value, or a list index.
public enum PathElement: Hashable, Comparable, Sendable, CustomStringConvertible {
    case field(String)
    /// The key fields of an element of a `map` list, sorted by name.
    case key([KeyField])
    case value(JSONValue)
    case index(Int)

    public struct KeyField: Hashable, Sendable {
        public var name: String
        public var value: JSONValue

        public init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// Fields before keys before values before indexes, then by content, as structured-merge-diff orders them.
    public static func < (lhs: PathElement, rhs: PathElement) -> Bool {
        if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
        switch (lhs, rhs) {
        case (.field(let a), .field(let b)): return a < b
        case (.index(let a), .index(let b)): return a < b
        default: return lhs.serialized < rhs.serialized
        }
    }

    private var rank: Int {
        switch self {
        case .field: 0
        case .key: 1
        case .value: 2
        case .index: 3
        }
    }

    /// The member name in `fieldsV1`: `f:replicas`, `k:{"name":"web"}`, `v:"x"`, `i:0`.
    public var serialized: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields):
            return "k:" + JSONValue.object(Dictionary(fields.map { ($0.name, $0.value) }) { first, _ in first }).jsonText
        case .value(let value): return "v:" + value.jsonText
        case .index(let index): return "i:\(index)"
        }
    }

    public init?(serialized text: String) {
        let body = String(text.dropFirst(2))
        switch text.prefix(2) {
        case "f:": self = .field(body)
        case "k:":
            guard let object = (try? JSONValue(parsing: body))?.objectValue else { return nil }
            self = .key(object.map { KeyField(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name })
        case "v:":
            guard let value = try? JSONValue(parsing: body) else { return nil }
            self = .value(value)
        case "i:":
            guard let index = Int(body) else { return nil }
            self = .index(index)
        default: return nil
        }
    }

    /// As in a conflict message: `.replicas`, `[name="web"]`, `[="x"]`, `[0]`.
    public var description: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields): return "[" + fields.map { "\($0.name)=\(Self.goString($0.value))" }.joined(separator: ",") + "]"
        case .value(let value): return "[=\(Self.goString(value))]"
        case .index(let index): return "[\(index)]"
        }
    }

    /// Go's `%v` of a value, strings quoted as `%q` does.
    private static func goString(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text.jsonQuoted
        case .null: return "null"
        default: return value.jsonText
        }
    }
}

extension String {
    /// The string as a JSON string literal.
    public var jsonQuoted: String { JSONValue.string(self).jsonText }
}

/// A set of paths into an object, as a tree: the fields one manager owns (`fieldsV1`), or what
/// changed between two versions of an object. A path is a member when the set holds it itself;
/// children hold the paths below it.
public struct FieldSet: Hashable, Sendable {
    public var members: Set<PathElement> = []
    public var children: [PathElement: FieldSet] = [:]

    public init(members: Set<PathElement> = [], children: [PathElement: FieldSet] = [:]) {
        self.members = members
        self.children = children
    }

    public var isEmpty: Bool { members.isEmpty && children.isEmpty }

    public mutating func insert(_ path: ArraySlice<PathElement>) {
        guard let first = path.first else { return }
        if path.count == 1 {
            members.insert(first)
        } else {
            children[first, default: FieldSet()].insert(path.dropFirst())
        }
    }

    public func contains(_ path: ArraySlice<PathElement>) -> Bool {
        guard let first = path.first else { return false }
        if path.count == 1 { return members.contains(first) }
        return children[first]?.contains(path.dropFirst()) ?? false
    }

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.members.formUnion(other.members)
        for (element, child) in other.children {
            result.children[element] = result.children[element].map { $0.union(child) } ?? child
        }
        return result
    }

    /// What this set holds and `other` does not; a member of `other` does not remove the paths below it.
    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(members: members.subtracting(other.members))
        for (element, child) in children {
            let rest = other.children[element].map { child.subtracting($0) } ?? child
            if !rest.isEmpty { result.children[element] = rest }
        }
        return result
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(members: members.intersection(other.members))
        for (element, child) in children {
            guard let theirs = other.children[element] else { continue }
            let common = child.intersection(theirs)
            if !common.isEmpty { result.children[element] = common }
        }
        return result
    }

    /// The set with every field that has paths below it a member too, as pruning sees a manager's
    /// set (structured-merge-diff's `EnsureNamedFieldsAreMembers`, taking every field as a named one).
    public var withFieldsAsMembers: FieldSet {
        var result = FieldSet(members: members)
        for (element, child) in children {
            if case .field = element { result.members.insert(element) }
            result.children[element] = child.withFieldsAsMembers
        }
        return result
    }

    /// Every member path, in structured-merge-diff's order: the members of a node, then its children.
    public var paths: [[PathElement]] {
        var result = members.sorted().map { [$0] }
        for element in children.keys.sorted() {
            result += (children[element]?.paths ?? []).map { [element] + $0 }
        }
        return result
    }

    /// Without the exact paths given (not what lies below them).
    public func removingMembers(_ paths: [[PathElement]]) -> FieldSet {
        var exact = FieldSet()
        for path in paths { exact.insert(path[...]) }
        return subtracting(exact)
    }
}

// MARK: - fieldsV1

extension FieldSet {
    /// The `fieldsV1` object: members as `{}`, children as objects, `"."` for a member with children.
    public var fieldsV1: JSONValue {
        var object: [String: JSONValue] = [:]
        for member in members where children[member] == nil { object[member.serialized] = [:] }
        for (element, child) in children {
            var nested = child.fieldsV1
            if members.contains(element) { nested["."] = [:] }
            object[element.serialized] = nested
        }
        return .object(object)
    }

    /// nil when the object is not a valid `fieldsV1`.
    public init?(fieldsV1 value: JSONValue) {
        guard let object = value.objectValue else { return nil }
        for (name, nested) in object where name != "." {
            guard let element = PathElement(serialized: name), let inner = nested.objectValue else { return nil }
            if inner.isEmpty || inner["."] != nil { members.insert(element) }
            if inner.keys.contains(where: { $0 != "." }) {
                guard let child = FieldSet(fieldsV1: nested) else { return nil }
                children[element] = child
            }
        }
    }
}

extension Array where Element == PathElement {
    /// `.spec.template.spec.containers[name="web"].image`, as the apiserver prints a field path.
    public var fieldPathText: String { map(\.description).joined() }
}
