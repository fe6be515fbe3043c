import Foundation
import JSON

/// A Kubernetes resource quantity as `k8s.io/apimachinery/pkg/api/resource.Quantity` decodes,
/// compares and prints it: exactly, as a decimal (digits times a power of ten), rounded up to
/// nano units, binary amounts capped at 2^63-1; printed in canonical form (`1000m` is `1`, `0.5`
/// is `500m`, `1024Mi` is `1Gi`) unless the text was canonical already, which is kept as written.
struct ResourceQuantity: Equatable, Sendable {
    enum Format: Equatable, Sendable { case decimalSI, binarySI, decimalExponent }

    /// `ParseQuantity`'s errors, with its words.
    enum ParseError: Error, Equatable {
        case format, suffix, numeric

        var message: String {
            switch self {
            case .format: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            case .suffix: "unable to parse quantity's suffix"
            case .numeric: "unable to parse numeric part of quantity"
            }
        }
    }

    var negative: Bool
    /// The magnitude's digits, most significant first, without leading zeros (none for zero).
    var digits: [UInt8]
    /// The magnitude is `digits` times 10^exponent.
    var exponent: Int
    var format: Format
    /// The text as written, when Go keeps it (it was in canonical form already).
    var written: String?

    var isZero: Bool { digits.isEmpty }

    /// How `UnmarshalJSON` reads a JSON value: a string's content, or the text of any other value.
    init(json value: JSONValue) throws(ParseError) {
        switch value {
        case .string(let text): try self.init(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
        case .int(let number): try self.init(parsing: String(number))
        case .double(let number):
            let integral = number.rounded(.towardZero) == number && abs(number) < 1e18
            try self.init(parsing: integral ? String(Int64(number)) : "\(number)")
        default: throw .format
        }
    }

    init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else { throw .format }
        let parts = try QuantityText(text)
        guard let suffix = QuantitySuffix(parts.suffix) else { throw .suffix }
        negative = !parts.positive
        format = suffix.format
        written = nil
        if text == "0" {
            (digits, exponent, format, written) = ([], 0, .decimalSI, "0")
            return
        }
        digits = Self.trimmed(Array((parts.numerator + parts.fraction).utf8).map { $0 - UInt8(ascii: "0") })
        exponent = -parts.fraction.count
        switch suffix {
        case .decimal(let power, _):
            exponent += power
            written = Self.keepsDecimalText(parts, power: power) ? text : nil
        case .binary(let power):
            written = Self.keepsBinaryText(parts, power: power) ? text : nil
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
        let max = Array("9223372036854775807".utf8).map { $0 - UInt8(ascii: "0") }
        let capped = ResourceQuantity(negative: false, digits: max, exponent: 0, format: .binarySI, written: nil)
        if Self.compareMagnitude(self, capped) > 0 { (digits, exponent, written) = (max, 0, nil) }
        if Self.compareMagnitude(self, ResourceQuantity(negative: false, digits: [1], exponent: 0, format: .binarySI)) < 0, !isZero {
            format = .decimalSI
        }
    }

    private init(negative: Bool, digits: [UInt8], exponent: Int, format: Format, written: String? = nil) {
        (self.negative, self.digits, self.exponent, self.format, self.written) = (negative, digits, exponent, format, written)
    }
}
