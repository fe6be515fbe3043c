import Foundation
import JSON

/// RFC 3339 times as Kubernetes writes them (`2026-11-26T05:00:00Z`, fractions and offsets allowed).
public enum RFC3339 {
    public static func date(from text: String) -> Date? {
        UTCTime.date(rfc3339: text)
    }

    public static func string(from date: Date) -> String {
        UTCTime.string(wholeSecondsOf: date)
    }

    /// `metav1.MicroTime`: exactly six fractional digits, which typed Go clients insist on for Lease
    /// and Event times.
    public static func microString(from date: Date) -> String {
        UTCTime.microString(of: date)
    }
}
