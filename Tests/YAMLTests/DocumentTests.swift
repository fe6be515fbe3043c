import Foundation
import Testing
@testable import YAML

@Suite(.tags(.unit)) struct DocumentTests {
    /// A 100 MB flow sequence is millions of records: each stays at 40 bytes, so that decoding it
    /// holds under 10x the file (hack/bench-errors.sh measures it).
    @Test func aNodeRecordTakes40Bytes() {
        #expect(MemoryLayout<YAMLDocument.Record>.stride == 40)
    }

    @Test func aHugeMarkIsClampedNotTrapped() {
        var record = YAMLDocument.Record(kind: .sequence, value: .string, mark: Mark(line: Int.max, column: -1), tag: Int.max, start: 0, count: 0)
        #expect(record.mark == Mark(line: Int(UInt32.max), column: 0))
        record.mark = Mark(line: 3, column: 4)
        #expect(record.mark == Mark(line: 3, column: 4))
    }

    func document(_ yaml: String) throws -> YAMLDocument {
        var documents: [YAMLDocument] = []
        try YAMLParser().forEachDocument(Array(yaml.utf8)) { documents.append($0) }
        return try #require(documents.first)
    }

    @Test func nodesAreReadByID() throws {
        let document = try self.document("a: [x, {b: \"2\"}]\nc: ~\n")
        let root = document.root
        #expect(document.kind(of: root) == .mapping)
        #expect(document.pairs(of: root).map { document.text(of: $0.key) } == ["a", "c"])
        let list = try #require(document.value(of: root, at: "a"))
        #expect(document.kind(of: list) == .sequence)
        #expect(document.mark(of: list) == Mark(line: 1, column: 4))
        let items = document.items(of: list)
        #expect(items.count == 2)
        #expect(document.value(of: items[0]) == .string)
        let b = try #require(document.value(of: items[1], at: "b"))
        #expect(document.kind(of: b) == .scalar(.doubleQuoted))
        #expect(document.text(of: b) == "2")
        #expect(document.value(of: b) == .string)
        #expect(document.isNull(try #require(document.value(of: root, at: "c"))))
        #expect(document.value(of: list) == nil)
        #expect(document.pairs(of: list).isEmpty && document.items(of: root).isEmpty)
    }

    @Test func theTreeOfADocumentIsWhatParseReturns() throws {
        let yaml = "base: &b {x: 1, y: [2, 3]}\ncopy: *b\nmerged:\n  <<: *b\n  y: 4\ntagged: !!str 5\n"
        let document = try self.document(yaml)
        let tree = try #require(try YAMLParser().parse(yaml).first)
        #expect(document.node(document.root) == tree)
        #expect(document.node(document.root)["copy"]?.mark == Mark(line: 2, column: 7))
        #expect(document.node(document.root)["tagged"]?.tag == "tag:yaml.org,2002:str")
    }

    /// The parser resolves scalars from their bytes, without making Strings of them; it must agree
    /// with `Scalar.resolved`, which reads the String.
    @Test func bytesResolveAsTheirStringsDo() throws {
        let pieces = ["0", "1", "9", "00", "0x", "0o", "x", "o", "a", "f", "e", "E", ".", "+", "-", "_", "~", "n", "null", "Null",
                      "NULL", "true", "TRUE", "False", "inf", ".inf", ".NaN", "yes", "m", "Mi", "12345678901234567", " ", ":", "é"]
        var generator = SplitMix(seed: 2027)
        var texts = ["", "0", "-0", "+5", "0x1F", "0x-1", "0o17", "1e3", ".5", "5.", "500m", "1.4.2", "99999999999999999999",
                     "-.inf", ".NAN", "~", "~x", "nulls", "True", "on"]
        for _ in 0..<5_000 {
            texts.append((0..<Int(generator.next() % 5 + 1)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined())
        }
        for text in texts {
            // Tagged `!!int`, a quoted text is read as if it were plain: any text reaches the resolver.
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            let document = try self.document("v: !!int \"\(escaped)\"\n")
            let node = try #require(document.value(of: document.root, at: "v"))
            let resolved = try #require(document.value(of: node)).resolved(text: document.text(of: node))
            let expected = Scalar(text, style: .plain).resolved
            if case .float(let a) = resolved, case .float(let b) = expected, a.isNaN, b.isNaN { continue }
            #expect(resolved == expected, "\(text.debugDescription)")
        }
    }

    @Test func textsCompareAsStringsDo() throws {
        // "\u{212A}" (KELVIN SIGN) is canonically equivalent to "K", and "e\u{301}" to "\u{E9}".
        let document = try self.document("- \u{212A}\n- e\u{301}\n- K\n")
        let items = document.items(of: document.root)
        #expect(document.text(of: items[0], equals: "K"))
        #expect(document.text(of: items[0], equalsASCII: "K"))
        #expect(document.text(of: items[1], equals: "\u{E9}"))
        #expect(!document.text(of: items[2], equals: "k"))
        #expect(document.sameText(items[0], items[2]))
        // So they are the same key, as they were when keys were Strings.
        #expect(throws: YAMLError.self) { try YAMLParser().parse("\u{212A}: 1\nK: 2\n") }
        #expect(throws: YAMLError.self) { try YAMLParser().parse("\u{E9}: 1\ne\u{301}: 2\n") }
    }
}

/// A small deterministic generator, so that a failure can be reproduced.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
