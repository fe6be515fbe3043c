/// A closed set of string values on the wire (`mode: enforce`). Decoding an unknown value names the
/// ones that are allowed.
public protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable, OpenAPIDescribed where RawValue == String {}

extension WireEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let hint = Spelling.closest(to: raw, in: Self.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"?" }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown value \"\(raw)\"; \(hint ?? "expected one of: \(Self.allowedValues)")")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static var allowedValues: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
