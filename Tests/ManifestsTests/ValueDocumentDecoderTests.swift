import Manifests
import Model
import Testing

/// Documents that are not resources decode as strictly as manifests, with positions.
@Suite(.tags(.unit)) struct ValueDocumentDecoderTests {
    struct Window: Decodable, Equatable {
        var name: String
        var seconds: Int
        var tags: [String]?
    }

    func decode(_ text: String, file: String = "window.yaml") throws(DecodeFailure) -> Window {
        try ValueDocumentDecoder().decode(Window.self, from: Array(text.utf8), file: file) { window in
            window.seconds < 0 ? [FieldIssue("seconds", "must be 0 or more, found \(window.seconds)")] : []
        }
    }

    func diagnostics(_ text: String, file: String = "window.yaml") -> [String] {
        do {
            _ = try decode(text, file: file)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func yamlAndJSONDecodeAlike() throws {
        #expect(try decode("name: calm\nseconds: 300\n") == Window(name: "calm", seconds: 300))
        #expect(try decode(#"{"name": "calm", "seconds": 300, "tags": ["a"]}"#, file: "window.json") == Window(name: "calm", seconds: 300, tags: ["a"]))
    }

    @Test func unknownFieldsAndWrongTypesPointAtTheirNodes() {
        #expect(diagnostics("name: calm\nseconds: five\nsecond: 3\n") == [
            """
            window.yaml:2:10: error: seconds: expected an integer, found "five"
            seconds: five
                     ^
            """,
            """
            window.yaml:3:1: error: second: unknown field "second"; did you mean "seconds"?
            second: 3
            ^
            """,
        ])
    }

    @Test func checksAfterDecodingPointAtTheirFields() {
        #expect(diagnostics("{\"name\": \"calm\",\n \"seconds\": -1}", file: "window.json") == [
            """
            window.json:2:13: error: seconds: must be 0 or more, found -1
             "seconds": -1}
                        ^
            """,
        ])
    }

    @Test func oneMappingIsExpected() {
        #expect(diagnostics("") == ["window.yaml: error: the file is empty; expected one document"])
        #expect(diagnostics("- name: calm\n") == ["window.yaml:1:1: error: expected a mapping, found a list\n- name: calm\n^"])
        #expect(diagnostics("name: a\nseconds: 1\n---\nname: b\nseconds: 2\n").first?.hasPrefix("window.yaml:4:1: error: expected one document, found 2") == true)
    }
}
