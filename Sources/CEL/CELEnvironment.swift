/// Bounds that keep a hostile expression or input from hanging or exhausting the process.
public struct CELLimits: Sendable, Equatable {
    /// Longest expression accepted, in code points (cel-go's default expression size limit).
    public var maxExpressionLength = 100_000
    /// Deepest nesting, while parsing and of the tree parsed (cel-go's default recursion limit is 250;
    /// no real rule comes near 100).
    public var maxDepth = 100
    /// The most one evaluation may cost, in cel-go's cost units (Kubernetes' `PerCallLimit`, for
    /// CRD rules and admission policy expressions alike); an evaluation over it is cancelled.
    public var costLimit: UInt64 = 1_000_000
    /// A safety net under the cost limit: one step per node evaluated, per loop iteration, and per
    /// element or 16 characters an operation reads or builds, and per stretch of a regular
    /// expression's backtracking, which cel-go's cost does not see.
    public var stepBudget = 10_000_000
    /// Largest string or bytes value an operation may build, in bytes.
    public var maxStringLength = 1 << 20
    /// Longest list or map an operation may build.
    public var maxListLength = 100_000

    public init() {}
}

/// What an expression may refer to and the limits it runs under. `compile` is the check step:
/// it refuses, with positions, any expression outside the supported subset.
public struct CELEnvironment: Sendable {
    public var variables: Set<String>
    public var limits: CELLimits

    public init(variables: Set<String>, limits: CELLimits = CELLimits()) {
        self.variables = variables
        self.limits = limits
    }

    /// The variables of a CRD's `x-kubernetes-validations` rule.
    public static let crdValidation = CELEnvironment(variables: ["self", "oldSelf"])

    /// The variables of a ValidatingAdmissionPolicy's validations and match conditions.
    public static let admissionPolicy = CELEnvironment(
        variables: ["object", "oldObject", "request", "params", "namespaceObject", "authorizer", "variables"])

    public func compile(_ expression: String) throws(CELCompileError) -> CELProgram {
        let source = CELSourceText(expression)
        guard source.scalars.count <= limits.maxExpressionLength else {
            throw CELCompileError(diagnostics: [
                source.diagnostic(at: 0, "expression is \(source.scalars.count) code points long, over the limit of \(limits.maxExpressionLength)")
            ])
        }
        var parser = try CELParser(source: source, maxDepth: limits.maxDepth)
        let root = try parser.parse()
        var checker = CELChecker(source: source, variables: variables)
        checker.check(root, scope: [])
        guard checker.diagnostics.isEmpty else { throw CELCompileError(diagnostics: checker.diagnostics) }
        return CELProgram(
            expression: expression, root: root, source: source, limits: limits, variables: variables, referencedVariables: checker.referenced)
    }
}

/// The values an evaluation sees: the variables (`self`, `object`, `request`, ...), and for
/// admission policies the authorizer and the resource of the request (`authorizer.requestResource`).
public struct CELActivation: Sendable {
    public var variables: [String: CELValue]
    public var authorizer: (any CELAuthorizer)?
    public var requestResource: CELResourceAttributes?

    public init(variables: [String: CELValue] = [:], authorizer: (any CELAuthorizer)? = nil, requestResource: CELResourceAttributes? = nil) {
        self.variables = variables
        self.authorizer = authorizer
        self.requestResource = requestResource
    }
}

/// A checked expression, ready to evaluate any number of times.
public struct CELProgram: Sendable {
    public let expression: String
    let root: CELExpr
    let source: CELSourceText
    public let limits: CELLimits
    /// The environment's variables, declared or not mentioned.
    let variables: Set<String>
    /// The environment's variables the expression mentions: a CRD rule that mentions `oldSelf`
    /// is a transition rule, evaluated only on updates.
    public let referencedVariables: Set<String>

    /// The expression's value, or the error it evaluates to. Steps used are reported for tests
    /// and for callers that share one budget between several rules.
    public func evaluate(_ activation: CELActivation) throws(CELEvalError) -> CELValue {
        try evaluateCountingSteps(activation).value
    }

    public func evaluateCountingSteps(_ activation: CELActivation) throws(CELEvalError) -> (value: CELValue, steps: Int) {
        let evaluator = CELEvaluator(activation: activation, limits: limits, source: source)
        let value = try evaluator.evaluate(root)
        return (value, evaluator.steps)
    }

    /// The value or error, with the actual cost as cel-go's interpreter counts it (what the
    /// apiserver takes from its runtime budgets, also when the evaluation failed).
    public func evaluateTrackingCost(_ activation: CELActivation) -> (result: Result<CELValue, CELEvalError>, cost: UInt64) {
        let evaluator = CELEvaluator(activation: activation, limits: limits, source: source)
        do {
            return (.success(try evaluator.evaluate(root)), evaluator.cost)
        } catch {
            return (.failure(error), evaluator.cost)
        }
    }
}
