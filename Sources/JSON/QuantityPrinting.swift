/// `Quantity.String()` and `Cmp`: the canonical text, and the order of values.
extension Quantity {
    /// The text the apiserver stores and prints: as written when Go kept it, else canonical.
    public var storedText: String { keptText ?? canonical }

    /// `CanonicalizeBytes`: zero is `0`; binary amounts that are whole and at least 1024 in
    /// size use the largest power of 1024 that divides them; the rest a power of 1000 with its SI
    /// letter, or `e` and the exponent (also where the SI letters end: `1000E` is `1e21`).
    public var canonical: String {
        if isZero { return "0" }
        let sign = negative ? "-" : ""
        if format == .binarySI, exponent >= 0 || digits.count > -exponent {
            let whole = digits + [UInt8](repeating: 0, count: max(exponent, 0))
            let isWhole = exponent >= 0 || digits[(digits.count + exponent)...].allSatisfy { $0 == 0 }
            let integer = exponent >= 0 ? whole : Self.trimmed(Array(digits[..<(digits.count + exponent)]))
            if isWhole, Self.compareDigits(integer, Self.digits(of: 1024)) >= 0 {
                var amount = integer
                var power = 0
                while power < 60, let quotient = Self.divided(amount, by: 1024) { amount = quotient; power += 10 }
                let letters = QuantitySuffix.binaryPowers.first { $0.value == power }?.key ?? ""
                return sign + Self.text(of: amount) + letters
            }
        }
        var amount = digits
        var power = exponent
        while amount.count > 1, amount.last == 0 { amount.removeLast(); power += 1 }
        while power % 3 != 0 { amount.append(0); power -= 1 }
        let letters: String
        if format == .decimalExponent {
            letters = power == 0 ? "" : "e\(power)"
        } else {
            letters = QuantitySuffix.decimalPowers.first { $0.value == power }?.key ?? "e\(power)"
        }
        return sign + Self.text(of: amount) + letters
    }

    /// -1, 0 or 1, as `Cmp` compares values.
    public static func compare(_ lhs: Quantity, _ rhs: Quantity) -> Int {
        if lhs.signum != rhs.signum { return lhs.signum < rhs.signum ? -1 : 1 }
        return lhs.signum * compareMagnitude(lhs.digits, lhs.exponent, rhs.digits, rhs.exponent)
    }

    /// Compares `lhs` times 10^lhsPower with `rhs` times 10^rhsPower (digits without leading
    /// zeros) by length first, so that `1e2000000000` costs no two billion zeros.
    static func compareMagnitude(_ lhs: [UInt8], _ lhsPower: Int, _ rhs: [UInt8], _ rhsPower: Int) -> Int {
        if lhs.isEmpty || rhs.isEmpty { return lhs.isEmpty == rhs.isEmpty ? 0 : (lhs.isEmpty ? -1 : 1) }
        let lhsLength = lhs.count + lhsPower, rhsLength = rhs.count + rhsPower
        if lhsLength != rhsLength { return lhsLength < rhsLength ? -1 : 1 }
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0, right = index < rhs.count ? rhs[index] : 0
            if left != right { return left < right ? -1 : 1 }
        }
        return 0
    }

    // MARK: - Decimal digits

    static func compareDigits(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        for (left, right) in zip(lhs, rhs) where left != right { return left < right ? -1 : 1 }
        return 0
    }

    static func trimmed(_ digits: [UInt8]) -> [UInt8] { Array(digits.drop { $0 == 0 }) }

    static func digits(of number: Int) -> [UInt8] { String(number).utf8.map { $0 - UInt8(ascii: "0") } }

    static func text(of digits: [UInt8]) -> String { digits.isEmpty ? "0" : String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self) }

    static func doubled(_ digits: [UInt8]) -> [UInt8] {
        var result = digits
        var carry: UInt8 = 0
        for index in result.indices.reversed() {
            let value = result[index] * 2 + carry
            result[index] = value % 10
            carry = value / 10
        }
        return carry > 0 ? [carry] + result : result
    }

    static func incremented(_ digits: [UInt8]) -> [UInt8] {
        var result = digits
        for index in result.indices.reversed() {
            if result[index] < 9 { result[index] += 1; return result }
            result[index] = 0
        }
        return [1] + result
    }

    /// The quotient when `divisor` divides the number exactly; nil otherwise.
    static func divided(_ digits: [UInt8], by divisor: Int) -> [UInt8]? {
        var quotient: [UInt8] = []
        var remainder = 0
        for digit in digits {
            remainder = remainder * 10 + Int(digit)
            quotient.append(UInt8(remainder / divisor))
            remainder %= divisor
        }
        return remainder == 0 ? trimmed(quotient) : nil
    }
}
