/// `matches`, `find` and `findAll` over the evaluator's cache of compiled patterns; each progress
/// report of the matcher costs steps, so a pattern that backtracks for long runs out of budget.
struct CELRegexCalls {
    let evaluator: CELEvaluator
    /// Steps charged per progress report of ICU's matcher (one report per several thousand of its steps).
    static let stepsPerProgressReport = 1_000

    func find(_ pattern: String, in text: String, limit: Int?) throws(CELEvalError) -> [String] {
        let regex: CELRegex
        if let cached = evaluator.regexes[pattern] {
            regex = cached
        } else {
            try evaluator.chargeSize(pattern.utf8.count * 4)  // compiling costs more than reading
            do {
                regex = try CELRegex.compile(pattern)
            } catch {
                throw CELEvalError(error.message)
            }
            evaluator.regexes[pattern] = regex
        }
        try evaluator.chargeSize(text.utf8.count)
        var budgetError: CELEvalError?
        do {
            let ranges = try regex.matches(in: text, limit: limit) {
                do throws(CELEvalError) {
                    try evaluator.charge(Self.stepsPerProgressReport)
                    return true
                } catch {
                    budgetError = error
                    return false
                }
            }
            return ranges.map { String(text[$0]) }
        } catch {
            throw budgetError ?? CELEvalError(error.message)
        }
    }
}
