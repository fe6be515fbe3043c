/// A CEL duration: signed nanoseconds, the range of Go's time.Duration that cel-go uses (about
/// ±292 years).
public struct CELDuration: Sendable, Equatable, Hashable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Go's duration syntax, as `duration('1h30m')` takes it: a sign, then numbers with units
    /// `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`.
    public init?(parsing text: String) {
        var scalars = Array(text.unicodeScalars)[...]
        var negative = false
        if let sign = scalars.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        if scalars.count == 1 && scalars.first == "0" {
            nanoseconds = 0
            return
        }
        guard !scalars.isEmpty, let total = Self.sum(of: &scalars) else { return nil }
        guard negative ? total <= 9_223_372_036_854_775_808 : total <= UInt64(Int64.max) else { return nil }
        nanoseconds = negative ? Int64(truncatingIfNeeded: 0 &- total) : Int64(total)
    }

    private static let units: [(String, UInt64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    private static func sum(of scalars: inout ArraySlice<Unicode.Scalar>) -> UInt64? {
        var total: UInt64 = 0
        while !scalars.isEmpty {
            let whole = scalars.prefix { $0 >= "0" && $0 <= "9" }
            scalars = scalars.dropFirst(whole.count)
            var fraction: ArraySlice<Unicode.Scalar> = []
            if scalars.first == "." {
                fraction = scalars.dropFirst().prefix { $0 >= "0" && $0 <= "9" }
                scalars = scalars.dropFirst(1 + fraction.count)
            }
            guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
            let unitText = String(String.UnicodeScalarView(scalars.prefix { !($0 >= "0" && $0 <= "9") && $0 != "." }))
            guard let unit = units.first(where: { $0.0 == unitText })?.1 else { return nil }
            scalars = scalars.dropFirst(unitText.unicodeScalars.count)
            guard let part = amount(whole: whole, fraction: fraction, unit: unit) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    private static func amount(whole: ArraySlice<Unicode.Scalar>, fraction: ArraySlice<Unicode.Scalar>, unit: UInt64) -> UInt64? {
        var value: UInt64 = 0
        for digit in whole {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflowPlus) = times.addingReportingOverflow(UInt64(digit.value - 48))
            guard !overflowTimes, !overflowPlus else { return nil }
            value = plus
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        var fractionValue = 0.0
        var scale = 1.0
        for digit in fraction.prefix(18) {
            scale /= 10
            fractionValue += Double(digit.value - 48) * scale
        }
        let (sum, overflowSum) = scaled.addingReportingOverflow(UInt64(fractionValue * Double(unit)))
        return overflowSum ? nil : sum
    }

    /// As cel-go writes it: seconds with a fraction only when needed, `90s`, `1.5s`.
    public var text: String {
        let magnitude = nanoseconds.magnitude
        let seconds = magnitude / 1_000_000_000
        let nanos = magnitude % 1_000_000_000
        var result = (nanoseconds < 0 ? "-" : "") + String(seconds)
        if nanos != 0 {
            var digits = String(nanos)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            result += "." + digits
        }
        return result + "s"
    }
}

/// A CEL timestamp: seconds and nanoseconds since 1970-01-01T00:00:00Z, between the years 1 and
/// 9999 as cel-spec bounds them.
public struct CELTimestamp: Sendable, Equatable, Hashable, Comparable {
    public var seconds: Int64
    public var nanos: Int32

    static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    public init?(seconds: Int64, nanos: Int32) {
        guard seconds >= Self.minSeconds, seconds <= Self.maxSeconds, nanos >= 0, nanos < 1_000_000_000 else { return nil }
        self.seconds = seconds
        self.nanos = nanos
    }

    public static func < (a: CELTimestamp, b: CELTimestamp) -> Bool {
        (a.seconds, a.nanos) < (b.seconds, b.nanos)
    }

    /// Adds a duration; nil when the result leaves the timestamp range.
    func adding(_ duration: CELDuration) -> CELTimestamp? {
        let extraSeconds = duration.nanoseconds / 1_000_000_000
        var nanos = Int64(self.nanos) + duration.nanoseconds % 1_000_000_000
        var seconds = self.seconds + extraSeconds
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        } else if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000
            seconds += 1
        }
        return CELTimestamp(seconds: seconds, nanos: Int32(nanos))
    }

    /// `self - other` as a duration; nil when it does not fit.
    func difference(from other: CELTimestamp) -> CELDuration? {
        let seconds = self.seconds - other.seconds
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflowSum) = scaled.addingReportingOverflow(Int64(nanos) - Int64(other.nanos))
        return overflowSum ? nil : CELDuration(nanoseconds: total)
    }
}
