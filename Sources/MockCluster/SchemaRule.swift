import CEL
import JSON

/// One `x-kubernetes-validations` entry, compiled when its CRD is stored.
struct SchemaRule: Sendable {
    var rule: String
    var message: String
    var messageExpression: String
    var reason: FieldError.Kind?
    /// `fieldPath`, as the path of the error relative to the rule's node (`spec.replicas`).
    var fieldPath: String
    var program: CELProgram
    var messageProgram: CELProgram?

    /// A transition rule (mentions `oldSelf`) runs only on updates that have an old value.
    var usesOldSelf: Bool { program.referencedVariables.contains("oldSelf") }

    /// The rule as errors name it: its message, else its expression (`ruleErrorString`).
    var errorString: String { message.isEmpty ? rule.trimmingWhitespace : message.trimmingWhitespace }

    static let reasons: [String: FieldError.Kind] = [
        "FieldValueInvalid": .invalid, "FieldValueForbidden": .forbidden, "FieldValueRequired": .required,
        "FieldValueDuplicate": .duplicate,
    ]

    /// Compiles the rules of one schema node; each one that cannot run is a problem named by its
    /// path (`...x-kubernetes-validations[0].rule`), as apiextensions-apiserver refuses the CRD.
    static func compileAll(_ entries: [JSONValue], path: String, problems: inout [FieldError]) -> [SchemaRule] {
        var rules: [SchemaRule] = []
        for (index, entry) in entries.enumerated() {
            let at = "\(path).x-kubernetes-validations[\(index)]"
            if let rule = compile(entry, at: at, problems: &problems) { rules.append(rule) }
        }
        return rules
    }

    private static func compile(_ entry: JSONValue, at path: String, problems: inout [FieldError]) -> SchemaRule? {
        let rule = entry["rule"]?.stringValue ?? ""
        let message = entry["message"]?.stringValue ?? ""
        let messageExpression = entry["messageExpression"]?.stringValue ?? ""
        let fieldPath = entry["fieldPath"]?.stringValue ?? ""
        let before = problems.count
        if rule.isEmpty { problems.append(FieldError(.required, path + ".rule", .json(""), "rule is not specified")) }
        if entry["message"] != nil, message.trimmingWhitespace.isEmpty {
            problems.append(FieldError(.invalid, path + ".message", .json(.string(message)), "must be non-empty if specified"))
        } else if message.contains("\n") {
            problems.append(FieldError(.invalid, path + ".message", .json(.string(message)), "must not contain line breaks"))
        } else if message.isEmpty, rule.contains("\n") {
            problems.append(FieldError(.required, path + ".message", .json(""), "message must be specified if rule contains line breaks"))
        }
        var reason: FieldError.Kind?
        if let name = entry["reason"]?.stringValue {
            reason = reasons[name]
            if reason == nil {
                problems.append(FieldError(.notSupported, path + ".reason", .json(.string(name)),
                                           "supported values: " + reasons.keys.sorted().map(goQuoted).joined(separator: ", ")))
            }
        }
        if entry["fieldPath"] != nil, !isSimplePath(fieldPath) {
            problems.append(FieldError(.invalid, path + ".fieldPath", .json(.string(fieldPath)), "must be a valid path"))
        }
        let shown = FieldError.Value.text(displayJSON(entry))
        let program = compiled(rule, at: path + ".rule", shown: shown, prefix: "compilation failed: ", problems: &problems)
        var messageProgram: CELProgram?
        if !messageExpression.isEmpty {
            messageProgram = compiled(messageExpression, at: path + ".messageExpression", shown: shown,
                                      prefix: "messageExpression compilation failed: ", problems: &problems)
        }
        if entry["optionalOldSelf"]?.boolValue == true {
            let detail = program?.referencedVariables.contains("oldSelf") == true
                ? "optional oldSelf (CEL optionals) is not supported by this mock cluster's CEL subset"
                : "may not be set if oldSelf is not used in rule"
            problems.append(FieldError(.invalid, path + ".optionalOldSelf", .json(true), detail))
        }
        guard problems.count == before, let program else { return nil }
        return SchemaRule(
            rule: rule, message: message, messageExpression: messageExpression, reason: reason,
            fieldPath: String(fieldPath.drop { $0 == "." }), program: program, messageProgram: messageProgram)
    }

    private static func compiled(
        _ expression: String, at path: String, shown: FieldError.Value, prefix: String, problems: inout [FieldError]
    ) -> CELProgram? {
        guard !expression.isEmpty else { return nil }
        do {
            return try CELEnvironment.crdValidation.compile(expression)
        } catch {
            problems.append(FieldError(.invalid, path, shown, prefix + celGoIssues(error.diagnostics)))
            return nil
        }
    }

    /// `.spec.replicas`: the dotted paths this mock resolves (bracketed forms are refused loudly).
    private static func isSimplePath(_ path: String) -> Bool {
        guard path.hasPrefix("."), path.count > 1 else { return false }
        return path.dropFirst().split(separator: ".", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
    }

    /// The rule as Go's `json.Marshal` writes apiextensions' `ValidationRule`: members in
    /// declaration order, empty ones left out.
    private static func displayJSON(_ entry: JSONValue) -> String {
        var members: [(name: String, value: JSONValue)] = []
        for name in ["rule", "message", "messageExpression", "reason", "fieldPath", "optionalOldSelf"] {
            if let value = entry[name], value != .null, value != "" || name == "rule" { members.append((name, value)) }
        }
        var bytes: [UInt8] = []
        JSONValue.writeObject(members, to: &bytes)
        return goHTMLEscaped(String(decoding: bytes, as: UTF8.self))
    }
}

/// Diagnostics as cel-go's `Issues.String()` prints them: `ERROR: <input>:1:6: message`, the
/// source line, and a line of dots up to a caret.
func celGoIssues(_ diagnostics: [CELDiagnostic]) -> String {
    diagnostics.map { diagnostic in
        let dots = String(repeating: ".", count: max(0, diagnostic.position.column - 1))
        return "ERROR: <input>:\(diagnostic.position.line):\(diagnostic.position.column): \(diagnostic.message)\n | \(diagnostic.sourceLine)\n | \(dots)^"
    }.joined(separator: "\n")
}

/// Go's `json.Marshal` escapes `<`, `>` and `&` for HTML.
func goHTMLEscaped(_ json: String) -> String {
    json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
        .replacingOccurrences(of: "&", with: "\\u0026")
}

extension String {
    var trimmingWhitespace: String {
        String(unicodeScalars.drop { $0.properties.isWhitespace }.reversed().drop { $0.properties.isWhitespace }.reversed()
            .map(Character.init))
    }
}

/// OpenAPI `pattern`: RE2 syntax, matched anywhere in the string (Go's `MatchString`). Run through
/// the CEL module's `matches`, which has RE2's meaning and bounded steps.
enum SchemaPattern {
    private static let program = try? CELEnvironment(variables: ["value", "pattern"]).compile("value.matches(pattern)")

    /// Whether `text` matches; nil when the pattern is not a valid RE2 expression.
    static func matches(_ text: String, _ pattern: String) -> Bool? {
        guard let program,
            let result = try? program.evaluate(CELActivation(variables: ["value": .string(text), "pattern": .string(pattern)])),
            case .bool(let matched) = result
        else { return nil }
        return matched
    }

    static func isValid(_ pattern: String) -> Bool { matches("", pattern) != nil }
}
