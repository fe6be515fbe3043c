import JSON

/// The parts of OpenAPI a real API server enforces in a CRD's schema and the mock does not: a CRD
/// that uses one is refused (501) rather than accepted with the rule silently ignored, so that
/// nothing passes here that a real cluster would refuse.
enum UnimplementedSchemaFeatures {
    static let keywords = ["multipleOf", "allOf", "anyOf", "oneOf", "not"]
    /// String formats kube-openapi checks (apiextensions' supported formats); others it ignores.
    static let checkedStringFormats: Set<String> = [
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5", "isbn",
        "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration", "datetime",
        "date-time",
    ]

    /// The first feature a CRD's schemas use that the mock cannot enforce, with its path.
    static func first(in crd: JSONValue) -> String? {
        for (index, version) in (crd[path: ["spec", "versions"]]?.arrayValue ?? []).enumerated() {
            guard let schema = version[path: ["schema", "openAPIV3Schema"]] else { continue }
            if let found = first(in: schema, path: "spec.versions[\(index)].schema.openAPIV3Schema") { return found }
        }
        return nil
    }

    private static func first(in schema: JSONValue, path: String) -> String? {
        guard let object = schema.objectValue else { return nil }
        if let keyword = keywords.first(where: { object[$0] != nil }) { return "\(path).\(keyword)" }
        if object["type"] == "string", let format = object["format"]?.stringValue, checkedStringFormats.contains(format) {
            return "\(path).format (\(format))"
        }
        for (name, member) in (object["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let found = first(in: member, path: "\(path).properties[\(name)]") { return found }
        }
        if let items = object["items"], let found = first(in: items, path: "\(path).items") { return found }
        if let additional = object["additionalProperties"], let found = first(in: additional, path: "\(path).additionalProperties") {
            return found
        }
        return nil
    }
}
