import Foundation

/// Civil dates of the proleptic Gregorian calendar (Howard Hinnant's days-from-civil
/// algorithms), RFC 3339 timestamps in and out, and the timestamp getters.
enum CELCalendar {
    struct Civil: Equatable {
        var year: Int64, month: Int64, day: Int64  // month 1-12, day 1-31
    }

    static func days(from date: Civil) -> Int64 {
        let year = date.month <= 2 ? date.year - 1 : date.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> Civil {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return Civil(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
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
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
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
        let seconds = days(from: Civil(year: year, month: month, day: day)) * 86_400 + hour * 3600 + minute * 60 + second - offset
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

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
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
