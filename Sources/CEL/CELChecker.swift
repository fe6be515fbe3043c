/// The check step: every name must be declared, every function in the subset and called in a
/// shape it has, every literal regular expression valid RE2 this library can run. Problems are
/// collected, not thrown, so that one compile reports them all.
struct CELChecker {
    let source: CELSourceText
    let variables: Set<String>
    private(set) var diagnostics: [CELDiagnostic] = []
    private(set) var referenced: Set<String> = []

    init(source: CELSourceText, variables: Set<String>) {
        self.source = source
        self.variables = variables
    }

    private mutating func report(_ offset: Int, _ message: String) {
        diagnostics.append(source.diagnostic(at: offset, message))
    }

    mutating func check(_ expression: CELExpr, scope: [String]) {
        switch expression.kind {
        case .identifier(let name):
            checkIdentifier(name, at: expression.offset, scope: scope)
        case .call(let call):
            checkCall(call, at: expression.offset)
            for child in expression.kind.children { check(child, scope: scope) }
        case .comprehension(let loop):
            check(loop.range, scope: scope)
            for body in [loop.body] + (loop.filter.map { [$0] } ?? []) { check(body, scope: scope + [loop.variable]) }
        default:
            for child in expression.kind.children { check(child, scope: scope) }
        }
    }

    private mutating func checkIdentifier(_ name: String, at offset: Int, scope: [String]) {
        if scope.contains(name) { return }
        if variables.contains(name) {
            referenced.insert(name)
            return
        }
        if CELType.identifiers[name] != nil { return }
        let known = variables.sorted().joined(separator: ", ")
        report(offset, "undeclared reference to '\(name)' (the variables here are \(known))")
    }

    private mutating func checkCall(_ call: CELCall, at offset: Int) {
        guard let function = call.function else {
            if CELUnsupportedFunction.names.contains(call.name) {
                report(offset, "function '\(call.name)' is not supported by this CEL subset (Kubernetes has it; this mock cluster does not evaluate it)")
            } else {
                report(offset, "undeclared reference to function '\(call.name)'")
            }
            return
        }
        let shape = CELFunction.Shape(receiver: call.target != nil, arguments: call.arguments.count)
        guard function.shapes.contains(shape) else {
            report(offset, "no overload of '\(call.name)' takes \(shape.arguments) argument\(shape.arguments == 1 ? "" : "s")\(shape.receiver ? " on a receiver" : ""): use \(function.usage)")
            return
        }
        checkLiteralPattern(call, function: function)
    }

    /// A literal pattern is compiled now, as Kubernetes compiles it when the rule is created.
    private mutating func checkLiteralPattern(_ call: CELCall, function: CELFunction) {
        let patternIndex: Int
        switch function {
        case .matches: patternIndex = call.target == nil ? 1 : 0
        case .find, .findAll: patternIndex = 0
        default: return
        }
        let argument = call.arguments[patternIndex]
        guard case .literal(.string(let pattern)) = argument.kind else { return }
        do {
            _ = try CELRegex.compile(pattern)
        } catch {
            report(argument.offset, error.message)
        }
    }
}
