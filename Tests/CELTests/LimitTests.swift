import CEL
import JSON
import Testing

/// Hostile expressions and inputs end with an error, quickly, never with a hang or a stack overflow.
@Suite struct LimitTests {
    func compileFailure(_ expression: String, limits: CELLimits = CELLimits()) -> String? {
        do {
            _ = try CELEnvironment(variables: ["self"], limits: limits).compile(expression)
            return nil
        } catch {
            return error.diagnostics.first?.message
        }
    }

    func evaluationFailure(_ expression: String, _ self: CELValue = .null, limits: CELLimits = CELLimits()) throws -> CELEvalError? {
        let program = try CELEnvironment(variables: ["self"], limits: limits).compile(expression)
        do {
            _ = try program.evaluate(CELActivation(variables: ["self": self]))
            return nil
        } catch {
            return error
        }
    }

    @Test func deepNestingIsRefusedWhileParsing() {
        let limit = "expression nests deeper than 100 levels"
        #expect(compileFailure(String(repeating: "(", count: 40_000) + "1" + String(repeating: ")", count: 40_000)) == limit)
        #expect(compileFailure(String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)) == limit)
        #expect(compileFailure(String(repeating: "!", count: 90_000) + "true") == limit)
        #expect(compileFailure(String(repeating: "-", count: 90_000) + "1") == limit)
        #expect(compileFailure("1" + String(repeating: " + 1", count: 200)) == limit)
        #expect(compileFailure("self" + String(repeating: ".a", count: 200)) == limit)
        #expect(compileFailure("self" + String(repeating: ".f()", count: 200)) == limit)
        // Just under the limit is fine.
        #expect(compileFailure(String(repeating: "(", count: 90) + "1" + String(repeating: ")", count: 90)) == nil)
    }

    @Test func longLogicalChainsAreBalancedNotDeep() throws {
        let chain = (0..<5_000).map { "self == \($0)" }.joined(separator: " || ")
        let program = try CELEnvironment(variables: ["self"]).compile(chain)
        #expect(try program.evaluate(CELActivation(variables: ["self": .int(4_999)])).json == true)
    }

    @Test func expressionLengthIsBounded() {
        var limits = CELLimits()
        limits.maxExpressionLength = 1_000
        #expect(compileFailure(String(repeating: "1 + ", count: 300) + "1", limits: limits) == "expression is 1201 code points long, over the limit of 1000")
    }

    @Test func theCostLimitStopsRunawayComprehensions() throws {
        let big = CELValue.list((0..<1_000).map { .int(Int64($0)) })
        let error = try evaluationFailure("self.all(x, self.all(y, self.all(z, x + y + z >= 0)))", big)
        #expect(error?.message == "operation cancelled: actual cost limit exceeded")
        #expect(error?.isBudgetExhausted == true)
    }

    /// The actual cost is cel-go's: for `all`, the range, then per element the loop condition
    /// (2), the step's accumulator (1) and the predicate (`x` and `>`: 2), then the result (1).
    @Test func costIsCountedAsCelGoCountsIt() throws {
        let program = try CELEnvironment.crdValidation.compile("self.all(x, x > 0)")
        let input = CELValue.list((1...100).map { .int($0) })
        let (outcome, cost) = program.evaluateTrackingCost(CELActivation(variables: ["self": input]))
        #expect(try outcome.get().json == true)
        #expect(cost == 502)
        var limits = CELLimits()
        limits.costLimit = 501
        #expect(try evaluationFailure("self.all(x, x > 0)", input, limits: limits)?.message == "operation cancelled: actual cost limit exceeded")
        let text = CELValue.string(String(repeating: "a", count: 1_000))
        // contains: a tenth of the string times a tenth of the part; matches: a tenth of the string
        // and one times a quarter of the pattern; the variable costs one.
        #expect(try CELEnvironment.crdValidation.compile("self.contains('abc')").evaluateTrackingCost(CELActivation(variables: ["self": text])).cost == 1 + 100 * 1)
        #expect(try CELEnvironment.crdValidation.compile("self.matches('^[a]+$')").evaluateTrackingCost(CELActivation(variables: ["self": text])).cost == 1 + 101 * 2)
    }

    @Test func noOperatorAbsorbsASpentBudget() throws {
        var limits = CELLimits()
        limits.stepBudget = 50_000
        let big = CELValue.list((0..<1_000).map { .int(Int64($0)) })
        #expect(try evaluationFailure("self.all(x, self.all(y, x + y >= 0)) || true", big, limits: limits)?.isBudgetExhausted == true)
        #expect(try evaluationFailure("[1, 2].exists(i, self.all(x, self.all(y, x + y >= 0)))", big, limits: limits)?.isBudgetExhausted == true)
    }

    @Test func stepsAreCountedAndBudgetsChosenByTheCaller() throws {
        let program = try CELEnvironment.crdValidation.compile("self.all(x, x > 0)")
        let input = CELValue.list((1...100).map { .int($0) })
        let (value, steps) = try program.evaluateCountingSteps(CELActivation(variables: ["self": input]))
        #expect(value.json == true)
        #expect(steps == 402)  // the loop and its range, then per element one iteration step and three nodes
        var limits = CELLimits()
        limits.stepBudget = 401
        #expect(try evaluationFailure("self.all(x, x > 0)", input, limits: limits)?.message == "evaluation exceeded the step budget of 401 steps")
    }

    @Test func stringsAndListsCannotGrowPastTheirBounds() throws {
        var limits = CELLimits()
        limits.maxStringLength = 1_000
        limits.maxListLength = 50
        let word = CELValue.string(String(repeating: "x", count: 600))
        #expect(try evaluationFailure("self + self", word, limits: limits)?.message == "string of 1200 bytes exceeds the limit of 1000")
        #expect(try evaluationFailure("[self, self].join('')", word, limits: limits)?.message == "string of 1200 bytes exceeds the limit of 1000")
        #expect(try evaluationFailure("self.replace('x', 'yy')", word, limits: limits)?.message == "string of 1002 bytes exceeds the limit of 1000")
        // Charged once for what is built, not again as it grows.
        let long = CELValue.string(String(repeating: "x", count: 200_000))
        #expect(try evaluationFailure("self.replace('x', 'y').size() == 200000", long) == nil)
        let list = CELValue.list((0..<30).map { .int($0) })
        #expect(try evaluationFailure("self + self", list, limits: limits)?.message == "list of 60 elements exceeds the limit of 50")
        #expect(try evaluationFailure("'a,'.replace(',', ',,,,,,,,,,').split(',')", limits: limits) == nil)
        #expect(try evaluationFailure(#"self.join(',').split(',')"#, .list((0..<60).map { .string("\($0)") }), limits: limits)?.message == "list of 60 elements exceeds the limit of 50")
    }

    @Test func overflowIsAnErrorNeverAWrap() throws {
        #expect(try evaluationFailure("self * self", .int(4_294_967_296))?.message == "integer overflow")
        #expect(try evaluationFailure("self - 1", .int(.min))?.message == "integer overflow")
        #expect(try evaluationFailure("-self", .int(.min))?.message == "integer overflow")
        #expect(try evaluationFailure("self / -1", .int(.min))?.message == "integer overflow")
        #expect(try evaluationFailure("self + 1u", .uint(.max))?.message == "unsigned integer overflow")
        #expect(try evaluationFailure("int(self)", .double(9.3e18))?.message == "integer overflow")
        #expect(try evaluationFailure("self.sum()", .list([.int(.max), .int(1)]))?.message == "integer overflow")
        #expect(try evaluationFailure("duration('2562047h') + duration('2562047h')")?.message == "integer overflow")
    }

    @Test func catastrophicBacktrackingRunsOutOfBudget() throws {
        var limits = CELLimits()
        limits.stepBudget = 20_000
        let text = CELValue.string(String(repeating: "a", count: 40) + "!")
        let error = try evaluationFailure("self.matches('^(a+)+$')", text, limits: limits)
        #expect(error?.isBudgetExhausted == true)
    }

    @Test func hugeInputsAreReadWithinTheBudget() throws {
        var limits = CELLimits()
        limits.stepBudget = 100_000
        let many = CELValue.list((0..<300_000).map { .int($0) })
        #expect(try evaluationFailure("self.exists(x, x < 0)", many, limits: limits)?.isBudgetExhausted == true)
        #expect(try evaluationFailure("size(self) == 300000", many, limits: limits) == nil)
        #expect(try evaluationFailure("-1 in self", many, limits: limits) == nil)
    }
}
