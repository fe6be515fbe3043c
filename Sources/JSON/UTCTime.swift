import Foundation
import Synchronization

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
        // A busy writer stamps many objects within one second: that second is written once.
        if let known = lastWritten.withLock({ $0.seconds == seconds ? $0.text : nil }) { return known }
        let text = format(seconds)
        lastWritten.withLock { $0 = (seconds, text) }
        return text
    }

    private static let lastWritten = Mutex<(seconds: Int, text: String)>((.min, ""))

    private static func format(_ seconds: Int) -> String {
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

    /// The time of a UTC stamp as these functions write it: `2026-11-26T05:00:00Z`, with or without
    /// a fraction of up to nine digits. Anything else (an offset, a lowercase `t`, a field out of
    /// range) is nil: callers fall back to a general RFC 3339 parser for those.
    public static func date(parsing text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[bytes.count - 1] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
                hour < 24, minute < 60, second < 60
            else { return nil }
            var fraction = 0.0
            if bytes.count > 20 {
                let digits = 20..<(bytes.count - 1)
                guard bytes[19] == UInt8(ascii: "."), (1...9).contains(digits.count), let value = number(digits) else { return nil }
                fraction = Double(value) / pow(10, Double(digits.count))
            }
            let seconds = (daysSince1970(year: year, month: month, day: day) * 86_400) + hour * 3600 + minute * 60 + second
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        }
    }

    /// Any RFC 3339 time: the stamps `string(wholeSecondsOf:)` and `microString(of:)` write are
    /// read by hand, other forms (offsets, say) by Foundation.
    public static func date(rfc3339 text: String) -> Date? {
        if let date = date(parsing: text) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
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
