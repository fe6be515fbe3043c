import JSON
import Model

/// The object we would apply compared with the live one through field ownership, as a server
/// that keeps managedFields sees it.
///
/// Why managedFields rather than a server-side dry-run apply (`dryRun=All`): the dry run costs a
/// request through the write path (admission included) per Deployment per pass, and the plan of
/// 100,000 services runs from the informer cache without any request; the live objects carry
/// the ownership record already, so the comparison stays pure and the shell only moves bytes.
///
/// What it counts as a change: a field we render whose live value differs (a missing node is
/// one change at that node), and a field our apply entry owns that we no longer render, which
/// our apply would remove (when no other manager keeps it). What it leaves alone: anything we do
/// not render (the server's defaults, other managers' fields, values the server dropped as
/// empty, which we never render either).
public enum OwnedFieldComparison {
    /// One difference, at a path in structured-merge-diff's terms.
    public struct Difference: Sendable, Equatable {
        public var path: [PathElement]
        /// nil when the live object lacks the node.
        public var live: JSONValue?
        /// nil when we no longer render it: our apply would remove it.
        public var desired: JSONValue?
        /// Managers other than ours that own the path in the live object: who changed it.
        public var changedBy: [String]

        public init(path: [PathElement], live: JSONValue?, desired: JSONValue?, changedBy: [String] = []) {
            self.path = path
            self.live = live
            self.desired = desired
            self.changedBy = changedBy
        }

        /// As the apiserver prints a field path: `.spec.template.spec.containers[name="web"].image`.
        public var pathText: String { path.fieldPathText }

        /// One line of `hmsctl diff`: the path, the live value and ours.
        public var line: String {
            let drift = changedBy.isEmpty ? "" : " (changed by \(changedBy.joined(separator: ", ")))"
            return "\(pathText): \(live?.jsonText ?? "(absent)") → \(desired?.jsonText ?? "(removed)")\(drift)"
        }
    }

    /// The differences between `desired` (what we would apply) and `live`, by the live object's
    /// managedFields: `applier` is the field manager our apply uses, `ours` every manager that is
    /// us (never counted as the one that changed a field).
    public static func differences(desired: JSONValue, live: JSONValue, applier: String, ours: Set<String>) -> [Difference] {
        differences(desired: desired, live: live, applied: appliedFields(in: live, applier: applier)?.paths ?? [], applier: applier, ours: ours)
    }

    /// As above, with the paths `applier`'s Apply entry owns (`applied`) decoded already: a
    /// caller that compares the same live version again (the controller, every pass) decodes
    /// them once (`ObservedDeployment.appliedFields`).
    public static func differences(desired: JSONValue, live: JSONValue, applied: [[PathElement]], applier: String, ours: Set<String>) -> [Difference] {
        var found: [Difference] = []
        compare(desired, live, at: [], into: &found)
        // We render a path when what we would apply has a value there: an atomic struct (a
        // Deployment's selector, one member in fieldsV1) is covered by its value too.
        let unrendered = applied.filter { ListKeys.value(at: $0, in: desired) == nil }
        // The other entries are decoded only when needed: a converged object needs none.
        guard !found.isEmpty || !unrendered.isEmpty else { return found }
        let managedFields = live[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let others = managedFields.filter { !isApply($0, by: applier) }.compactMap(ManagedFieldsEntry.init)
        for index in found.indices {
            found[index].changedBy = owners(of: found[index].path, in: others, excluding: ours)
        }
        return found + released(unrendered, live: live, others: others)
    }

    /// The fields `applier`'s Apply entry owns in `live`; nil without one (or an unreadable one).
    public static func appliedFields(in live: JSONValue, applier: String) -> FieldSet? {
        let entries = live[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        return entries.first { isApply($0, by: applier) }.flatMap(ManagedFieldsEntry.init)?.fields
    }

    private static func isApply(_ entry: JSONValue, by applier: String) -> Bool {
        entry["manager"]?.stringValue == applier && entry["operation"]?.stringValue == "Apply"
    }

    /// Walks what we render and records each difference, at the highest node that differs.
    static func compare(_ desired: JSONValue, _ live: JSONValue?, at path: [PathElement], into found: inout [Difference]) {
        guard let live else {
            if !isEmpty(desired) { found.append(Difference(path: path, live: nil, desired: desired)) }
            return
        }
        switch desired {
        case .object(let members):
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                compare(value, live[name], at: path + [.field(name)], into: &found)
            }
        case .array(let items):
            guard let keys = ListKeys.keys(at: path) else { return scalar(desired, live, at: path, into: &found) }
            for item in items {
                compare(item, ListKeys.item(in: live, keys: keys, matching: item), at: path + [ListKeys.element(item, keys: keys)], into: &found)
            }
        default:
            scalar(desired, live, at: path, into: &found)
        }
    }

    private static func scalar(_ desired: JSONValue, _ live: JSONValue, at path: [PathElement], into found: inout [Difference]) {
        if !sameValue(desired, live, at: path) { found.append(Difference(path: path, live: live, desired: desired)) }
    }

    /// The server stores no empty map or list, and leaves out a zero value of an `omitempty`
    /// field (an env variable's `value: ""`): rendering one where the live object has none is no
    /// difference.
    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members): members.values.allSatisfy(isEmpty)
        case .array(let items): items.isEmpty
        case .string(let text): text.isEmpty
        case .int(let number): number == 0
        case .bool(let flag): !flag
        case .null: true
        case .double(let number): number == 0
        }
    }

    /// Quantities compare by value under `resources` (the server may write 0.5 back as 500m);
    /// everything else as JSON.
    static func sameValue(_ desired: JSONValue, _ live: JSONValue, at path: [PathElement]) -> Bool {
        if desired == live { return true }
        guard path.contains(.field("resources")), let wanted = desired.stringValue, let held = live.stringValue else { return false }
        return (try? Quantity(parsing: wanted)) == (try? Quantity(parsing: held)) && (try? Quantity(parsing: wanted)) != nil
    }

    /// Of the fields our apply entry owns and we no longer render (`unrendered`), those the live
    /// object still holds and no other entry keeps: our apply removes them. Only the highest such
    /// path is reported.
    /// `spec.replicas` is never one: a service handed to an external scaler stops rendering it,
    /// and removing it would reset the count to the default until the scaler takes it.
    static func released(_ unrendered: [[PathElement]], live: JSONValue, others: [ManagedFieldsEntry]) -> [Difference] {
        var reported: [Difference] = []
        for path in unrendered {
            guard !others.contains(where: { $0.holds(path, orBelow: false) }), path != [.field("spec"), .field("replicas")],
                  !reported.contains(where: { path.starts(with: $0.path) }),
                  let value = ListKeys.value(at: path, in: live)
            else { continue }
            reported.append(Difference(path: path, live: value, desired: nil))
        }
        return reported
    }

    /// The managers, not ours, whose entries own `path`: sorted, each once.
    static func owners(of path: [PathElement], in entries: [ManagedFieldsEntry], excluding ours: Set<String>) -> [String] {
        let owners = entries.filter { !ours.contains($0.manager) && $0.holds(path, orBelow: true) }.map(\.manager)
        return Array(Set(owners)).sorted()
    }
}

/// One entry of `metadata.managedFields`: who, by which operation, owns which fields.
public struct ManagedFieldsEntry: Sendable, Equatable {
    public var manager: String
    public var operation: String
    public var fields: FieldSet

    /// An entry of a managedFields list; nil without a manager or a readable `fieldsV1`.
    init?(_ entry: JSONValue) {
        guard let manager = entry["manager"]?.stringValue, let value = entry["fieldsV1"], let fields = FieldSet(fieldsV1: value) else { return nil }
        self.init(manager: manager, operation: entry["operation"]?.stringValue ?? "", fields: fields)
    }

    public init(manager: String, operation: String, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.fields = fields
    }

    /// Owns the path: itself, or an atomic node above it (a member with nothing below), or,
    /// `orBelow`, a field below it (a node another manager wrote into).
    func holds(_ path: [PathElement], orBelow: Bool) -> Bool {
        var node: FieldSet? = fields
        for (position, element) in path.enumerated() {
            guard let current = node else { return false }
            let isLast = position == path.count - 1
            if current.members.contains(element), isLast || current.children[element] == nil { return true }
            node = current.children[element]
        }
        return orBelow && node.map { !$0.isEmpty } ?? false
    }
}

/// The lists of what we render that are maps keyed by some of their fields (`+listType=map`):
/// their elements are named by those keys, as in `fieldsV1` (`k:{"name":"web"}`), and compared
/// element by element; another list is one value.
enum ListKeys {
    /// A Service's own ports, at `.spec.ports`, are keyed by port and protocol; a container's by
    /// containerPort and protocol.
    static let servicePorts: [PathElement] = [.field("spec"), .field("ports")]

    static func keys(at path: [PathElement]) -> [String]? {
        if path == servicePorts { return ["port", "protocol"] }
        guard case .field(let name) = path.last else { return nil }
        switch name {
        // A container is ours by its name (`ObservedDeployment.ownContainer`), never its place.
        case "containers", "env": return ["name"]
        case "ports": return ["containerPort", "protocol"]
        case "ownerReferences": return ["uid"]
        default: return nil
        }
    }

    static func element(_ item: JSONValue, keys: [String]) -> PathElement {
        .key(keys.sorted().compactMap { name in item[name].map { PathElement.KeyField(name: name, value: $0) } })
    }

    /// The live element with the same key values; `protocol` defaults to TCP, as the server stores it.
    static func item(in live: JSONValue, keys: [String], matching desired: JSONValue) -> JSONValue? {
        live.arrayValue?.first { candidate in
            keys.allSatisfy { key in
                let fallback: JSONValue? = key == "protocol" ? "TCP" : nil
                return (candidate[key] ?? fallback) == (desired[key] ?? fallback)
            }
        }
    }

    /// The live value at a `fieldsV1` path, or nil when the object lacks it.
    static func value(at path: [PathElement], in live: JSONValue) -> JSONValue? {
        var node: JSONValue? = live
        for element in path {
            switch element {
            case .field(let name): node = node?[name]
            case .key(let fields):
                let wanted = JSONValue.object(Dictionary(fields.map { ($0.name, $0.value) }) { first, _ in first })
                node = node.flatMap { item(in: $0, keys: fields.map(\.name), matching: wanted) }
            case .value(let value): node = node?.arrayValue?.contains(value) == true ? value : nil
            case .index(let index): node = node?.arrayValue.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
        }
        return node
    }
}
