import Foundation
import JSON

/// RFC 3339 timestamps in and out and the timestamp getters, on the calendar arithmetic of
/// `CivilDate` (JSON).
enum CELCalendar {
    /// The date `days` after 1970-01-01, in CEL's integers.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let date = CivilDate(daysSince1970: Int(days))
        return (Int64(date.year), Int64(date.month), Int64(date.day))
    }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CivilDate(year: Int(year), month: Int(month), day: Int(day)).daysSince1970)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, as Go's time.RFC3339 parser accepts it.
    static func parseTimestamp(_ text: String) -> CELTimestamp? {
        let scalars = Array(text.unicodeScalars)
        func number(_ start: Int, _ length: Int) -> Int64? {
            guard start + length <= scalars.count else { return nil }
            var value: Int64 = 0
            for scalar in scalars[start..<start + length] {
                guard scalar >= "0" && scalar <= "9" else { return nil }
                value = value * 10 + Int64(scalar.value - 48)
            }
            return value
        }
        guard scalars.count >= 20, scalars[4] == "-", scalars[7] == "-", scalars[10] == "T" || scalars[10] == "t",
            scalars[13] == ":", scalars[16] == ":",
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), day >= 1, day <= Int64(CivilDate.daysIn(month: Int(month), year: Int(year))), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if scalars[index] == "." {
            let digits = scalars[(index + 1)...].prefix { $0 >= "0" && $0 <= "9" }
            guard !digits.isEmpty, digits.count <= 9, let fraction = number(index + 1, digits.count) else { return nil }
            nanos = fraction * Int64(pow(10.0, Double(9 - digits.count)))
            index += 1 + digits.count
        }
        guard let offset = zoneOffset(scalars[index...], number: number, at: index) else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return CELTimestamp(seconds: seconds, nanos: Int32(nanos))
    }

    private static func zoneOffset(
        _ rest: ArraySlice<Unicode.Scalar>, number: (Int, Int) -> Int64?, at index: Int
    ) -> Int64? {
        if rest.count == 1, rest.first == "Z" || rest.first == "z" { return 0 }
        guard rest.count == 6, let sign = rest.first, sign == "+" || sign == "-", rest[index + 3] == ":",
            let hours = number(index + 1, 2), let minutes = number(index + 4, 2), hours < 24, minutes < 60
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// RFC 3339 in UTC with the fraction trimmed, as cel-go's `string(timestamp)` writes it.
    static func format(_ timestamp: CELTimestamp) -> String {
        let days = floorDivide(timestamp.seconds, 86_400)
        let secondOfDay = timestamp.seconds - days * 86_400
        let date = civil(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = String(repeating: "0", count: max(0, 4 - String(date.year).count)) + String(date.year)
        text += "-\(two(date.month))-\(two(date.day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if timestamp.nanos != 0 {
            var digits = String(timestamp.nanos)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// The offset from UTC, in seconds, of a time zone named as cel-go accepts it: an IANA name
    /// (`America/New_York`), `UTC`, or a fixed offset `+05:30` / `-08:00`.
    static func zoneOffset(named name: String, at timestamp: CELTimestamp) -> Int64? {
        let scalars = Array(name.unicodeScalars)
        if scalars.count == 6, scalars[0] == "+" || scalars[0] == "-", scalars[3] == ":",
            let hours = Int64(String(name.dropFirst().prefix(2))), let minutes = Int64(String(name.suffix(2)))
        {
            return (scalars[0] == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        guard let zone = TimeZone(identifier: name) else { return nil }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(timestamp.seconds))))
    }
}
