/// Numbers as text the way cel-go reads and writes them (Go's strconv): `string(2.5)` is `2.5`,
/// `string(1e20)` is `1e+20`, `string(1234567.0)` is `1.234567e+06` (Go's shortest `%g`).
enum CELNumberText {
    static func format(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Inf" : "+Inf" }
        if number == 0 { return number.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(number.magnitude)
        let sign = number < 0 ? "-" : ""
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            var text = String(digits.first ?? "0")
            if digits.count > 1 { text += "." + digits.dropFirst() }
            let magnitude = String(abs(exponent))
            return sign + text + "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }

    /// The shortest decimal digits that read back as `number` (Swift's description has them) and
    /// where the decimal point goes: 0.0125 is ("125", -1).
    private static func shortestDigits(_ number: Double) -> (String, Int) {
        let text = number.description
        let parts = text.split(separator: "e")
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let pointIndex = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = mantissa.filter { $0 != "." }
        var point = pointIndex + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, point)
    }

    /// Go's strconv.ParseFloat: decimal or exponent forms, `Inf`, `+Inf`, `-Inf`, `NaN` in any case,
    /// `infinity`; not hexadecimal here (cel-go does accept Go's hex floats: rare enough to leave out).
    static func parseDouble(_ text: String) -> Double? {
        let lower = text.lowercased()
        let unsigned = lower.hasPrefix("+") || lower.hasPrefix("-") ? String(lower.dropFirst()) : lower
        if ["inf", "infinity"].contains(unsigned) { return lower.hasPrefix("-") ? -.infinity : .infinity }
        if unsigned == "nan" { return .nan }
        guard !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        return Double(text)
    }
}
