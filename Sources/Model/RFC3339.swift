import Foundation

/// RFC 3339 times as Kubernetes writes them (`2026-11-26T05:00:00Z`, fractions and offsets allowed).
public enum RFC3339 {
    public static func date(from text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func string(from date: Date) -> String {
        date.formatted(.iso8601)
    }
}
