/// The operations that can absorb errors: `&&`, `||` (commutative: `error && false` is false, as
/// `false && error` is), `all` and `exists` (an element deciding the result wins over another
/// element's error); and the other macros, which are strict.
extension CELEvaluator {
    /// The value of an operand, or the error it evaluates to; a spent budget is never absorbed.
    private func attempt(_ expression: CELExpr) throws(CELEvalError) -> Result<CELValue, CELEvalError> {
        do {
            return .success(try evaluate(expression))
        } catch {
            if error.isBudgetExhausted { throw error }
            return .failure(error)
        }
    }

    /// `&&` when `and`, else `||`: the deciding value (false for `&&`, true for `||`) on either
    /// side wins; otherwise the left error, then the right one.
    func logical(and: Bool, _ left: CELExpr, _ right: CELExpr) throws(CELEvalError) -> CELValue {
        let deciding = !and
        let name = and ? "_&&_" : "_||_"
        let first = try attempt(left)
        if case .success(.bool(deciding)) = first { return .bool(deciding) }
        let second = try attempt(right)
        if case .success(.bool(deciding)) = second { return .bool(deciding) }
        for outcome in [first, second] {
            switch outcome {
            case .failure(let error): throw error
            case .success(.bool): continue
            case .success(let other): throw CELEvalError("no such overload: \(name) applied to \(other.type.rawValue)")
            }
        }
        return .bool(!deciding)
    }

    func comprehension(_ loop: CELComprehension) throws(CELEvalError) -> CELValue {
        let elements: [CELValue]
        switch try evaluate(loop.range) {
        case .list(let items): elements = items
        case .map(let map): elements = map.keys
        case let other:
            throw CELEvalError("expression of type '\(other.type.rawValue)' cannot be the range of a comprehension (\(loop.kind.rawValue))")
        }
        switch loop.kind {
        case .all, .exists: return try quantify(loop, over: elements)
        case .existsOne:
            // predicate ? accu + 1 : accu per element, then accu == 1
            let count = try select(loop, from: elements, by: loop.body, stepCost: (kept: 2, dropped: 1)).count
            try chargeCost(2)
            return .bool(count == 1)
        case .filter:
            // [] first, predicate ? accu + [x] : accu per element, then accu
            try chargeCost(CELCostMath.listCreateBaseCost + 1)
            return .list(try select(loop, from: elements, by: loop.body, stepCost: (kept: 13, dropped: 1)))
        case .map:
            try chargeCost(CELCostMath.listCreateBaseCost + 1)
            return .list(try transform(loop, over: elements))
        }
    }

    /// `all` (stops at the first false) and `exists` (at the first true); an error, or a predicate
    /// that is not a bool, counts only when no element decides.
    private func quantify(_ loop: CELComprehension, over elements: [CELValue]) throws(CELEvalError) -> CELValue {
        let deciding = loop.kind == .exists
        // cel-go's loop condition (@not_strictly_false(accu), of !accu for exists), then the step
        // (accu && predicate, accu || predicate), then the result (accu).
        let condition: UInt64 = deciding ? 3 : 2
        var firstError: CELEvalError?
        for (position, element) in elements.enumerated() {
            try charge(1)
            try chargeCost(condition + 1)
            let outcome = try withBinding(loop.variable, element) { () throws(CELEvalError) in try attempt(loop.body) }
            switch outcome {
            case .success(.bool(deciding)):
                try chargeCost(position + 1 < elements.count ? condition + 1 : 1)
                return .bool(deciding)
            case .success(.bool): continue
            case .success(let other):
                firstError = firstError ?? CELEvalError("no such overload: \(loop.kind.rawValue) predicate is \(other.type.rawValue), not bool")
            case .failure(let error): firstError = firstError ?? error
            }
        }
        try chargeCost(1)
        if let firstError { throw firstError }
        return .bool(!deciding)
    }

    /// The elements whose predicate is true, for `filter`, `exists_one` and three-argument `map`.
    /// `stepCost`: what the rest of cel-go's step costs once the predicate has decided.
    private func select(
        _ loop: CELComprehension, from elements: [CELValue], by predicate: CELExpr, stepCost: (kept: UInt64, dropped: UInt64)
    ) throws(CELEvalError) -> [CELValue] {
        var kept: [CELValue] = []
        for element in elements {
            try charge(1)
            let verdict = try withBinding(loop.variable, element) { () throws(CELEvalError) in try evaluate(predicate) }
            guard case .bool(let keep) = verdict else {
                throw CELEvalError("no such overload: \(loop.kind.rawValue) predicate is \(verdict.type.rawValue), not bool")
            }
            try chargeCost(keep ? stepCost.kept : stepCost.dropped)
            if keep { kept.append(element) }
        }
        return kept
    }

    /// `map`: accu + [transform] per element (12 units besides the transform), under the filter.
    private func transform(_ loop: CELComprehension, over elements: [CELValue]) throws(CELEvalError) -> [CELValue] {
        let chosen = try loop.filter.map { (predicate) throws(CELEvalError) in
            try select(loop, from: elements, by: predicate, stepCost: (kept: 0, dropped: 1))
        } ?? elements
        var results: [CELValue] = []
        for element in chosen {
            try charge(1)
            try chargeCost(CELCostMath.listCreateBaseCost + 2)
            results.append(try withBinding(loop.variable, element) { () throws(CELEvalError) in try evaluate(loop.body) })
        }
        return results
    }
}
