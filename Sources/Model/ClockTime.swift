/// A wall-clock time of day, written "HH:MM" in 24-hour notation (`finishBefore: "06:00"`).
///
/// "H:MM" is accepted too ("6:00"); the value is always written back as "HH:MM".
/// Ordered by time of day.
public struct ClockTime: StringCodable, Hashable, Comparable, Sendable {
    /// 0-23.
    public let hour: Int
    /// 0-59.
    public let minute: Int

    public init(parsing text: String) throws(ValueError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isDigit0to9) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else {
            throw ValueError("invalid time \(text.debugDescription): expected HH:MM between 00:00 and 23:59")
        }
        self.hour = hour
        self.minute = minute
    }

    /// "HH:MM", zero-padded.
    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    public static func < (lhs: ClockTime, rhs: ClockTime) -> Bool {
        (lhs.hour, lhs.minute) < (rhs.hour, rhs.minute)
    }

}
