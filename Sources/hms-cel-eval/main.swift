// Evaluates CEL expressions with this project's interpreter and prints the verdicts as JSON, for
// hack/cel-crosscheck.py to compare with cel-python's.
//   stdin:  {"cases": [{"expression": "self.a > 1", "environment": "crd" | "policy",
//                       "variables": {"self": {"a": 2}}}, ...]}
//   stdout: [{"verdict": "value", "type": "bool", "value": true}
//            | {"verdict": "error", "message": "..."} | {"verdict": "refused", "message": "..."}, ...]
import CEL
import Foundation
import JSON

func verdict(for testCase: JSONValue) -> JSONValue {
    guard let expression = testCase["expression"]?.stringValue else {
        return ["verdict": "refused", "message": "the case has no \"expression\""]
    }
    let variables = testCase["variables"]?.objectValue ?? [:]
    var environment = testCase["environment"]?.stringValue == "policy" ? CELEnvironment.admissionPolicy : .crdValidation
    environment.variables.formUnion(variables.keys)
    let program: CELProgram
    do {
        program = try environment.compile(expression)
    } catch {
        return ["verdict": "refused", "message": .string(error.description)]
    }
    do {
        let value = try program.evaluate(CELActivation(variables: variables.mapValues(CELValue.init(json:))))
        return ["verdict": "value", "type": .string(value.type.rawValue), "value": value.json ?? .null]
    } catch {
        return ["verdict": "error", "message": .string(error.description)]
    }
}

let input = FileHandle.standardInput.readDataToEndOfFile()
do {
    let request = try JSONValue(parsing: [UInt8](input))
    let verdicts = (request["cases"]?.arrayValue ?? []).map(verdict(for:))
    print(JSONValue.array(verdicts).jsonText)
} catch {
    FileHandle.standardError.write(Data("hms-cel-eval: \(error)\n".utf8))
    exit(2)
}
