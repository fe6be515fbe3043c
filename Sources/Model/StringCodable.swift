/// A value written as one string and parsed when decoded (a cron expression, a time of day, a
/// time zone). Decoding reports the parser's own message; encoding writes `description`; CRD
/// schemas show a string.
public protocol StringCodable: Codable, CustomStringConvertible, OpenAPIDescribed {
    init(parsing text: String) throws(ValueError)
    /// What the string means, for the CRD schema.
    static var schemaDescription: String { get }
    /// A valid string, for the schema probe.
    static var exampleText: String { get }
    /// A regular expression (RE2, as the API server reads it) for the CRD schema: it may be
    /// coarser than the parser, never stricter.
    static var schemaPattern: String? { get }
    /// The longest string the CRD schema lets through.
    static var schemaMaxLength: Int { get }
}

extension StringCodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Self(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static var openAPISchema: OpenAPISchema {
        var schema = OpenAPISchema(type: "string", description: schemaDescription)
        schema.pattern = schemaPattern
        schema.maxLength = schemaMaxLength
        return schema
    }

    public static var schemaPattern: String? { nil }
    public static var schemaMaxLength: Int { 256 }

    public static var schemaPlaceholder: Self? { try? Self(parsing: exampleText) }
}
