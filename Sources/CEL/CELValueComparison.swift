/// Equality and ordering as cel-go decides them with Kubernetes' options: equality across
/// numeric types by value (`1 == 1.0`, `1u == 1`), `false` between values of other different types;
/// ordering across numeric types too, and strings ordered by code point, never by Swift's
/// canonical equivalence (which would call "é" and "e\u{301}" equal).
extension CELValue {
    func isEqual(to other: CELValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.type(let a), .type(let b)): return a == b
        case (.duration(let a), .duration(let b)): return a == b
        case (.timestamp(let a), .timestamp(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            return a.entries.allSatisfy { entry in
                (try? b.value(for: entry.key)).flatMap { $0 }.map { entry.value.isEqual(to: $0) } ?? false
            }
        default:
            if let order = Self.numericOrder(self, other) { return order == .equal }
            return false
        }
    }

    enum Order { case less, equal, greater }

    /// The order of two values, nil when they are unordered (NaN); throws for types CEL does not order.
    func compare(to other: CELValue) throws(CELEvalError) -> Order? {
        switch (self, other) {
        case (.bool(let a), .bool(let b)): return Self.order(a ? 1 : 0, b ? 1 : 0)
        case (.string(let a), .string(let b)): return Self.order(Array(a.utf8), Array(b.utf8))
        case (.bytes(let a), .bytes(let b)): return Self.order(a, b)
        case (.duration(let a), .duration(let b)): return Self.order(a.nanoseconds, b.nanoseconds)
        case (.timestamp(let a), .timestamp(let b)): return Self.order(a, b)
        default:
            if self.isNumber && other.isNumber { return Self.numericOrder(self, other) }
            throw CELEvalError("no such overload: \(type.rawValue) < \(other.type.rawValue)")
        }
    }

    var isNumber: Bool {
        switch self {
        case .int, .uint, .double: true
        default: false
        }
    }

    private static func order<T: Comparable>(_ a: T, _ b: T) -> Order {
        a < b ? .less : (a == b ? .equal : .greater)
    }

    private static func order(_ a: [UInt8], _ b: [UInt8]) -> Order {
        a.lexicographicallyPrecedes(b) ? .less : (a == b ? .equal : .greater)
    }

    /// Exact comparison of two numbers of any CEL numeric types; nil for NaN or non-numbers.
    static func numericOrder(_ left: CELValue, _ right: CELValue) -> Order? {
        switch (left, right) {
        case (.int(let a), .int(let b)): return order(a, b)
        case (.uint(let a), .uint(let b)): return order(a, b)
        case (.double(let a), .double(let b)): return a.isNaN || b.isNaN ? nil : order(a, b)
        case (.int(let a), .uint(let b)): return a < 0 ? .less : order(UInt64(a), b)
        case (.uint, .int): return numericOrder(right, left).map(flip)
        case (.int(let a), .double(let b)): return compare(integer: a, double: b)
        case (.double, .int): return numericOrder(right, left).map(flip)
        case (.uint(let a), .double(let b)):
            if b.isNaN { return nil }
            if b < 0 { return .greater }
            if b >= 18446744073709551616.0 { return .less }
            let whole = UInt64(b.rounded(.down))
            if a != whole { return order(a, whole) }
            return b > b.rounded(.down) ? .less : .equal
        case (.double, .uint): return numericOrder(right, left).map(flip)
        default: return nil
        }
    }

    private static func compare(integer a: Int64, double b: Double) -> Order? {
        if b.isNaN { return nil }
        if b < -9223372036854775808.0 { return .greater }
        if b >= 9223372036854775808.0 { return .less }
        let whole = Int64(b.rounded(.down))
        if a != whole { return order(a, whole) }
        return b > b.rounded(.down) ? .less : .equal
    }

    private static func flip(_ order: Order) -> Order {
        switch order {
        case .less: .greater
        case .equal: .equal
        case .greater: .less
        }
    }
}
