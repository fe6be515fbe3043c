import Foundation

/// An IANA time zone name ("America/Chicago", "UTC") that Foundation can resolve.
///
/// `TimeZone(identifier:)` alone is too lenient as a validator: on Linux it also resolves
/// ICU's custom offsets ("GMT+5", "UTC+1") and legacy three-letter IDs ("BST" is Bangladesh,
/// "IST" India), which are not IANA names and rarely mean what the writer meant. Those are
/// refused. Conversely `TimeZone.knownTimeZoneIdentifiers` is too strict (it omits "UTC",
/// "Etc/UTC" and "Asia/Kolkata"), so it is only used to suggest a name after a typo.
///
/// Equality is on `identifier` as written: "UTC" and "Etc/UTC" are different values.
public struct TimeZoneID: StringCodable, Hashable, Sendable {
    public let identifier: String
    /// Resolved once at parse time.
    public let timeZone: TimeZone

    public init(parsing identifier: String) throws(ValueError) {
        guard Self.isIANAShaped(identifier), let timeZone = TimeZone(identifier: identifier) else {
            throw ValueError(Self.unknownMessage(identifier))
        }
        self.identifier = identifier
        self.timeZone = timeZone
    }

    public var description: String { identifier }

    public static func == (lhs: TimeZoneID, rhs: TimeZoneID) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    // MARK: Which names count

    /// The IANA names without a "/" (from tzdata's main and `backward` files). Every other
    /// IANA name is Area/Location; everything else without a "/" is ICU's invention.
    static let slashlessNames: Set<String> = [
        "CET", "CST6CDT", "Cuba", "EET", "EST", "EST5EDT", "Egypt", "Eire", "GB", "GB-Eire", "GMT",
        "GMT+0", "GMT-0", "GMT0", "Greenwich", "HST", "Hongkong", "Iceland", "Iran", "Israel",
        "Jamaica", "Japan", "Kwajalein", "Libya", "MET", "MST", "MST7MDT", "NZ", "NZ-CHAT", "Navajo",
        "PRC", "PST8PDT", "Poland", "Portugal", "ROC", "ROK", "Singapore", "Turkey", "UCT", "UTC",
        "Universal", "W-SU", "WET", "Zulu",
    ]

    private static func isIANAShaped(_ identifier: String) -> Bool {
        if slashlessNames.contains(identifier) { return true }
        // ICU also knows "SystemV/EST5"-style names, which left tzdata long ago.
        return identifier.contains(ascii: "/") && !identifier.hasPrefix("SystemV/")
    }

    // MARK: Suggestions (only computed for an error)

    /// Names to suggest after a typo. A static let is computed once, on first use, so decoding
    /// many documents with valid names never builds it at all.
    private static let suggestible: [String] =
        (TimeZone.knownTimeZoneIdentifiers + ["UTC", "Etc/UTC"]).filter(isIANAShaped)

    private static func unknownMessage(_ identifier: String) -> String {
        if let suggestion = suggestion(for: identifier) {
            return "unknown time zone \(identifier.debugDescription); did you mean \(suggestion.debugDescription)?"
        }
        return "unknown time zone \(identifier.debugDescription); use an IANA name like \"America/New_York\""
    }

    /// The closest known name by (case-insensitive) edit distance, when the typo is small
    /// relative to the name: at most one edit per five characters, so "America/Chicgo" finds
    /// "America/Chicago" but "CST" does not turn into "EST". A bare city ("chicago",
    /// "New York") finds its Area/City name.
    static func suggestion(for identifier: String) -> String? {
        let typed = Array(identifier.lowercased().replacingOccurrences(of: " ", with: "_"))
        if let byCity = suggestible.first(where: {
            $0.split(separator: "/").last.map { Array($0.lowercased()) } == typed
        }) {
            return byCity
        }
        return Spelling.closest(to: String(typed), in: suggestible, maxDistance: typed.count / 5)
    }
}
