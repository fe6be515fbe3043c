import CEL
import Foundation
import JSON
import Testing

/// One expression of corpus.json with the verdict cel-go gives it (the same corpus that
/// hack/cel-crosscheck.py compares with cel-python).
struct CorpusCase: CustomTestStringConvertible, Sendable {
    var expression: String
    var policy: Bool
    var variables: [String: JSONValue]
    var expected: Expected

    enum Expected: Sendable {
        case value(JSONValue, type: String?)
        case error(String)
        case refused(String)
    }

    var testDescription: String { expression }

    static let all: [CorpusCase] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("corpus.json")
        guard let data = try? Data(contentsOf: url), let corpus = try? JSONValue(parsing: [UInt8](data)) else { return [] }
        return (corpus["cases"]?.arrayValue ?? []).compactMap(CorpusCase.init(json:))
    }()

    init?(json: JSONValue) {
        guard let expression = json["expression"]?.stringValue else { return nil }
        self.expression = expression
        policy = json["environment"]?.stringValue == "policy"
        variables = json["variables"]?.objectValue ?? [:]
        if let message = json["error"]?.stringValue {
            expected = .error(message)
        } else if let message = json["refused"]?.stringValue {
            expected = .refused(message)
        } else if let value = json["value"] {
            expected = .value(value, type: json["type"]?.stringValue)
        } else {
            return nil
        }
    }
}

@Suite struct CorpusTests {
    @Test func theCorpusIsRead() {
        #expect(CorpusCase.all.count >= 300)
    }

    @Test(arguments: CorpusCase.all)
    func verdictIsCELGos(_ testCase: CorpusCase) {
        var environment = testCase.policy ? CELEnvironment.admissionPolicy : .crdValidation
        environment.variables.formUnion(testCase.variables.keys)
        let activation = CELActivation(variables: testCase.variables.mapValues(CELValue.init(json:)))
        switch (testCase.expected, Result { try environment.compile(testCase.expression) }) {
        case (.refused(let part), .failure(let error)):
            #expect(String(describing: error).contains(part))
        case (.refused, .success):
            Issue.record("compiled, but should be refused")
        case (_, .failure(let error)):
            Issue.record("refused: \(error)")
        case (.error(let part), .success(let program)):
            #expect(throws: CELEvalError.self) { try program.evaluate(activation) }
            do {
                let value = try program.evaluate(activation)
                Issue.record("evaluated to \(value.json?.jsonText ?? "?"), expected an error containing \(part)")
            } catch {
                #expect(error.message.contains(part), "\(error.message)")
            }
        case (.value(let expected, let type), .success(let program)):
            do {
                let value = try program.evaluate(activation)
                #expect(Self.same(value.json, expected), "\(value.json?.jsonText ?? "?")")
                if let type { #expect(value.type.rawValue == type) }
            } catch {
                Issue.record("failed: \(error)")
            }
        }
    }

    /// JSON equality with numbers compared by value (3 and 3.0 are the same double).
    static func same(_ a: JSONValue?, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.some(let x), _) where x.doubleValue != nil && b.doubleValue != nil: return x.doubleValue == b.doubleValue
        case (.some(.array(let x)), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.some(.object(let x)), .object(let y)): return x.keys == y.keys && x.allSatisfy { same($0.value, y[$0.key] ?? .null) }
        default: return a == b
        }
    }
}
