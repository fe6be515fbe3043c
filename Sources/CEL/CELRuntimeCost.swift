/// The actual cost of an operation as cel-go's interpreter counts it (`interpreter/runtimecost.go`)
/// with Kubernetes' library (`CallCost`): what the apiserver's per-call limit is measured in.
/// Sizes are code points of strings, bytes, list and map lengths, one for anything else.
enum CELRuntimeCost {
    static func size(_ value: CELValue) -> UInt64 {
        switch value {
        case .string(let text): UInt64(text.unicodeScalars.count)
        case .bytes(let bytes): UInt64(bytes.count)
        case .list(let items): UInt64(items.count)
        case .map(let map): UInt64(map.count)
        default: 1
        }
    }

    private static func tenth(_ size: UInt64) -> UInt64 { CELCostMath.scale(size, CELCostMath.stringTraversalFactor) }

    static func binary(_ operation: CELBinaryOperator, _ a: CELValue, _ b: CELValue) -> UInt64 {
        switch (operation, a, b) {
        case (.equal, _, _), (.notEqual, _, _):
            return tenth(min(size(a), size(b)))
        case (.less, .string, .string), (.lessEqual, .string, .string), (.greater, .string, .string), (.greaterEqual, .string, .string),
            (.less, .bytes, .bytes), (.lessEqual, .bytes, .bytes), (.greater, .bytes, .bytes), (.greaterEqual, .bytes, .bytes):
            return tenth(min(size(a), size(b)))
        case (.add, .string, .string), (.add, .bytes, .bytes):
            return tenth(CELCostMath.add(size(a), size(b)))
        case (.in, _, .list):
            return size(b)
        default:
            return 1
        }
    }

    /// A call's cost; for a member call the receiver is the first of `arguments`, as cel-go passes it.
    static func call(_ function: CELFunction, isMember: Bool, _ arguments: [CELValue], result: CELValue) -> UInt64 {
        guard let first = arguments.first else { return 1 }
        let second = arguments.count > 1 ? arguments[1] : nil
        switch function {
        case .check: return 350_000
        case .isSorted, .sum, .max, .min, .indexOf, .lastIndexOf: return traversal(first)
        case .lowerAscii, .upperAscii, .substring, .trim: return tenth(size(first))
        case .replace, .split: return CELCostMath.scale(size(first), 2 * CELCostMath.stringTraversalFactor)
        case .join: return CELCostMath.scale(size(result), 2 * CELCostMath.stringTraversalFactor)
        case .find, .findAll, .matches where isMember:
            guard let pattern = second else { return 1 }
            let text = CELCostMath.scale(CELCostMath.add(1, size(first)), CELCostMath.stringTraversalFactor)
            return CELCostMath.multiply(text, CELCostMath.scale(size(pattern), CELCostMath.regexStringLengthFactor))
        case .contains where isMember:
            guard let part = second else { return 1 }
            return CELCostMath.multiply(tenth(size(first)), tenth(size(part)))
        case .startsWith, .endsWith: return tenth(size(first))
        case .bytes where !isMember:
            if case .string = first { return tenth(size(first)) }
            return 1
        case .string where !isMember:
            if case .bytes = first { return tenth(size(first)) }
            return 1
        default: return 1
        }
    }

    /// Kubernetes' `traversalCost`: a tenth of a string's bytes (rounded down), the sum over a
    /// list's elements or a map's keys and values, one for anything else.
    private static func traversal(_ value: CELValue) -> UInt64 {
        switch value {
        case .string(let text): UInt64(Double(text.utf8.count) * CELCostMath.stringTraversalFactor)
        case .bytes(let bytes): UInt64(Double(bytes.count) * CELCostMath.stringTraversalFactor)
        case .list(let items): items.reduce(0) { CELCostMath.add($0, traversal($1)) }
        case .map(let map): map.entries.reduce(0) { CELCostMath.add($0, CELCostMath.add(traversal($1.key), traversal($1.value))) }
        default: 1
        }
    }
}
