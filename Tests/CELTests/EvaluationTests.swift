import CEL
import JSON
import Testing

/// Evaluation: errors with their positions, the error semantics of `&&`, `||` and the macros, and
/// values from JSON.
@Suite struct EvaluationTests {
    func evaluate(_ expression: String, _ variables: [String: JSONValue] = [:]) throws -> CELValue {
        var environment = CELEnvironment.crdValidation
        environment.variables.formUnion(variables.keys)
        return try environment.compile(expression).evaluate(CELActivation(variables: variables.mapValues(CELValue.init(json:))))
    }

    func failure(_ expression: String, _ variables: [String: JSONValue] = [:]) -> String {
        do {
            return "value \(try evaluate(expression, variables).json?.jsonText ?? "?")"
        } catch {
            return String(describing: error)
        }
    }

    @Test func errorsSayWhereTheyArose() {
        let deployment: JSONValue = ["spec": ["replicas": 3]]
        #expect(failure("self.spec.replicas > 1 && self.spec.paused", ["self": deployment]) == "1:36: no such key: paused")
        #expect(failure("self.spec.replicas +\n  9223372036854775807", ["self": deployment]) == "1:20: integer overflow")
        #expect(failure("[1, 2][2]") == "1:7: index out of range: 2")
        #expect(failure("self.spec.replicas.size()", ["self": deployment]) == "1:20: no such overload: size(int)")
    }

    @Test func absentFieldsAreErrorsUnlessTested() throws {
        let spec: JSONValue = ["spec": [:]]
        #expect(failure("self.spec.replicas == 0", ["self": spec]) == "1:10: no such key: replicas")
        #expect(try evaluate("!has(self.spec.replicas) || self.spec.replicas == 0", ["self": spec]).json == true)
        #expect(try evaluate("has(self.spec.replicas) && self.spec.replicas == 0", ["self": spec]).json == false)
    }

    @Test func logicalOperatorsAreCommutativeOverErrors() throws {
        let empty: [String: JSONValue] = ["self": [:]]
        #expect(try evaluate("self.missing == 1 && false", empty).json == false)
        #expect(try evaluate("false && self.missing == 1", empty).json == false)
        #expect(try evaluate("self.missing == 1 || true", empty).json == true)
        #expect(failure("self.missing == 1 || false", empty) == "1:5: no such key: missing")
        #expect(failure("self.a == 1 && self.b == 1", empty) == "1:5: no such key: a")
        // A non-bool operand is an error only when the other side does not decide.
        #expect(try evaluate("false && 'x'").json == false)
        #expect(failure("true && 'x'") == "1:6: no such overload: _&&_ applied to string")
    }

    @Test func quantifiersLetADecidingElementWinOverAnError() throws {
        let items: [String: JSONValue] = ["self": [["a": 1], [:], ["a": 3]]]
        #expect(try evaluate("self.exists(x, x.a == 3)", items).json == true)
        #expect(try evaluate("self.all(x, x.a < 2)", items).json == false)
        #expect(failure("self.all(x, x.a > 0)", items) == "1:14: no such key: a")
        #expect(failure("self.exists_one(x, x.a == 3)", items) == "1:21: no such key: a")
        #expect(failure("self.map(x, x.a)", items) == "1:14: no such key: a")
    }

    @Test func jsonNumbersKeepTheirKinds() throws {
        #expect(try evaluate("type(self.a) == int && type(self.b) == double", ["self": ["a": 1, "b": 1.5]]).json == true)
        #expect(try evaluate("self.b * 2.0", ["self": ["b": 1.5]]).json == 3.0)
        #expect(failure("self.a * 2.0", ["self": ["a": 1]]) == "1:8: no such overload: _*_(int, double)")
    }

    @Test func stringsCompareByCodePointNotByCanonicalEquivalence() throws {
        let composed = "\u{E9}"
        let decomposed = "e\u{301}"
        let variables: [String: JSONValue] = ["self": ["a": .string(composed), "b": .string(decomposed)]]
        #expect(try evaluate("self.a == self.b", variables).json == false)
        #expect(try evaluate("self.b.size()", variables).json == 2)
        #expect(try evaluate("{self.a: 1, self.b: 2}.size()", variables).json == 2)
        #expect(try evaluate("self.b.startsWith('e')", variables).json == true)
    }

    @Test func valuesConvertToJSON() throws {
        let value = try evaluate("{'a': [1, 2.5, 'x', true, null], 'b': b'hi', 'c': 7u, 'd': duration('90s')}")
        #expect(value.json == ["a": [1, 2.5, "x", true, nil], "b": "aGk=", "c": 7, "d": "90s"])
        #expect(try evaluate("{1: 'a'}").json == nil)
    }

    @Test func variablesWithoutAValueAreErrors() throws {
        let program = try CELEnvironment.crdValidation.compile("oldSelf == self")
        #expect(throws: CELEvalError("no value for variable 'oldSelf'", position: CELPosition(offset: 0, line: 1, column: 1))) {
            try program.evaluate(CELActivation(variables: ["self": .int(1)]))
        }
    }
}
