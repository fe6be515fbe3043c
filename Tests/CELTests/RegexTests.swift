import CEL
import JSON
import Testing

/// `matches` means what RE2 means, though ICU runs it.
@Suite struct RegexTests {
    func matches(_ text: String, _ pattern: String) throws -> Bool {
        let program = try CELEnvironment(variables: ["text", "pattern"]).compile("text.matches(pattern)")
        let value = try program.evaluate(CELActivation(variables: ["text": .string(text), "pattern": .string(pattern)]))
        guard case .bool(let flag) = value else { throw CELEvalError("not a bool") }
        return flag
    }

    func refusal(_ pattern: String) -> String? {
        do {
            _ = try matches("", pattern)
            return nil
        } catch {
            return (error as? CELEvalError)?.message ?? "\(error)"
        }
    }

    @Test func perlAndPosixClassesAreASCII() throws {
        #expect(try matches("7", #"^\d$"#))
        #expect(try !matches("\u{0663}", #"^\d$"#))  // ARABIC-INDIC DIGIT THREE
        #expect(try !matches("\u{E9}", #"^\w$"#))
        #expect(try matches("\u{E9}", #"^\W$"#))
        #expect(try !matches("\u{A0}", #"^\s$"#))
        #expect(try matches("x_9", #"^[\w]+$"#))
        #expect(try !matches("\u{E9}", "^[[:alpha:]]$"))
        #expect(try matches("\u{E9}", "^[[:^alpha:]]$"))
        #expect(try matches("\u{E9}", #"^\pL$"#))
    }

    @Test func dollarIsTheEndOfTheTextAndDotExcludesOnlyNewline() throws {
        #expect(try !matches("abc\n", "^abc$"))
        #expect(try matches("abc\ndef", "(?m)^abc$"))
        #expect(try matches("a\rb", "^a.b$"))
        #expect(try !matches("a\nb", "^a.b$"))
        #expect(try matches("a\nb", "(?s)^a.b$"))
    }

    @Test func bracketsAndBracesAreLiteralWhereRE2SaysSo() throws {
        #expect(try matches("[", "^[[]$"))
        #expect(try matches("a&&b", "^[a&]+b$"))
        #expect(try matches("a{", "^a{$"))
        #expect(try matches("a{x}", "^a{x}$"))
        #expect(try matches("aaa", "^a{3}$"))
        #expect(try matches("a.b", #"^a\Q.\Eb$"#))
        #expect(try !matches("axb", #"^a\Q.\Eb$"#))
        #expect(try matches("abc", "(?P<first>a)bc"))
    }

    @Test func whatRE2LacksIsRefused() {
        #expect(refusal("a(?=b)") == "invalid regular expression 'a(?=b)': a lookaround assertion '(?=' is not RE2 syntax")
        #expect(refusal("(?<!a)b") == "invalid regular expression '(?<!a)b': a lookaround assertion '(?<!' is not RE2 syntax")
        #expect(refusal(#"(a)\1"#) == #"invalid regular expression '(a)\1': a backreference '\1' is not RE2 syntax"#)
        #expect(refusal("(?>a)") == "invalid regular expression '(?>a)': an atomic group '(?>' is not RE2 syntax")
        #expect(refusal("a++") == "invalid regular expression 'a++': a possessive quantifier '++' is not RE2 syntax")
        #expect(refusal(#"a\Z"#) == #"invalid regular expression 'a\Z': the escape '\Z' is not RE2 syntax"#)
        #expect(refusal("(?x) a") == "invalid regular expression '(?x) a': the flag 'x' is not RE2 syntax")
        #expect(refusal("a{1001}") == "invalid regular expression 'a{1001}': repeat count over 1000")
        #expect(refusal("[a") == "invalid regular expression '[a': missing closing ]")
        #expect(refusal("(a") == "invalid regular expression '(a'")
    }

    @Test func findAndFindAllReturnTheMatchedText() throws {
        let program = try CELEnvironment(variables: ["self"]).compile("[self.find('[0-9]+'), self.findAll('[a-z]+').join('|'), self.findAll('[a-z]+', 1).join('|')]")
        let value = try program.evaluate(CELActivation(variables: ["self": .string("ab 12 cd 34 é")]))
        #expect(value.json == ["12", "ab|cd", "ab"])
    }
}
