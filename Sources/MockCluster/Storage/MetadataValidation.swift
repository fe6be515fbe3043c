import JSON

/// `ValidateObjectMeta` and the label and annotation rules every kind shares.
enum MetadataValidation {
    /// The name rule of a kind: Namespaces are DNS-1123 labels, Services DNS-1035 labels, the
    /// others DNS-1123 subdomains.
    static func nameProblems(_ name: String, typeID: String) -> [String] {
        switch typeID {
        case BuiltInTypes.namespaces.id: NameRules.dns1123Label(name)
        case BuiltInTypes.services.id: NameRules.dns1035Label(name)
        default: NameRules.dns1123Subdomain(name)
        }
    }

    static func errors(_ object: JSONValue, typeID: String) -> [FieldError] {
        let metadata = object["metadata"] ?? [:]
        var errors: [FieldError] = []
        let name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty {
            errors.append(FieldError(.required, "metadata.name", .omitted, "name or generateName is required"))
        } else {
            errors += nameProblems(name, typeID: typeID).map { FieldError(.invalid, "metadata.name", .json(.string(name)), $0) }
        }
        errors += labels(metadata["labels"], at: "metadata.labels")
        errors += annotations(metadata["annotations"], at: "metadata.annotations")
        return errors
    }

    /// Keys are qualified names, values label values; both reported at the map's path.
    static func labels(_ labels: JSONValue?, at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (key, value) in (labels?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            errors += NameRules.qualifiedName(key).map { FieldError(.invalid, path, .json(.string(key)), $0) }
            let text = value.stringValue ?? ""
            errors += NameRules.labelValue(text).map { FieldError(.invalid, path, .json(.string(text)), $0) }
        }
        return errors
    }

    /// The apiserver's limit on all annotations of one object together.
    static let annotationBytesLimit = 256 * 1024

    static func annotations(_ annotations: JSONValue?, at path: String) -> [FieldError] {
        var errors: [FieldError] = []
        var total = 0
        for (key, value) in (annotations?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            errors += NameRules.qualifiedName(key.lowercased()).map { FieldError(.invalid, path, .json(.string(key)), $0) }
            total += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
        }
        if total > annotationBytesLimit { errors.append(FieldError(.tooLong, path, .omitted, "may not be more than \(annotationBytesLimit) bytes")) }
        return errors
    }

    /// A map as Go's `%#v` prints it, keys sorted: `map[string]string{"app":"web"}`.
    static func goMap(_ map: JSONValue?) -> String {
        let members = (map?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\(goQuoted($0.key)):\(goQuoted($0.value.stringValue ?? ""))" }
        return "map[string]string{" + members.joined(separator: ", ") + "}"
    }

    static func nonNegative(_ value: JSONValue?, at path: String) -> [FieldError] {
        guard let number = value?.intValue, number < 0 else { return [] }
        return [FieldError(.invalid, path, .json(.int(number)), "must be greater than or equal to 0")]
    }
}
