/// Function calls: the target and arguments are evaluated (strictly: any error is the result),
/// then dispatched by function and argument types.
struct CELCalls {
    let evaluator: CELEvaluator

    func call(_ call: CELCall) throws(CELEvalError) -> CELValue {
        guard let function = call.function else { throw CELEvalError("undeclared reference to function '\(call.name)'") }
        let target = try call.target.map { (expression) throws(CELEvalError) in try evaluator.evaluate(expression) }
        var arguments: [CELValue] = []
        for argument in call.arguments { arguments.append(try evaluator.evaluate(argument)) }
        let result: CELValue
        if let target {
            try evaluator.chargeSize(target.elementCount)
            result = try member(function, target, arguments)
        } else {
            result = try global(function, arguments)
        }
        try evaluator.chargeCost(CELRuntimeCost.call(function, isMember: target != nil, (target.map { [$0] } ?? []) + arguments, result: result))
        return result
    }

    private func global(_ function: CELFunction, _ arguments: [CELValue]) throws(CELEvalError) -> CELValue {
        switch (function, arguments.count) {
        case (.size, 1): return try Self.size(arguments[0])
        case (.type, 1): return .type(arguments[0].type)
        case (.dyn, 1): return arguments[0]
        case (.matches, 2): return try CELStrings(evaluator: evaluator).call(.matches, arguments[0], [arguments[1]])
        case (_, 1): return try CELConversions(evaluator: evaluator).convert(function, arguments[0])
        default: throw CELEvalError("no such overload: \(function.rawValue) with \(arguments.count) arguments")
        }
    }

    private func member(_ function: CELFunction, _ target: CELValue, _ arguments: [CELValue]) throws(CELEvalError) -> CELValue {
        switch (function, target) {
        case (.size, _): return try Self.size(target)
        case (_, .string): return try CELStrings(evaluator: evaluator).call(function, target, arguments)
        case (_, .list): return try CELLists(evaluator: evaluator).call(function, target, arguments)
        case (_, .timestamp), (_, .duration): return try CELTimeGetters.call(function, target, arguments)
        case (_, .authorization(let value)): return try CELAuthorizerCalls(evaluator: evaluator).call(function, value, arguments)
        default: throw CELEvalError.noOverload(function.rawValue, [target] + arguments)
        }
    }

    static func size(_ value: CELValue) throws(CELEvalError) -> CELValue {
        switch value {
        case .string(let text): return .int(Int64(text.unicodeScalars.count))
        case .bytes(let bytes): return .int(Int64(bytes.count))
        case .list(let items): return .int(Int64(items.count))
        case .map(let map): return .int(Int64(map.count))
        default: throw CELEvalError.noOverload("size", value)
        }
    }
}

extension CELEvalError {
    static func noOverload(_ function: String, _ arguments: [CELValue]) -> CELEvalError {
        CELEvalError("no such overload: \(function)(\(arguments.map(\.type.rawValue).joined(separator: ", ")))")
    }
}
