import Foundation

/// Times as Kubernetes writes them (`metav1.Time`): RFC 3339 in UTC and whole seconds, e.g.
/// `2026-11-26T05:00:00Z`. Written by hand: status, Events and the mock cluster stamp thousands of
/// times a second, and Foundation's calendar arithmetic showed in every profile of them.
public enum UTCTime {
    /// `metav1.MicroTime`: exactly six fractional digits (`2026-11-26T05:00:00.000123Z`), which typed
    /// Go clients insist on for Lease and Event times.
    public static func microString(of date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let micros = String(Int(((date.timeIntervalSince1970 - whole) * 1_000_000).rounded(.down)))
        let seconds = string(wholeSecondsOf: date).dropLast()  // the "Z"
        return "\(seconds).\(String(repeating: "0", count: 6 - micros.count))\(micros)Z"
    }

    public static func string(wholeSecondsOf date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, time) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = civilDate(daysSince1970: day)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(dayOfMonth, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(time / 3600, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(time / 60 % 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(time % 60, digits: 2)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // from 0000-03-01, so that leap days end each year
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
