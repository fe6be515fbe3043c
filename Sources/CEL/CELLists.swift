/// List functions: `join` (cel-go strings extension), and Kubernetes' list library: `isSorted`,
/// `sum`, `min`, `max`, `indexOf`, `lastIndexOf`.
struct CELLists {
    let evaluator: CELEvaluator

    func call(_ function: CELFunction, _ target: CELValue, _ values: [CELValue]) throws(CELEvalError) -> CELValue {
        let arguments = CELArguments(function: function, target: target, values: values)
        guard case .list(let items) = target else { throw arguments.noOverload }
        switch function {
        case .join: return try join(items, separator: arguments.count == 1 ? try arguments.string(0) : "")
        case .isSorted:
            try arguments.none()
            for (a, b) in zip(items, items.dropFirst()) where try a.compare(to: b) == .greater { return .bool(false) }
            return .bool(true)
        case .sum:
            try arguments.none()
            return try sum(items)
        case .min, .max:
            try arguments.none()
            return try extreme(items, smallest: function == .min)
        case .indexOf, .lastIndexOf:
            let element = try arguments.value(0)
            let found = function == .indexOf ? items.firstIndex { $0.isEqual(to: element) } : items.lastIndex { $0.isEqual(to: element) }
            return .int(Int64(found ?? -1))
        default: throw arguments.noOverload
        }
    }

    private func join(_ items: [CELValue], separator: String) throws(CELEvalError) -> CELValue {
        var pieces: [String] = []
        var length = 0
        for item in items {
            guard case .string(let text) = item else { throw CELEvalError("join: the list has a \(item.type.rawValue), not only strings") }
            pieces.append(text)
            length += text.utf8.count + separator.utf8.count
        }
        try evaluator.fitString(length)
        return .string(pieces.joined(separator: separator))
    }

    /// The sum of ints, uints, doubles or durations (all of one type), overflow an error; 0 when empty.
    private func sum(_ items: [CELValue]) throws(CELEvalError) -> CELValue {
        guard var total = items.first else { return .int(0) }
        let operators = CELOperators(evaluator: evaluator)
        for item in items.dropFirst() {
            guard item.type == total.type else { throw CELEvalError.noOverload("sum", [total, item]) }
            total = try operators.binary(.add, total, item)
        }
        switch total {
        case .int, .uint, .double, .duration: return total
        default: throw CELEvalError.noOverload("sum", total)
        }
    }

    private func extreme(_ items: [CELValue], smallest: Bool) throws(CELEvalError) -> CELValue {
        guard var best = items.first else { throw CELEvalError("\(smallest ? "min" : "max")() of an empty list") }
        for item in items.dropFirst() {
            let order = try item.compare(to: best)
            if order == (smallest ? .less : .greater) { best = item }
        }
        return best
    }
}
