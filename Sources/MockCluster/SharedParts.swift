import JSON

/// Equal parts of stored objects, held once. Objects created alike (10,000 Deployments from one
/// template, defaulted alike) repeat most of their trees: strategy, probes, resources, env entries,
/// label sets, and the long strings of keys and values. Each stored value is rebuilt from the parts
/// already held, so copy-on-write shares one copy among all the objects that have it. Values stay
/// equal to what was stored: only where they live changes.
///
/// A part is looked up only when all its own parts were found: a part holding something new (a
/// name, a uid, a time) cannot have been seen before, so objects' unique parts are never hashed
/// or kept here. Bounded: the table starts over when full, and only the sharing of what is stored
/// afterwards suffers.
struct SharedParts: Sendable {
    private var parts: Set<JSONValue> = []
    private var strings: Set<String> = []
    static let limit = 100_000
    /// Strings of up to 15 UTF-8 bytes live inside the value itself; longer ones have storage to share.
    static let inlineStringBytes = 15

    /// `value`, built from the parts already held where it has equal ones.
    mutating func share(_ value: JSONValue) -> JSONValue {
        if parts.count + strings.count >= Self.limit {
            parts.removeAll()
            strings.removeAll()
        }
        return shared(value).value
    }

    /// The value rebuilt from held parts, and whether the table already held it.
    private mutating func shared(_ value: JSONValue) -> (value: JSONValue, wasHeld: Bool) {
        switch value {
        case .object(let members) where !members.isEmpty:
            var rebuilt: [String: JSONValue] = Dictionary(minimumCapacity: members.count)
            var allHeld = true
            for (name, member) in members {
                let part = shared(member)
                rebuilt[string(name)] = part.value
                allHeld = allHeld && part.wasHeld
            }
            return held(.object(rebuilt), ifPartsWere: allHeld)
        case .array(let items) where !items.isEmpty:
            var allHeld = true
            let rebuilt = items.map { item in
                let part = shared(item)
                allHeld = allHeld && part.wasHeld
                return part.value
            }
            return held(.array(rebuilt), ifPartsWere: allHeld)
        case .string(let text) where text.utf8.count > Self.inlineStringBytes:
            let (inserted, member) = strings.insert(text)
            return (.string(member), !inserted)
        default:
            // Numbers, booleans, null, short strings and empty containers have no storage of their own.
            return (value, true)
        }
    }

    private mutating func held(_ value: JSONValue, ifPartsWere allHeld: Bool) -> (value: JSONValue, wasHeld: Bool) {
        guard allHeld else { return (value, false) }
        let (inserted, member) = parts.insert(value)
        return (member, !inserted)
    }

    /// Member names, shared as string values are.
    private mutating func string(_ text: String) -> String {
        guard text.utf8.count > Self.inlineStringBytes else { return text }
        return strings.insert(text).memberAfterInsert
    }
}
