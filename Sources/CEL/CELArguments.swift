/// The arguments of a call, read by type: a wrong type is CEL's "no such overload" error.
struct CELArguments {
    let function: CELFunction
    let target: CELValue
    let values: [CELValue]

    var count: Int { values.count }

    private var mismatch: CELEvalError { CELEvalError.noOverload(function.rawValue, [target] + values) }

    func string(_ index: Int) throws(CELEvalError) -> String {
        guard index < values.count, case .string(let text) = values[index] else { throw mismatch }
        return text
    }

    func int(_ index: Int) throws(CELEvalError) -> Int64 {
        guard index < values.count, case .int(let number) = values[index] else { throw mismatch }
        return number
    }

    func value(_ index: Int) throws(CELEvalError) -> CELValue {
        guard index < values.count else { throw mismatch }
        return values[index]
    }

    func none() throws(CELEvalError) {
        guard values.isEmpty else { throw mismatch }
    }

    var noOverload: CELEvalError { mismatch }
}
