import JSON

/// Who owns a set of fields: a manager, by the operation it used, through the main resource or a
/// subresource. The apiserver keeps one `managedFields` entry per identity.
struct ManagerIdentity: Hashable, Comparable {
    enum Operation: String, Comparable {
        case apply = "Apply"
        case update = "Update"

        static func < (lhs: Operation, rhs: Operation) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    var manager: String
    var operation: Operation
    /// Empty for the main resource.
    var subresource: String = ""

    static func < (lhs: ManagerIdentity, rhs: ManagerIdentity) -> Bool {
        (lhs.manager, lhs.operation.rawValue, lhs.subresource) < (rhs.manager, rhs.operation.rawValue, rhs.subresource)
    }
}

/// One `metadata.managedFields` entry.
struct ManagedEntry: Hashable {
    var apiVersion: String
    /// `metav1.Time` of the last change this manager made.
    var time: String?
    var fields: FieldSet
}

/// An object's `metadata.managedFields`, read and written as the apiserver encodes them.
struct ManagedFields: Hashable {
    var entries: [ManagerIdentity: ManagedEntry] = [:]

    /// nil when the object carries none, or entries the apiserver could not decode.
    init?(of object: JSONValue) {
        guard let list = object[path: ["metadata", "managedFields"]]?.arrayValue, !list.isEmpty else { return nil }
        for item in list {
            guard let manager = item["manager"]?.stringValue,
                let operation = item["operation"]?.stringValue.flatMap(ManagerIdentity.Operation.init(rawValue:)),
                item["fieldsType"] == nil || item["fieldsType"] == "FieldsV1",
                let fields = FieldSet(fieldsV1: item["fieldsV1"] ?? [:])
            else { return nil }
            let identity = ManagerIdentity(manager: manager, operation: operation, subresource: item["subresource"]?.stringValue ?? "")
            entries[identity] = ManagedEntry(
                apiVersion: item["apiVersion"]?.stringValue ?? "", time: item["time"]?.stringValue, fields: fields)
        }
    }

    init() {}

    /// Sorted as the apiserver sorts them: Apply before Update, then by time, then by manager.
    var encoded: JSONValue {
        let sorted = entries.sorted { lhs, rhs in
            if lhs.key.operation != rhs.key.operation { return lhs.key.operation < rhs.key.operation }
            if (lhs.value.time ?? "") != (rhs.value.time ?? "") { return (lhs.value.time ?? "") < (rhs.value.time ?? "") }
            return lhs.key < rhs.key
        }
        return .array(sorted.map { identity, entry in
            var item: JSONValue = [
                "manager": .string(identity.manager), "operation": .string(identity.operation.rawValue),
                "apiVersion": .string(entry.apiVersion), "fieldsType": "FieldsV1", "fieldsV1": entry.fields.fieldsV1,
            ]
            if let time = entry.time { item["time"] = .string(time) }
            if !identity.subresource.isEmpty { item["subresource"] = .string(identity.subresource) }
            return item
        })
    }

    /// Every field some manager owns.
    var allFields: FieldSet {
        entries.values.reduce(FieldSet()) { $0.union($1.fields) }
    }

    /// Without the given fields in any manager but `keeping`; managers left with nothing are dropped.
    mutating func remove(_ fields: FieldSet, exceptFrom keeping: ManagerIdentity? = nil) {
        for (identity, entry) in entries where identity != keeping {
            let rest = entry.fields.subtracting(fields)
            entries[identity]?.fields = rest
        }
        entries = entries.filter { !$0.value.fields.isEmpty }
    }
}

extension APIRequest {
    /// The manager of a write: `fieldManager`, or the User-Agent up to its first `/` (printable
    /// characters only, at most 128 bytes), as the apiserver derives one.
    var fieldManager: String {
        if let manager = query["fieldManager"], !manager.isEmpty { return manager }
        var result = ""
        for scalar in userAgent.unicodeScalars.prefix(while: { $0 != "/" }) where scalar == " " || scalar.properties.generalCategory.isPrintable {
            guard result.utf8.count + String(scalar).utf8.count <= 128 else { break }
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}

extension Unicode.GeneralCategory {
    /// Go's `unicode.IsPrint` but for the ASCII space: letters, marks, numbers, punctuation, symbols.
    fileprivate var isPrintable: Bool {
        switch self {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: false
        case .spaceSeparator: false
        default: true
        }
    }
}
