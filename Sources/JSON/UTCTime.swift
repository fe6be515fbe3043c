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
        let civil = CivilDate(daysSince1970: day)
        let (year, month, dayOfMonth) = (civil.year, civil.month, civil.day)
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
                (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
                hour < 24, minute < 60, second < 60
            else { return nil }
            var fraction = 0.0
            if bytes.count > 20 {
                let digits = 20..<(bytes.count - 1)
                guard bytes[19] == UInt8(ascii: "."), (1...9).contains(digits.count), let value = number(digits) else { return nil }
                fraction = Double(value) / pow(10, Double(digits.count))
            }
            let seconds = (CivilDate(year: year, month: month, day: day).daysSince1970 * 86_400) + hour * 3600 + minute * 60 + second
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
}
