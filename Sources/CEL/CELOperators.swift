/// The operators other than `&&` and `||`: comparisons, `in`, and arithmetic, where int and uint
/// overflow is an error (`integer overflow`), never a wrap, and division by zero is an error.
struct CELOperators {
    let evaluator: CELEvaluator

    static func unary(_ operation: CELUnaryOperator, _ operand: CELValue) throws(CELEvalError) -> CELValue {
        switch (operation, operand) {
        case (.not, .bool(let flag)): return .bool(!flag)
        case (.negate, .int(let number)):
            guard number != .min else { throw CELEvalError("integer overflow") }
            return .int(-number)
        case (.negate, .double(let number)): return .double(-number)
        default: throw CELEvalError("no such overload: \(operation.rawValue)\(operand.type.rawValue)")
        }
    }

    func binary(_ operation: CELBinaryOperator, _ a: CELValue, _ b: CELValue) throws(CELEvalError) -> CELValue {
        switch operation {
        case .equal, .notEqual:
            try evaluator.chargeSize(a.elementCount + b.elementCount)
            return .bool(a.isEqual(to: b) == (operation == .equal))
        case .less, .lessEqual, .greater, .greaterEqual:
            return .bool(try Self.holds(operation, a, b))
        case .in: return .bool(try contains(b, a))
        case .add: return try add(a, b)
        case .subtract: return try Self.subtract(a, b)
        case .multiply, .divide, .remainder: return try Self.multiplicative(operation, a, b)
        case .and, .or: throw CELEvalError("\(operation.rawValue) is evaluated by the evaluator")
        }
    }

    private static func holds(_ operation: CELBinaryOperator, _ a: CELValue, _ b: CELValue) throws(CELEvalError) -> Bool {
        guard let order = try a.compare(to: b) else { return false }  // NaN is unordered
        switch operation {
        case .less: return order == .less
        case .lessEqual: return order != .greater
        case .greater: return order == .greater
        default: return order != .less
        }
    }

    private func contains(_ container: CELValue, _ element: CELValue) throws(CELEvalError) -> Bool {
        switch container {
        case .list(let items):
            try evaluator.chargeSize(items.count)
            return items.contains { $0.isEqual(to: element) }
        case .map(let map):
            switch element {
            case .bool, .int, .uint, .string, .double: return try map.value(for: element) != nil
            default: return false
            }
        default:
            throw CELEvalError.noOverload("@in", element, container)
        }
    }

    private func add(_ a: CELValue, _ b: CELValue) throws(CELEvalError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .int(try Self.checked(x.addingReportingOverflow(y)))
        case (.uint(let x), .uint(let y)): return .uint(try Self.checkedUnsigned(x.addingReportingOverflow(y)))
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)):
            try evaluator.fitString(x.utf8.count + y.utf8.count)
            return .string(x + y)
        case (.bytes(let x), .bytes(let y)):
            try evaluator.fitString(x.count + y.count)
            return .bytes(x + y)
        case (.list(let x), .list(let y)):
            try evaluator.fitList(x.count + y.count)
            return .list(x + y)
        case (.duration(let x), .duration(let y)):
            return .duration(CELDuration(nanoseconds: try Self.checked(x.nanoseconds.addingReportingOverflow(y.nanoseconds))))
        case (.timestamp(let time), .duration(let span)), (.duration(let span), .timestamp(let time)):
            guard let sum = time.adding(span) else { throw CELEvalError("timestamp overflow") }
            return .timestamp(sum)
        default: throw CELEvalError.noOverload("_+_", a, b)
        }
    }

    private static func subtract(_ a: CELValue, _ b: CELValue) throws(CELEvalError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .int(try checked(x.subtractingReportingOverflow(y)))
        case (.uint(let x), .uint(let y)): return .uint(try checkedUnsigned(x.subtractingReportingOverflow(y)))
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.duration(let x), .duration(let y)):
            return .duration(CELDuration(nanoseconds: try checked(x.nanoseconds.subtractingReportingOverflow(y.nanoseconds))))
        case (.timestamp(let x), .timestamp(let y)):
            guard let difference = x.difference(from: y) else { throw CELEvalError("integer overflow") }
            return .duration(difference)
        case (.timestamp(let time), .duration(let span)):
            guard span.nanoseconds != .min, let result = time.adding(CELDuration(nanoseconds: -span.nanoseconds)) else {
                throw CELEvalError("timestamp overflow")
            }
            return .timestamp(result)
        default: throw CELEvalError.noOverload("_-_", a, b)
        }
    }

    private static func multiplicative(_ operation: CELBinaryOperator, _ a: CELValue, _ b: CELValue) throws(CELEvalError) -> CELValue {
        switch (operation, a, b) {
        case (.multiply, .int(let x), .int(let y)): return .int(try checked(x.multipliedReportingOverflow(by: y)))
        case (.multiply, .uint(let x), .uint(let y)): return .uint(try checkedUnsigned(x.multipliedReportingOverflow(by: y)))
        case (.multiply, .double(let x), .double(let y)): return .double(x * y)
        case (.divide, .int(let x), .int(let y)):
            guard y != 0 else { throw CELEvalError("division by zero") }
            return .int(try checked(x.dividedReportingOverflow(by: y)))
        case (.divide, .uint(let x), .uint(let y)):
            guard y != 0 else { throw CELEvalError("division by zero") }
            return .uint(x / y)
        case (.divide, .double(let x), .double(let y)): return .double(x / y)
        case (.remainder, .int(let x), .int(let y)):
            guard y != 0 else { throw CELEvalError("modulus by zero") }
            return .int(try checked(x.remainderReportingOverflow(dividingBy: y)))
        case (.remainder, .uint(let x), .uint(let y)):
            guard y != 0 else { throw CELEvalError("modulus by zero") }
            return .uint(x % y)
        default: throw CELEvalError.noOverload("_\(operation.rawValue)_", a, b)
        }
    }

    static func checked(_ result: (partialValue: Int64, overflow: Bool)) throws(CELEvalError) -> Int64 {
        guard !result.overflow else { throw CELEvalError("integer overflow") }
        return result.partialValue
    }

    static func checkedUnsigned(_ result: (partialValue: UInt64, overflow: Bool)) throws(CELEvalError) -> UInt64 {
        guard !result.overflow else { throw CELEvalError("unsigned integer overflow") }
        return result.partialValue
    }
}

extension CELValue {
    /// How many elements an operation on this value reads: a list's or map's length, a string's
    /// bytes, otherwise one.
    var elementCount: Int {
        switch self {
        case .list(let items): items.count
        case .map(let map): map.count
        case .string(let text): text.utf8.count
        case .bytes(let bytes): bytes.count
        default: 1
        }
    }
}

extension CELEvaluator {
    /// Refuses a string or bytes result over the size limit, and charges for building it.
    func fitString(_ length: Int) throws(CELEvalError) {
        try checkStringLength(length)
        try chargeSize(length)
    }

    /// Refuses a string over the size limit without charging, for results checked as they grow.
    func checkStringLength(_ length: Int) throws(CELEvalError) {
        guard length <= limits.maxStringLength else {
            throw CELEvalError("string of \(length) bytes exceeds the limit of \(limits.maxStringLength)")
        }
    }

    func fitList(_ count: Int) throws(CELEvalError) {
        guard count <= limits.maxListLength else {
            throw CELEvalError("list of \(count) elements exceeds the limit of \(limits.maxListLength)")
        }
        try chargeSize(count)
    }
}
