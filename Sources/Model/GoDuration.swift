/// Durations written as Kubernetes components' flags write them (Go's `time.ParseDuration`
/// syntax, the part flags use): `15s`, `1m30s`, `500ms`, `2h`; non-negative, units h, m, s, ms.
public enum GoDuration {
    public static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            // Bounded, so that no flag overflows what it is later multiplied into.
            guard let number = Double(digits), number.isFinite, number >= 0, number <= 1e6 else { return nil }
            switch unit {
            case "h": total += .seconds(number * 3600)
            case "m": total += .seconds(number * 60)
            case "s": total += .seconds(number)
            case "ms": total += .milliseconds(number)
            default: return nil
            }
        }
        return total
    }
}
