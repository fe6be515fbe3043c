import Foundation
import JSON

/// When something runs: a 5-field cron expression, a macro, or a time of day.
///
/// - `minute hour day-of-month month day-of-week` with `*`, lists (`1,15`), ranges (`1-5`),
///   steps (`*/15`, `1-10/2`, `5/15` = from 5 to the end by 15), month names `JAN`-`DEC` and day
///   names `SUN`-`SAT` (any case); day-of-week 0-7, where 0 and 7 are Sunday.
/// - `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`.
/// - `"HH:MM"`: daily at that time, so `"05:00"` is `0 5 * * *`.
///
/// Day-of-month and day-of-week combine as in Vixie cron: when both are restricted, a day
/// matches if either matches (`0 0 1 * MON` is the 1st and every Monday); otherwise both must
/// match. A field counts as unrestricted only when it is exactly `*`, as in robfig/cron, which
/// Kubernetes CronJobs use (`*/2` is restricted there; Vixie would treat it as unrestricted).
///
/// Equality is on `expression` as written: `"05:00"` and `"0 5 * * *"` fire at the same times
/// but are different values, so a plan shows the edit that was made.
public struct CronSchedule: StringCodable, Hashable, Sendable {
    /// As written.
    public let expression: String
    private let fields: Fields

    public init(parsing expression: String) throws(ValueError) {
        let trimmed = Self.trimmingWhitespace(expression)
        let fail = { (problem: String) in
            ValueError("invalid cron expression \(expression.debugDescription): \(problem)")
        }
        let standard: String
        if trimmed.hasPrefix("@") {
            guard let expanded = Self.macros[trimmed.lowercased()] else {
                throw fail(
                    "unknown macro \(trimmed.debugDescription); use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
            }
            standard = expanded
        } else if trimmed.contains(ascii: ":"), !trimmed.containsWhitespace {
            // The shorthand has its own message: the writer was not writing cron.
            let time = try ClockTime(parsing: trimmed)
            standard = "\(time.minute) \(time.hour) * * *"
        } else {
            standard = trimmed
        }

        let parts = standard.split(whereSeparator: \.isWhitespace)
        guard parts.count == 5 else {
            throw fail(
                "expected 5 fields (minute hour day-of-month month day-of-week), found \(parts.count)")
        }
        do throws(FieldError) {
            let daysOfWeek = try FieldSpec.dayOfWeek.parse(parts[4])
            fields = Fields(
                minutes: try FieldSpec.minute.parse(parts[0]),
                hours: try FieldSpec.hour.parse(parts[1]),
                daysOfMonth: try FieldSpec.dayOfMonth.parse(parts[2]),
                months: try FieldSpec.month.parse(parts[3]),
                // 7 is another name for Sunday.
                daysOfWeek: (daysOfWeek | daysOfWeek >> 7) & 0x7F,
                dayOfMonthRestricted: parts[2] != "*",
                dayOfWeekRestricted: parts[4] != "*")
        } catch {
            throw fail(error.problem)
        }
        self.expression = expression
    }

    public var description: String { expression }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, which Foundation is only asked to do when
    /// the text starts or ends with something other than a printable ASCII character.
    private static func trimmingWhitespace(_ s: String) -> String {
        func isPlain(_ byte: UInt8?) -> Bool { byte.map { $0 > 0x20 && $0 < 0x80 } ?? true }
        return isPlain(s.utf8.first) && isPlain(s.utf8.last) ? s : s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func == (lhs: CronSchedule, rhs: CronSchedule) -> Bool { lhs.expression == rhs.expression }
    public func hash(into hasher: inout Hasher) { hasher.combine(expression) }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    // MARK: Next run

    /// How far ahead `nextRun` looks. Eight years is the longest a satisfiable schedule can
    /// wait: `0 0 29 2 *` from 2096 next runs in 2104, because 2100 is not a leap year.
    private static let horizonYears = 8

    /// The next run strictly after `date`, evaluated in wall-clock time of `timeZone`; nil when
    /// there is none within eight years (`0 0 30 2 *` never runs).
    ///
    /// Around daylight-saving changes every matching wall-clock time runs exactly once:
    /// - a time the spring-forward gap skips (02:30 in America/Chicago on its second Sunday of
    ///   March) runs at the first instant after the gap, 03:00 local, like
    ///   `Calendar.nextDate(after:matching:matchingPolicy: .nextTime)`; several skipped times
    ///   (`*/30 * * * *` at 02:00 and 02:30) collapse into that one run;
    /// - a time the fall-back repeats (01:30) runs at its first occurrence only, so `*/30`
    ///   runs at 01:00 and 01:30 in daylight time and next at 02:00 in standard time.
    public func nextRun(after date: Date, in timeZone: TimeZone) -> Date? {
        let after = date.timeIntervalSince1970
        // Beyond ±30,000 years Int conversion could trap; nothing is scheduled there.
        guard after.isFinite, abs(after) < 1e12 else { return nil }
        let zone = Zone(timeZone)
        let now = Int(after.rounded(.down))

        // Walk wall-clock minutes from the one after `date`'s, skipping whole months, days
        // and hours that cannot match.
        let start = floorDivide(now + zone.offset(at: now), 60) + 1
        let startDate = CivilDate(daysSince1970: floorDivide(start, 1440))
        var (year, month, day) = (startDate.year, startDate.month, startDate.day)
        var hour = modulo(start, 1440) / 60
        var minute = modulo(start, 60)
        let lastYear = year + Self.horizonYears

        while year <= lastYear {
            guard let nextMonth = fields.months.firstMember(from: month) else {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0)
                continue
            }
            if nextMonth != month { (month, day, hour, minute) = (nextMonth, 1, 0, 0) }
            if day > CivilDate.daysIn(month: month, year: year) {
                (month, day, hour, minute) = (month + 1, 1, 0, 0)
                continue
            }
            let days = CivilDate(year: year, month: month, day: day).daysSince1970
            guard fields.dayMatches(dayOfMonth: day, dayOfWeek: modulo(days + 4, 7)),  // 1970-01-01 was a Thursday
                let nextHour = fields.hours.firstMember(from: hour)
            else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if nextHour != hour { (hour, minute) = (nextHour, 0) }
            guard let nextMinute = fields.minutes.firstMember(from: minute) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            minute = nextMinute

            // A wall-clock time repeated by a fall-back maps to its first occurrence, which is
            // at or before `date` while we are in the second one: then keep walking.
            let instant = zone.instant(forWall: ((days * 24 + hour) * 60 + minute) * 60)
            if Double(instant) > after { return Date(timeIntervalSince1970: Double(instant)) }
            minute += 1
        }
        return nil
    }
}

// MARK: - Fields

/// The parsed expression: one bit per allowed value.
private struct Fields: Sendable {
    var minutes: UInt64  // bits 0-59
    var hours: UInt64  // bits 0-23
    var daysOfMonth: UInt64  // bits 1-31
    var months: UInt64  // bits 1-12
    var daysOfWeek: UInt64  // bits 0-6, Sunday = 0
    var dayOfMonthRestricted: Bool
    var dayOfWeekRestricted: Bool

    func dayMatches(dayOfMonth: Int, dayOfWeek: Int) -> Bool {
        let byMonth = daysOfMonth.contains(dayOfMonth)
        let byWeek = daysOfWeek.contains(dayOfWeek)
        return dayOfMonthRestricted && dayOfWeekRestricted ? byMonth || byWeek : byMonth && byWeek
    }
}

private extension UInt64 {
    func contains(_ bit: Int) -> Bool { (0..<64).contains(bit) && self & (1 << bit) != 0 }

    /// The smallest member that is at least `bit`.
    func firstMember(from bit: Int) -> Int? {
        guard bit < 64 else { return nil }
        let rest = self & (~0 << Swift.max(bit, 0))
        return rest == 0 ? nil : rest.trailingZeroBitCount
    }
}

/// A problem in one field, without the "invalid cron expression" prefix.
private struct FieldError: Error {
    let problem: String
}

private struct FieldSpec {
    let name: String
    let range: ClosedRange<Int>
    /// Upper-case names for the values from `firstNamedValue` on.
    let names: [String]
    let firstNamedValue: Int
    /// Appended to "is not a number" when the field has names.
    let namesHint: String

    static let minute = FieldSpec(name: "minute", range: 0...59)
    static let hour = FieldSpec(name: "hour", range: 0...23)
    static let dayOfMonth = FieldSpec(name: "day-of-month", range: 1...31)
    static let month = FieldSpec(
        name: "month", range: 1...12,
        names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        firstNamedValue: 1, namesHint: " or a month name (JAN-DEC)")
    static let dayOfWeek = FieldSpec(
        name: "day-of-week", range: 0...7,
        names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        firstNamedValue: 0, namesHint: " or a day name (SUN-SAT)")

    init(name: String, range: ClosedRange<Int>, names: [String] = [], firstNamedValue: Int = 0, namesHint: String = "") {
        self.name = name
        self.range = range
        self.names = names
        self.firstNamedValue = firstNamedValue
        self.namesHint = namesHint
    }

    /// A comma-separated list of `*`, `N`, `N-M`, each with an optional `/STEP`.
    func parse(_ text: Substring) throws(FieldError) -> UInt64 {
        var bits: UInt64 = 0
        var rest = text
        while true {
            let comma = rest.firstIndex(of: ",")
            let item = rest[..<(comma ?? rest.endIndex)]
            try parse(item, of: text, into: &bits)
            guard let comma else { return bits }
            rest = rest[rest.index(after: comma)...]
        }
    }

    /// One item of the list `text`, its values set in `bits`.
    private func parse(_ item: Substring, of text: Substring, into bits: inout UInt64) throws(FieldError) {
        guard !item.isEmpty else {
            throw FieldError(problem: "\(name) list \(String(text).debugDescription) has an empty item")
        }
        let slash = item.firstIndex(of: "/")
        let span = item[..<(slash ?? item.endIndex)]
        var step = 1
        if let slash {
            let stepText = item[item.index(after: slash)...]
            guard stepText.allSatisfy(\.isDigit0to9), let parsed = Int(stepText) else {
                throw FieldError(problem: "\(name) step \(String(stepText).debugDescription) is not a number")
            }
            guard parsed >= 1 else { throw FieldError(problem: "\(name) step \(parsed) must be at least 1") }
            step = parsed
        }

        let low: Int, high: Int
        if span == "*" {
            (low, high) = (range.lowerBound, range.upperBound)
        } else if let dash = span.firstIndex(of: "-") {
            low = try value(span[..<dash], in: item)
            high = try value(span[span.index(after: dash)...], in: item)
            guard low <= high else { throw FieldError(problem: "\(name) range \(span) starts after it ends") }
        } else {
            low = try value(span, in: item)
            // "5/15" means from 5 to the end of the range, every 15.
            high = slash == nil ? low : range.upperBound
        }
        for bit in stride(from: low, through: high, by: step) { bits |= 1 << bit }
    }

    /// One number or name, checked against the field's range.
    private func value(_ token: Substring, in item: Substring) throws(FieldError) -> Int {
        guard !token.isEmpty else {
            throw FieldError(problem: "\(name) \(String(item).debugDescription) is missing a number")
        }
        if token.allSatisfy(\.isDigit0to9) {
            // Int(token) is nil only when it overflows, which is out of range too.
            guard let number = Int(token), range.contains(number) else {
                throw FieldError(problem: "\(name) \(token) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return number
        }
        if let index = names.firstIndex(of: token.uppercased()) { return firstNamedValue + index }
        throw FieldError(problem: "\(name) \(String(token).debugDescription) is not a number\(namesHint)")
    }
}

// MARK: - Time arithmetic

/// Offsets of one time zone, and wall-clock time to instant with the DST rules of `nextRun`.
/// Instants and wall-clock times are whole seconds since 1970-01-01 00:00 (wall-clock times
/// counted as if they were UTC).
private struct Zone {
    let timeZone: TimeZone

    init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    func offset(at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
    }

    /// The instant a wall-clock time happens: its first occurrence when a fall-back repeats it,
    /// the end of the gap when a spring-forward skips it.
    func instant(forWall wall: Int) -> Int {
        // The instant is within 14 hours of `wall`, so the offsets a day either side are the
        // ones before and after any transition that could matter (zones change at most once
        // a day).
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        let occurrences = [before, after].filter { offset(at: wall - $0) == $0 }.map { wall - $0 }
        if let first = occurrences.min() { return first }
        // In the gap: wall - after is still on the old offset, wall - before already on the
        // new one. Binary search for the transition, the first instant on the new offset.
        var (low, high) = (wall - after, wall - before)
        guard low < high else { return high }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == after { high = middle } else { low = middle }
        }
        return high
    }
}

private func floorDivide(_ a: Int, _ b: Int) -> Int { (a - modulo(a, b)) / b }
private func modulo(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }

