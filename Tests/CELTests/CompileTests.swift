import CEL
import Testing

/// The check step: what is refused when a rule is created, with compiler-style messages.
@Suite struct CompileTests {
    func refusal(_ expression: String, _ environment: CELEnvironment = .crdValidation) -> String {
        do {
            _ = try environment.compile(expression)
            return "compiled"
        } catch {
            return error.description
        }
    }

    @Test func syntaxErrorsPointAtTheToken() {
        #expect(refusal("self.a +") == """
            1:9: error: expected an expression, found the end of the expression
             | self.a +
             |         ^
            """)
        #expect(refusal("self.a > 1 &&\n  self.b ==") == """
            2:12: error: expected an expression, found the end of the expression
             |   self.b ==
             |            ^
            """)
        #expect(refusal("(1 + 2") == "1:7: error: expected ')', found the end of the expression\n | (1 + 2\n |       ^")
        #expect(refusal("1 2") == "1:3: error: expected an operator or the end of the expression, found integer 2\n | 1 2\n |   ^")
        #expect(refusal("self.") == "1:6: error: expected a field name after '.', found the end of the expression\n | self.\n |      ^")
    }

    @Test func lexicalErrorsPointAtTheCharacter() {
        #expect(refusal("'abc") == "1:1: error: unterminated string literal\n | 'abc\n | ^")
        #expect(refusal("self == 'a\\qb'") == "1:11: error: invalid escape sequence '\\q'\n | self == 'a\\qb'\n |           ^")
        #expect(refusal("1 # 2") == "1:3: error: unexpected character '#'\n | 1 # 2\n |   ^")
        #expect(refusal("'a\nb'") == "1:3: error: newline in a single-quoted string literal (use triple quotes)\n | 'a\n |   ^")
        #expect(refusal("99999999999999999999") == "1:1: error: integer literal 99999999999999999999 is out of range\n | 99999999999999999999\n | ^")
        #expect(refusal("b'\\u00e9'") == "1:3: error: \\u and \\U escapes are not allowed in bytes literals\n | b'\\u00e9'\n |   ^")
    }

    @Test func unsupportedSyntaxIsNamed() {
        #expect(refusal("self.?spec") == "1:5: error: optional syntax ('.?' and '[?') is not supported by this CEL subset\n | self.?spec\n |     ^")
        #expect(refusal("Pod{name: 'x'}").hasPrefix("1:4: error: message construction (Name{field: value}) is not supported by this CEL subset"))
        #expect(refusal("[1].all(k, v, true)").hasPrefix("1:5: error: the two-variable form of all() is not supported by this CEL subset"))
        #expect(refusal("let > 1").hasPrefix("1:1: error: 'let' is a reserved word of CEL and cannot be used as a name"))
    }

    @Test func everyProblemOfTheCheckStepIsReported() {
        #expect(refusal("slef.replicas > 1 && self.name.quantity() && foo(1) && 'a'.startsWith()") == """
            1:1: error: undeclared reference to 'slef' (the variables here are oldSelf, self)
             | slef.replicas > 1 && self.name.quantity() && foo(1) && 'a'.startsWith()
             | ^
            1:32: error: function 'quantity' is not supported by this CEL subset (Kubernetes has it; this mock cluster does not evaluate it)
             | slef.replicas > 1 && self.name.quantity() && foo(1) && 'a'.startsWith()
             |                                ^
            1:46: error: undeclared reference to function 'foo'
             | slef.replicas > 1 && self.name.quantity() && foo(1) && 'a'.startsWith()
             |                                              ^
            1:60: error: no overload of 'startsWith' takes 0 arguments on a receiver: use x.startsWith(a)
             | slef.replicas > 1 && self.name.quantity() && foo(1) && 'a'.startsWith()
             |                                                            ^
            """)
    }

    @Test func macroMisuseIsRefused() {
        #expect(refusal("has(self)") == "1:1: error: invalid argument to has() macro: it takes one field selection, has(x.field)\n | has(self)\n | ^")
        #expect(refusal("self.all(x)").hasPrefix("1:6: error: the all() macro takes 2 arguments, a variable name first: list.all(x, ...)"))
        #expect(refusal("self.map(x.y, 1)").hasPrefix("1:11: error: argument must be a simple name: the map() macro binds it to each element"))
    }

    @Test func variablesDependOnTheKindOfRule() {
        #expect(refusal("object.spec == oldObject.spec").hasPrefix("1:1: error: undeclared reference to 'object' (the variables here are oldSelf, self)"))
        #expect(refusal("object.spec == oldObject.spec", .admissionPolicy) == "compiled")
        #expect(refusal("self.x", .admissionPolicy).hasPrefix("1:1: error: undeclared reference to 'self'"))
        // A macro's variable is in scope in its body only.
        #expect(refusal("self.all(x, x > 0) && x > 0").hasPrefix("1:23: error: undeclared reference to 'x'"))
    }

    @Test func literalPatternsAreCompiledWhenTheRuleIs() {
        #expect(refusal("self.matches('a(?=b)')") == """
            1:14: error: invalid regular expression 'a(?=b)': a lookaround assertion '(?=' is not RE2 syntax
             | self.matches('a(?=b)')
             |              ^
            """)
        #expect(refusal("self.matches('(a')").hasPrefix("1:14: error: invalid regular expression '(a'"))
        #expect(refusal("self.matches(self)") == "compiled")
    }

    @Test func transitionRulesAreKnownByTheVariablesTheyUse() throws {
        #expect(try CELEnvironment.crdValidation.compile("self == oldSelf").referencedVariables == ["self", "oldSelf"])
        #expect(try CELEnvironment.crdValidation.compile("self.all(oldSelf, oldSelf > 0)").referencedVariables == ["self"])
    }
}
