/// Walks a checked expression. Errors are values in CEL: they propagate through every operation
/// except `&&`, `||`, the ternary's unchosen branch, and `all`/`exists`, which can absorb them.
/// Every node costs a step; running out of the budget is an error nothing absorbs.
final class CELEvaluator {
    let activation: CELActivation
    let limits: CELLimits
    let source: CELSourceText
    private(set) var steps = 0
    /// The actual cost so far, in cel-go's units.
    private(set) var cost: UInt64 = 0
    /// Comprehension variables in scope, innermost last.
    private var bindings: [(name: String, value: CELValue)] = []
    var regexes: [String: CELRegex] = [:]

    init(activation: CELActivation, limits: CELLimits, source: CELSourceText) {
        self.activation = activation
        self.limits = limits
        self.source = source
    }

    func charge(_ cost: Int) throws(CELEvalError) {
        steps += cost
        guard steps <= limits.stepBudget else {
            throw CELEvalError("evaluation exceeded the step budget of \(limits.stepBudget) steps", isBudgetExhausted: true)
        }
    }

    /// Adds to the actual cost; over the limit the evaluation is cancelled, as cel-go cancels it.
    func chargeCost(_ units: UInt64) throws(CELEvalError) {
        cost = CELCostMath.add(cost, units)
        guard cost <= limits.costLimit else { throw CELEvalError(CELEvalError.costLimitExceeded, isBudgetExhausted: true) }
    }

    /// One step per 16 bytes or elements an operation reads or builds, at least one.
    func chargeSize(_ count: Int) throws(CELEvalError) {
        try charge(1 + count / 16)
    }

    func evaluate(_ expression: CELExpr) throws(CELEvalError) -> CELValue {
        try charge(1)
        do {
            return try evaluateNode(expression)
        } catch {
            var located = error
            if located.position == nil { located.position = source.position(at: expression.offset) }
            throw located
        }
    }

    private func evaluateNode(_ expression: CELExpr) throws(CELEvalError) -> CELValue {
        try chargeCost(Self.nodeCost(expression.kind))
        switch expression.kind {
        case .literal(let value): return value
        case .identifier(let name): return try lookup(name)
        case .select(let operand, let field): return try select(field, of: try evaluate(operand))
        case .presenceTest(let operand, let field): return try presence(of: field, in: try evaluate(operand))
        case .index(let operand, let key): return try index(try evaluate(operand), by: try evaluate(key))
        case .unary(let operation, let operand): return try CELOperators.unary(operation, try evaluate(operand))
        case .binary(.and, let left, let right): return try logical(and: true, left, right)
        case .binary(.or, let left, let right): return try logical(and: false, left, right)
        case .binary(let operation, let left, let right):
            let (a, b) = (try evaluate(left), try evaluate(right))
            try chargeCost(CELRuntimeCost.binary(operation, a, b))
            return try CELOperators(evaluator: self).binary(operation, a, b)
        case .conditional(let condition, let then, let otherwise):
            guard case .bool(let flag) = try evaluate(condition) else { throw CELEvalError("no such overload: ternary condition is not a bool") }
            return try evaluate(flag ? then : otherwise)
        case .list(let items):
            var values: [CELValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .map(let entries): return try buildMap(entries)
        case .call(let call): return try CELCalls(evaluator: self).call(call)
        case .comprehension(let loop): return try comprehension(loop)
        }
    }

    /// What a node costs by itself in cel-go: a variable, a selection, an index or a unary
    /// operator one unit, building a list ten and a map thirty; operators and calls are charged
    /// once their operands' sizes are known, macros per iteration.
    private static func nodeCost(_ kind: CELExpr.Kind) -> UInt64 {
        switch kind {
        case .identifier, .select, .presenceTest, .index, .unary: 1
        case .list: CELCostMath.listCreateBaseCost
        case .map: CELCostMath.mapCreateBaseCost
        case .literal, .binary, .conditional, .call, .comprehension: 0
        }
    }

    private func lookup(_ name: String) throws(CELEvalError) -> CELValue {
        if let bound = bindings.last(where: { $0.name == name }) { return bound.value }
        if name == "authorizer" {
            guard activation.authorizer != nil else { throw CELEvalError("no authorizer is available for this evaluation") }
            return .authorization(.authorizer(serviceAccount: nil))
        }
        if let value = activation.variables[name] { return value }
        if let type = CELType.identifiers[name] { return .type(type) }
        throw CELEvalError("no value for variable '\(name)'")
    }

    func withBinding<T>(_ name: String, _ value: CELValue, _ body: () throws(CELEvalError) -> T) throws(CELEvalError) -> T {
        bindings.append((name, value))
        defer { bindings.removeLast() }
        return try body()
    }

    private func select(_ field: String, of value: CELValue) throws(CELEvalError) -> CELValue {
        switch value {
        case .map(let map):
            guard let member = map[field] else { throw CELEvalError("no such key: \(field)") }
            return member
        case .authorization(.authorizer(let serviceAccount)) where field == "requestResource":
            guard let resource = activation.requestResource else { throw CELEvalError("no request resource is available for this evaluation") }
            return .authorization(.resourceCheck(serviceAccount: serviceAccount, resource))
        default:
            throw CELEvalError("type '\(value.type.rawValue)' does not support field selection")
        }
    }

    private func presence(of field: String, in value: CELValue) throws(CELEvalError) -> CELValue {
        guard case .map(let map) = value else {
            throw CELEvalError("invalid type for field selection: has() needs a map or object, found \(value.type.rawValue)")
        }
        return .bool(map[field] != nil)
    }

    private func index(_ container: CELValue, by key: CELValue) throws(CELEvalError) -> CELValue {
        switch container {
        case .list(let items):
            let position: Int64
            switch key {
            case .int(let number): position = number
            case .uint(let number): position = Int64(clamping: number)
            case .double(let number):
                guard let whole = Int64(exactly: number) else { throw CELEvalError("unsupported index value: \(number)") }
                position = whole
            default: throw CELEvalError.noOverload("_[_]", container, key)
            }
            guard position >= 0, position < items.count else { throw CELEvalError("index out of range: \(position)") }
            return items[Int(position)]
        case .map(let map):
            guard let value = try map.value(for: key) else { throw CELEvalError("no such key: \(key.displayText)") }
            return value
        default:
            throw CELEvalError.noOverload("_[_]", container, key)
        }
    }

    private func buildMap(_ entries: [CELMapEntryExpr]) throws(CELEvalError) -> CELValue {
        var map = CELMap()
        for entry in entries {
            let key = try evaluate(entry.key)
            guard try map.insert(key, try evaluate(entry.value)) else {
                throw CELEvalError("repeated key in a map literal: \(key.displayText)")
            }
        }
        return .map(map)
    }
}
