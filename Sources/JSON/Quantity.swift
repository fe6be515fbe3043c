/// A Kubernetes resource quantity (`500m`, `2`, `512Mi`, `1e3`) as
/// `k8s.io/apimachinery/pkg/api/resource.Quantity` decodes, compares and prints it: exactly, as a
/// decimal (digits times a power of ten), rounded up to nano units, binary amounts capped at
/// 2^63-1. The one quantity type: the mock cluster refuses and stores with it, the model's
/// resources and autoscale targets hold it, the planner compares with it.
///
/// Equality, hashing and order follow the value (`Cmp`), never the text: `500m == 0.5` and
/// `1Gi == 1073741824`, while `4Ei` and `4611686018427387905` differ although they are the same
/// Double. `text` is the text as written (what a person wrote, and what our encoders write back);
/// `storedText` is what kube-apiserver stores and prints (`0.5` becomes `500m`).
public struct Quantity: Sendable, CustomStringConvertible {
    public enum Format: Equatable, Sendable { case decimalSI, binarySI, decimalExponent }

    /// `ParseQuantity`'s errors, with its words (`message`).
    public enum ParseError: Error, Equatable, Sendable {
        case format, suffix, numeric

        public var message: String {
            switch self {
            case .format: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            case .suffix: "unable to parse quantity's suffix"
            case .numeric: "unable to parse numeric part of quantity"
            }
        }
    }

    /// As written: `"0.5"`, `"2"`, `"512Mi"`.
    public let text: String
    public private(set) var negative: Bool
    /// The magnitude's digits, most significant first, without leading zeros (none for zero).
    var digits: [UInt8]
    /// The magnitude is `digits` times 10^exponent.
    var exponent: Int
    public private(set) var format: Format
    /// The text as written, when Go keeps it (it was in canonical form already).
    var keptText: String?

    public var isZero: Bool { digits.isEmpty }
    /// -1, 0 or 1, as `Sign` says.
    public var signum: Int { isZero ? 0 : (negative ? -1 : 1) }
    public var description: String { text }
    /// Whether the number before the suffix has a digit: Go reads `m`, `-`, `.` and `e3` as zero.
    public let hasDigits: Bool

    /// How `UnmarshalJSON` reads a JSON value: a string's content, or the text of any other value.
    public init(json value: JSONValue) throws(ParseError) {
        switch value {
        case .string(let text): try self.init(parsing: String(text.trimmingWhitespace))
        case .int(let number): try self.init(parsing: String(number))
        case .double(let number):
            let integral = number.rounded(.towardZero) == number && abs(number) < 1e18
            try self.init(parsing: integral ? String(Int64(number)) : "\(number)")
        default: throw .format
        }
    }

    /// `ParseQuantity`: the grammar, the suffixes, nano rounding and the binary cap.
    public init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else { throw .format }
        let parts = try QuantityText(text)
        guard let suffix = QuantitySuffix(parts.suffix) else { throw .suffix }
        self.text = text
        hasDigits = parts.hasDigits
        negative = !parts.positive
        format = suffix.format
        keptText = nil
        if text == "0" {
            (digits, exponent, format, keptText) = ([], 0, .decimalSI, "0")
            return
        }
        digits = Self.trimmed(Array((parts.numerator + parts.fraction).utf8).map { $0 - UInt8(ascii: "0") })
        exponent = -parts.fraction.count
        switch suffix {
        case .decimal(let power, _):
            exponent += power
            keptText = Self.keepsDecimalText(parts, power: power) ? text : nil
        case .binary(let power):
            keptText = Self.keepsBinaryText(parts, power: power) ? text : nil
            for _ in 0..<power { digits = Self.doubled(digits) }
        }
        roundUpToNano()
        if format == .binarySI { capBinary() }
        if isZero { negative = false }
    }

    /// Go's fast path keeps the text of a decimal quantity in canonical form: a power of 1000, a
    /// value that fits 18 digits, no leading zero, not ending in `000`.
    private static func keepsDecimalText(_ parts: QuantityText, power: Int) -> Bool {
        let shifted = parts.numerator + parts.fraction
        let scale = power - parts.fraction.count
        let fits = 18 - shifted.count >= 0 && scale >= -9
        return fits && scale % 3 == 0 && !shifted.hasSuffix("000") && !shifted.hasPrefix("0")
    }

    /// Go's fast path keeps the text of a binary quantity without a fraction whose number is not
    /// a multiple of 8, when it fits the precision Go allows there.
    private static func keepsBinaryText(_ parts: QuantityText, power: Int) -> Bool {
        guard parts.fraction.isEmpty, let value = Int64(parts.numerator) else { return false }
        let precision = 15 - parts.numerator.count - Int(Float(power) * 3 / 10) - 1
        guard precision >= 0, value.multipliedReportingOverflow(by: Int64(1) << power).overflow == false else { return false }
        return value & 7 != 0
    }

    /// Below a nano unit, rounded up (away from zero), as Go rounds so that asking for a little
    /// still gets something.
    private mutating func roundUpToNano() {
        guard exponent < -9, !isZero else { return }
        let dropped = -9 - exponent
        let keep = digits.count - dropped
        let lost = keep > 0 ? digits[keep...].contains { $0 != 0 } : true
        digits = keep > 0 ? Array(digits[..<keep]) : []
        exponent = -9
        if lost { digits = Self.incremented(digits) }
        digits = Self.trimmed(digits)
    }

    private mutating func capBinary() {
        let max = Self.digits(of: Int(Int64.max))
        if Self.compareMagnitude(digits, exponent, max, 0) > 0 { (digits, exponent, keptText) = (max, 0, nil) }
        if !isZero, Self.compareMagnitude(digits, exponent, [1], 0) < 0 { format = .decimalSI }
    }
}

extension Quantity: Hashable, Comparable {
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { compare(lhs, rhs) == 0 }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { compare(lhs, rhs) < 0 }

    /// The value without trailing zeros, so that equal values hash alike (`1k`, `1000`, `1e3`).
    public func hash(into hasher: inout Hasher) {
        var significant = digits
        var power = exponent
        while significant.last == 0 { significant.removeLast(); power += 1 }
        hasher.combine(negative)
        hasher.combine(significant)
        hasher.combine(significant.isEmpty ? 0 : power)
    }
}

extension Quantity {
    /// The nearest Double: for arithmetic that is approximate anyway (costs, ratios, bounds
    /// shown to a person). Comparing quantities goes through `==` and `<`, which are exact.
    public var doubleValue: Double {
        if isZero { return 0 }
        return Double("\(negative ? "-" : "")\(Self.text(of: digits))e\(exponent)") ?? .nan
    }

    /// `MilliValue()`: the value in thousandths, rounded up (away from zero), nil beyond Int64.
    public var milliValue: Int64? {
        let power = exponent + 3
        var whole = power >= 0 ? digits + [UInt8](repeating: 0, count: min(power, 20)) : Array(digits.dropLast(-power))
        if power < 0, digits.suffix(-power).contains(where: { $0 != 0 }) { whole = Self.incremented(whole) }
        guard whole.count <= 19, let magnitude = Int64(Self.text(of: whole)) else { return nil }
        return negative ? -magnitude : magnitude
    }
}

extension StringProtocol {
    /// Without leading and trailing white space, as Go's `strings.TrimSpace` trims a quantity's
    /// JSON text.
    var trimmingWhitespace: SubSequence {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
