import Testing
import YAML

@Suite(.tags(.unit)) struct ParserTests {
    let parser = YAMLParser()

    @Test func nodesCarryOneBasedMarks() throws {
        let root = try #require(try parser.parse("a: 1\nb:\n  - x\n  - {c: d}\n").first)
        #expect(root.mark == Mark(line: 1, column: 1))
        #expect(root["a"]?.mark == Mark(line: 1, column: 4))
        let list = try #require(root["b"]?.sequence)
        #expect(list.map(\.mark) == [Mark(line: 3, column: 5), Mark(line: 4, column: 5)])
        #expect(list[1]["c"]?.mark == Mark(line: 4, column: 9))
    }

    @Test func streamsHoldManyDocumentsAndSkipNone() throws {
        let documents = try parser.parse("a: 1\n---\n---\nb: 2\n")
        #expect(documents.count == 3)
        #expect(documents[1].resolved == .null)
        #expect(try parser.parse("# only a comment\n").isEmpty)
    }

    @Test(arguments: [
        ("plain", Scalar.Resolved.string("plain")),
        ("10", .int(10)),
        ("-3", .int(-3)),
        ("0x1F", .int(31)),
        ("0o17", .int(15)),
        ("1.5", .float(1.5)),
        ("1e3", .float(1000)),
        (".5", .float(0.5)),
        ("true", .bool(true)),
        ("False", .bool(false)),
        ("~", .null),
        ("null", .null),
        ("yes", .string("yes")),
        ("1.2.3", .string("1.2.3")),
        ("500m", .string("500m")),
        ("+", .string("+")),
        (".", .string(".")),
    ])
    func plainScalarsResolveByTheCoreSchema(text: String, expected: Scalar.Resolved) throws {
        let root = try #require(try parser.parse("v: \(text)\n").first)
        #expect(root["v"]?.resolved == expected)
    }

    @Test func quotingMakesAString() throws {
        let root = try #require(try parser.parse("a: \"10\"\nb: '10'\nc: !!str 10\n").first)
        #expect(root["a"]?.resolved == .string("10"))
        #expect(root["b"]?.resolved == .string("10"))
        #expect(root["c"]?.resolved == .string("10"))
    }

    @Test func aliasesResolveToTheAnchoredNode() throws {
        let root = try #require(try parser.parse("base: &b {x: 1}\ncopy: *b\n").first)
        #expect(root["copy"] == root["base"])
        #expect(root["copy"]?.mark == Mark(line: 2, column: 7))
    }

    @Test func mergeKeysMergeAndExplicitKeysWin() throws {
        let yaml = "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n"
        let item = try #require(try parser.parse(yaml).first?["item"])
        #expect(item["x"]?.resolved == .int(1))
        #expect(item["y"]?.resolved == .int(3))
        #expect(item.mapping?.count == 2)
    }

    @Test func duplicateKeysAreRefusedAtTheSecondKey() {
        #expect(throws: YAMLError(.duplicateKey, "duplicate key \"a\" (first defined at line 1, column 1)", at: Mark(line: 3, column: 1))) {
            try parser.parse("a: 1\nb: 2\na: 3\n")
        }
    }

    @Test func duplicateKeysAreFoundInLargeMappingsToo() {
        let keys = (0..<40).map { "k\($0): 1" } + ["k7: 2"]
        #expect(throws: YAMLError.self) { try parser.parse(keys.joined(separator: "\n")) }
    }

    @Test func syntaxErrorsKeepLibyamlsWordsAndPosition() {
        #expect(throws: YAMLError(.syntax, "mapping values are not allowed in this context; quote a value that contains \": \"", at: Mark(line: 1, column: 5))) {
            try parser.parse("a: b: c\n")
        }
        #expect(throws: YAMLError(.syntax, "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4); it is never closed", at: Mark(line: 1, column: 4))) {
            try parser.parse("a: \"open\n")
        }
    }

    @Test func invalidUTF8IsAReaderErrorWithAPosition() throws {
        let bytes: [UInt8] = Array("a: 1\nb: ".utf8) + [0xFF] + Array("\n".utf8)
        let error = try #require(throws: YAMLError.self) { try parser.parse(bytes) }
        #expect(error.kind == .reader)
        #expect(error.mark == Mark(line: 2, column: 4))
        #expect(error.message.hasPrefix("invalid leading UTF-8 octet"))
    }

    @Test func undefinedAliasesAreRefused() {
        #expect(throws: YAMLError(.undefinedAlias, "unknown anchor \"nope\" (an alias must follow its anchor in the same document)", at: Mark(line: 1, column: 4))) {
            try parser.parse("a: *nope\n")
        }
    }

    @Test func billionLaughsIsRefusedQuickly() throws {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: YAMLError.self) { try parser.parse(lines.joined(separator: "\n")) }
        #expect(error.kind == .aliasExpansion)
        #expect(error.message.contains("more than 100000 nodes"))
        #expect(clock.now - start < .seconds(1))
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = try #require(throws: YAMLError.self) { try parser.parse(deep) }
        #expect(error.kind == .depth)
    }

    @Test func mergeOfAScalarIsRefused() {
        #expect(throws: YAMLError(.merge, "a merge key (<<) needs a mapping or a list of mappings, found the number 1", at: Mark(line: 1, column: 15))) {
            try parser.parse("a: {x: 1, <<: 1}\n")
        }
    }
}
