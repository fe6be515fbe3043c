import Foundation
import JSON
import Testing

@Suite(.tags(.unit)) struct ParsingTests {
    @Test func readsEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #"{"a": [1, -2.5, 1e3, true, false, null], "b": "x\"\n\u00e9\ud83d\ude00"}"#)
        #expect(value == ["a": [1, -2.5, 1000.0, true, false, nil], "b": "x\"\né😀"])
    }

    @Test func writesSortedCompactJSONThatReadsBack() throws {
        let value: JSONValue = ["z": 1, "a": ["tab\there", 0.5, nil], "m": [:]]
        #expect(value.jsonText == #"{"a":["tab\there",0.5,null],"m":{},"z":1}"#)
        #expect(try JSONValue(parsing: value.jsonBytes) == value)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONValue.string("\u{01}").jsonText == #""\u0001""#)
    }

    @Test func nestedObjectsKeepTheirOwnMembersAndTheLastOfARepeatedName() throws {
        let value = try JSONValue(parsing: #"{"a": {"b": {"c": 1}, "d": 2}, "e": 3, "a2": {}, "x": 1, "x": 2}"#)
        #expect(value == ["a": ["b": ["c": 1], "d": 2], "e": 3, "a2": [:], "x": 2])
    }

    @Test func rawUTF8IsReadAndWrittenAsIs() throws {
        let value = try JSONValue(parsing: Array(#"{"ünïcode": "日本 ✓"}"#.utf8))
        #expect(value == ["ünïcode": "日本 ✓"])
        #expect(value.jsonText == #"{"ünïcode":"日本 ✓"}"#)
        // Bytes that are not UTF-8 are refused, not repaired.
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test(arguments: [0, 7, 10, -1, -10, 1234567890, Int.max, Int.min])
    func integersAreWrittenInFull(number: Int) throws {
        #expect(JSONValue.int(number).jsonText == String(number))
        #expect(try JSONValue(parsing: JSONValue.int(number).jsonBytes) == .int(number))
    }

    @Test(arguments: [
        ("", "unexpected end of input", 0),
        ("{\"a\" 1}", "expected ':'", 5),
        ("[1,]", "unexpected character ']'", 3),
        ("01", "unexpected text after the value", 1),
        ("\"\\ud800\"", "unpaired surrogate in \\u escape", 7),
        ("[1] x", "unexpected text after the value", 4),
        ("\"a\u{01}\"", "control character in a string", 2),
        ("tru", "unexpected end of input", 0),
    ])
    func rejectsInvalidTextWithItsOffset(text: String, message: String, offset: Int) {
        #expect(throws: JSONParseError(message: message, offset: offset)) { try JSONValue(parsing: text) }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    @Test func pathsReadAndWriteNestedMembers() {
        var value: JSONValue = ["metadata": ["name": "web"]]
        value[path: ["metadata", "labels", "app"]] = "web"
        #expect(value[path: ["metadata", "labels"]] == ["app": "web"])
        #expect(value[path: ["metadata", "name"]]?.stringValue == "web")
        value[path: ["metadata", "name"]] = nil
        #expect(value == ["metadata": ["labels": ["app": "web"]]])
    }
}

@Suite(.tags(.unit)) struct PatchTests {
    // The examples of RFC 7386, appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatchFollowsRFC7386(target: String, patch: String, result: String) throws {
        let merged = try JSONValue(parsing: target).applyingMergePatch(try JSONValue(parsing: patch))
        #expect(merged == (try JSONValue(parsing: result)))
    }

    @Test func jsonPatchAppliesEveryOperationInOrder() throws {
        let document: JSONValue = ["spec": ["replicas": 2, "ports": [80]], "metadata": ["labels": ["a/b": "x"]]]
        let patch = try JSONValue(parsing: """
            [{"op":"replace","path":"/spec/replicas","value":5},
             {"op":"add","path":"/spec/ports/-","value":443},
             {"op":"add","path":"/spec/ports/0","value":8080},
             {"op":"test","path":"/metadata/labels/a~1b","value":"x"},
             {"op":"copy","from":"/spec/replicas","path":"/spec/copy"},
             {"op":"move","from":"/spec/copy","path":"/moved"},
             {"op":"remove","path":"/metadata"}]
            """)
        #expect(try document.applyingJSONPatch(patch) == ["spec": ["replicas": 5, "ports": [8080, 80, 443]], "moved": 5])
    }

    @Test(arguments: [
        (#"[{"op":"replace","path":"/spec/nope","value":1}]"#, "path /spec/nope not found"),
        (#"[{"op":"test","path":"/spec/replicas","value":3}]"#, "test operation failed at /spec/replicas"),
        (#"[{"op":"jump","path":"/spec"}]"#, #"unknown JSON patch operation "jump""#),
        (#"{"op":"add"}"#, "a JSON patch must be a list of operations"),
        (#"[{"op":"add","path":"spec","value":1}]"#, "a JSON pointer starts with '/': spec"),
    ])
    func jsonPatchFailuresNameTheProblem(patch: String, message: String) throws {
        let document: JSONValue = ["spec": ["replicas": 2]]
        #expect(throws: PatchError(message)) { try document.applyingJSONPatch(try JSONValue(parsing: patch)) }
    }
}

@Suite(.tags(.unit)) struct JSONPathTests {
    let pod: JSONValue = [
        "spec": ["containers": [["name": "web", "image": "registry.gov/web:1"]]],
        "status": ["conditions": [["type": "Initialized", "status": "True"], ["type": "Ready", "status": "False"]]],
    ]

    @Test(arguments: [
        (".spec.containers[0].image", JSONValue.string("registry.gov/web:1")),
        (".status.conditions[?(@.type==\"Ready\")].status", "False"),
        (".status.conditions[?(@.type=='Initialized')].status", "True"),
    ])
    func readsWhatPrinterColumnsAskFor(path: String, expected: JSONValue) {
        #expect(pod.value(atJSONPath: path) == expected)
    }

    @Test func missingPathsAreNil() {
        #expect(pod.value(atJSONPath: ".spec.containers[3].image") == nil)
        #expect(pod.value(atJSONPath: ".status.conditions[?(@.type==\"Gone\")].status") == nil)
        #expect(pod.value(atJSONPath: ".nope.deeper") == nil)
    }
}

@Suite(.tags(.unit)) struct UTCTimeTests {
    /// The hand-written formatter agrees with Foundation's across eras, leap days and times of day.
    @Test func wholeSecondTimesMatchFoundation() {
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        let edges: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, -2_208_988_800, 253_402_300_799]
        let samples = edges + (0..<2_000).map { _ in Double(next() % 8_000_000_000) - 2_000_000_000 + 0.75 }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTime.string(wholeSecondsOf: date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false)), "\(seconds)")
            // And reads back what it wrote, as Foundation does.
            let text = UTCTime.string(wholeSecondsOf: date)
            #expect(UTCTime.date(parsing: text) == (try? Date(text, strategy: Date.ISO8601FormatStyle())), "\(text)")
        }
    }

    @Test func fractionsAreReadAndOtherFormsAreLeftToFoundation() throws {
        #expect(UTCTime.date(parsing: "2026-11-26T05:00:00.5Z") == Date(timeIntervalSince1970: 1_795_669_200.5))
        let micro = try #require(UTCTime.date(parsing: "2026-11-26T05:00:00.000123Z"))
        #expect(abs(micro.timeIntervalSince1970 - 1_795_669_200.000123) < 1e-6)
        for text in ["2026-11-26T05:00:00+01:00", "2026-02-30T05:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26 05:00:00Z",
                     "2026-11-26T05:00:00.Z", "2026-11-26T05:00:00.1234567890Z", "2026-1x-26T05:00:00Z", ""] {
            #expect(UTCTime.date(parsing: text) == nil, "\(text)")
        }
        #expect(UTCTime.date(parsing: "2024-02-29T00:00:00Z") != nil)
        #expect(UTCTime.date(parsing: "2100-02-29T00:00:00Z") == nil)
    }
}
