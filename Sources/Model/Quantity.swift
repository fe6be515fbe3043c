import Foundation

/// A Kubernetes resource quantity (`500m`, `2`, `512Mi`, `1e3`), as in
/// `k8s.io/apimachinery/pkg/api/resource`:
///
///     quantity   ::= [sign] number suffix
///     number     ::= digits | digits "." [digits] | "." digits
///     suffix     ::= binarySI | decimalSI | ("e" | "E") [sign] digits
///     binarySI   ::= Ki | Mi | Gi | Ti | Pi | Ei
///     decimalSI  ::= n | u | m | "" | k | M | G | T | P | E
///
/// `value` is in base units: cores for CPU (`500m` is 0.5), bytes for memory (`512Mi` is
/// 536870912). Negative quantities parse; whether one makes sense is the caller's decision.
///
/// Equality and hashing compare `value`, not `text`: `500m == 0.5` and `1Gi == 1073741824`.
/// The API server canonicalizes quantities (a manifest's `0.5` reads back from a Deployment as
/// `500m`), so comparing text would make the plan and `diff` report changes that are not
/// changes. Use `text` when showing the quantity to a person.
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// As written: `"500m"`, `"2"`, `"512Mi"`.
    public let text: String
    /// In base units (cores, bytes).
    public let value: Double

    public init(parsing text: String) throws(ValueError) {
        guard let value = Self.parse(text) else {
            throw ValueError(
                "invalid quantity \(text.debugDescription): expected a number with an optional unit suffix, like 500m, 2 or 512Mi")
        }
        guard value.isFinite else {
            throw ValueError("invalid quantity \(text.debugDescription): the value is too large")
        }
        self.text = text
        self.value = value
    }

    public var description: String { text }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value == rhs.value }

    // Double hashes -0.0 and 0.0 alike, so this agrees with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    // MARK: Codable

    /// What a decoder says of a value that is neither a number nor a string.
    public static let typeMismatch = "expected a quantity: a number or a string like 500m, 2 or 512Mi"

    /// A number with a fraction (`cpu: 0.5`) where a quantity belongs. The API server's
    /// int-or-string refuses it, so we do too, and say how to write it.
    public static func fractionMessage(_ number: Double, written text: String) -> String {
        let milli = (number * 1000).rounded()
        let hint = number.isFinite && abs(milli) < 1e15 && milli / 1000 == number
            ? "write \(Int(milli))m" : "quote it: \"\(text)\""
        return "expected a quantity as an integer or a string: \(text) is a number with a fraction, which the Kubernetes API server refuses; \(hint)"
    }

    /// An integer (`cpu: 2`) or a string (`cpu: 500m`), as the API server's int-or-string reads
    /// it; a number with a fraction (`cpu: 0.5`) is refused with a hint to write `500m`. Strict
    /// decoders (JSONDecoder, ours) refuse the wrong type, so the order of the tries only says
    /// which is tried first: strings, the most common, then Int before Double.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else if let double = try? container.decode(Double.self) {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.fractionMessage(double, written: String(double)))
        } else {
            throw DecodingError.typeMismatch(
                Quantity.self, DecodingError.Context(codingPath: container.codingPath, debugDescription: Self.typeMismatch))
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Always a string, as Kubernetes writes quantities.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    // MARK: Parsing

    private static let decimalExponents: [Substring: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let binaryExponents: [Substring: Int] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]

    /// The value, or nil when `text` does not follow the grammar.
    private static func parse(_ text: String) -> Double? {
        // The number is read from the bytes; the suffix is looked up as a String, so that it
        // compares as Strings do.
        let bytes = text.utf8
        var index = bytes.startIndex
        func digits() -> Substring {
            let start = index
            while index < bytes.endIndex, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                bytes.formIndex(after: &index)
            }
            return text[start..<index]
        }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes.formIndex(after: &index)
        }
        let integer = digits()
        var fraction: Substring = ""
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            bytes.formIndex(after: &index)
            fraction = digits()
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        let number = Number(negative: negative, integer: integer, fraction: fraction)
        let rest = text[index...]

        if let exponent = decimalExponents[rest] {
            return number.value(timesTenTo: exponent)
        }
        if let exponent = binaryExponents[rest] {
            return number.value(timesTenTo: 0).map { $0 * Double(sign: .plus, exponent: exponent, significand: 1) }
        }
        // A decimal exponent: "1e3", "2E-2". A bare "E" was caught above as exa.
        if let marker = rest.first, marker == "e" || marker == "E" {
            var digits = rest.dropFirst()
            var exponentSign: Substring = ""
            if let first = digits.first, first == "+" || first == "-" {
                exponentSign = first == "-" ? "-" : ""
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, digits.allSatisfy(\.isDigit0to9) else { return nil }
            return number.value(exponent: "\(exponentSign)\(digits)")
        }
        return nil
    }

    /// `[-]integer.fraction`, digits only.
    private struct Number {
        var negative: Bool
        var integer: Substring
        var fraction: Substring

        /// The number times 10^exponent, rounded once, as `Double(String)` would. Scaling by 0.001
        /// would round twice; dividing an exact significand by an exact power of ten does not
        /// (Clinger's fast path: up to 15 digits and 10^22 both are exact in a Double).
        func value(timesTenTo exponent: Int) -> Double? {
            let digits = integer.utf8.count + fraction.utf8.count
            let scale = exponent - fraction.utf8.count
            guard digits <= 15, abs(scale) <= 22 else { return value(exponent: String(exponent)) }
            var significand = 0
            for byte in integer.utf8 { significand = significand * 10 + Int(byte - UInt8(ascii: "0")) }
            for byte in fraction.utf8 { significand = significand * 10 + Int(byte - UInt8(ascii: "0")) }
            let power = Self.powersOfTen[abs(scale)]
            let magnitude = scale < 0 ? Double(significand) / power : Double(significand) * power
            return negative ? -magnitude : magnitude
        }

        /// Through Double's parser, normalized for it: "5." -> "5.0", ".5" -> "0.5".
        func value(exponent: String) -> Double? {
            Double("\(negative ? "-" : "")\(integer.isEmpty ? "0" : integer).\(fraction.isEmpty ? "0" : fraction)e\(exponent)")
        }

        private static let powersOfTen: [Double] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ]
    }
}

extension Character {
    /// 0-9 only: `isWholeNumber` alone also accepts other scripts' digits. (Not `asciiValue`
    /// alone either: "\r\n" has the ASCII value of "\n".)
    var isDigit0to9: Bool { isASCII && asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
