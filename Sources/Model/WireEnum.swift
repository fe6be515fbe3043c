/// A closed set of string values on the wire (`mode: enforce`). Decoding an unknown value names the
/// ones that are allowed.
public protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable, OpenAPIDescribed where RawValue == String {}

extension WireEnum {
    /// The case spelled `raw`, or an error that names the allowed values or the one meant.
    public init(parsing raw: String) throws(ValueError) {
        guard let value = Self(rawValue: raw) else {
            let hint = Spelling.closest(to: raw, in: Self.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"?" }
            throw ValueError("unknown value \"\(raw)\"; \(hint ?? "expected one of: \(Self.allowedValues)")")
        }
        self = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            self = try Self(parsing: try container.decode(String.self))
        } catch let error as ValueError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static var allowedValues: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
