import Foundation
import JSON
import Testing

/// `JSONValueDecoder` reads typed values from a parsed tree as `JSONDecoder` reads them from bytes.
@Suite(.tags(.unit)) struct JSONValueDecoderTests {
    struct Pod: Codable, Equatable {
        struct Container: Codable, Equatable {
            var name: String
            var ports: [Int]?
        }
        var name: String
        var replicas: Int
        var ratio: Double
        var ready: Bool?
        var labels: [String: String]
        var containers: [Container]
        var extra: JSONValue?
        var blob: Data?
    }

    let text = #"""
        {"name": "web", "replicas": 3, "ratio": 0.5, "labels": {"app": "web", "443": "port"},
         "containers": [{"name": "a", "ports": [80, 443]}, {"name": "b"}], "extra": {"x": [1, null]},
         "blob": "UEVN", "ignored": true}
        """#

    @Test func readsWhatJSONDecoderReads() throws {
        let fromTree = try JSONValueDecoder().decode(Pod.self, fromJSON: Array(text.utf8))
        let fromBytes = try JSONDecoder().decode(Pod.self, from: Data(text.utf8))
        #expect(fromTree == fromBytes)
        #expect(fromTree.extra == ["x": [1, nil]])
        #expect(fromTree.blob == Data("PEM".utf8))
    }

    @Test func aJSONValueIsHandedOverAsItIs() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, true]]
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: value) == value)
    }

    @Test func wholeNumbersReadAsIntegersOthersDoNot() throws {
        #expect(try JSONValueDecoder().decode(Int.self, from: .double(4)) == 4)
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Int.self, from: .double(4.5)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt8.self, from: .int(300)) }
        #expect(try JSONValueDecoder().decode(Double.self, from: .int(2)) == 2)
    }

    /// The kind of error and the path are what callers report (`FieldIssue(decoding:)`).
    @Test func errorsCarryTheirKindAndPath() throws {
        func error(_ json: String) -> DecodingError? {
            do {
                _ = try JSONValueDecoder().decode(Pod.self, fromJSON: Array(json.utf8))
                return nil
            } catch {
                return error as? DecodingError
            }
        }
        let base = #""name": "web", "replicas": 3, "ratio": 1, "labels": {}"#
        guard case .keyNotFound(let key, let context)? = error("{\(base)}") else {
            Issue.record("a missing field is not keyNotFound")
            return
        }
        #expect(key.stringValue == "containers" && context.codingPath.isEmpty)

        guard case .typeMismatch(_, let context)? = error(#"{\#(base), "containers": [{"name": 7}]}"#) else {
            Issue.record("a number for a string is not typeMismatch")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["containers", "0", "name"])
        #expect(context.debugDescription == "expected a string, found the number 7")

        guard case .valueNotFound(_, let context)? = error(#"{\#(base), "containers": [{"name": "a", "ports": [1, null]}]}"#) else {
            Issue.record("a null item is not valueNotFound")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["containers", "0", "ports", "1"])
    }
}
