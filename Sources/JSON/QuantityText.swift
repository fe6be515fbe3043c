/// A quantity's text split as `parseQuantityString` splits it: sign, numerator (leading zeros
/// gone, `0` when none is left), the digits after a point, and the suffix. Go's parser accepts a
/// little more than its regular expression says (`1.G`, a lone `-` or `.` for zero).
struct QuantityText {
    var positive = true
    /// Whether a digit comes before the suffix (`m` alone has none, and is zero to Go).
    var hasDigits = false
    var numerator = "0"
    var fraction = ""
    var suffix = ""

    init(_ text: String) throws(Quantity.ParseError) {
        let bytes = Array(text.utf8)
        var position = 0
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            positive = first == UInt8(ascii: "+")
            position = 1
        }
        hasDigits = bytes.prefix { Self.isDigit($0) || Self.signsAndPoint.contains($0) }.contains(where: Self.isDigit)
        while position < bytes.count, bytes[position] == UInt8(ascii: "0") { position += 1 }
        if position == bytes.count { return }
        let numeratorStart = position
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        if position > numeratorStart { numerator = String(decoding: bytes[numeratorStart..<position], as: UTF8.self) }
        if position == bytes.count { return }
        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            fraction = String(decoding: bytes[fractionStart..<position], as: UTF8.self)
            if position == bytes.count { return }
        }
        let suffixStart = position
        while position < bytes.count, Self.suffixLetters.contains(bytes[position]) { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position += 1 }
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        guard position == bytes.count else { throw .format }
        suffix = String(decoding: bytes[suffixStart...], as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static let signsAndPoint = Set("+-.".utf8)
    private static let suffixLetters = Set("eEinumkKMGTP".utf8)
}

/// What a suffix stands for: a power of ten (SI letters, or `e`/`E` and an exponent) or of two.
enum QuantitySuffix: Equatable {
    case decimal(Int, Quantity.Format)
    case binary(Int)

    init?(_ text: String) {
        if let power = Self.decimalPowers[text] {
            self = .decimal(power, .decimalSI)
        } else if let power = Self.binaryPowers[text] {
            self = .binary(power)
        } else if text.count > 1, text.first == "e" || text.first == "E", let power = Int64(text.dropFirst()) {
            self = .decimal(Int(Int32(truncatingIfNeeded: power)), .decimalExponent)
        } else {
            return nil
        }
    }

    var format: Quantity.Format {
        switch self {
        case .decimal(_, let format): format
        case .binary: .binarySI
        }
    }

    static let decimalPowers = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
    static let binaryPowers = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
}
