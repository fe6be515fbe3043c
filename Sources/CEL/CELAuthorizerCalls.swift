/// Kubernetes' authorizer library: `authorizer.group(g).resource(r).namespace(n).name(x).check(verb)`,
/// `authorizer.path(p).check(verb)`, `authorizer.serviceAccount(ns, name)...`,
/// `authorizer.requestResource.check(verb)`, and the decision's `allowed()`, `reason()`,
/// `errored()`, `error()`. Checks go to the caller's `CELAuthorizer`.
struct CELAuthorizerCalls {
    let evaluator: CELEvaluator
    /// Steps charged per authorization check: a check is far dearer than an operator (Kubernetes
    /// prices it high in its cost model too).
    static let stepsPerCheck = 1_000

    func call(_ function: CELFunction, _ value: CELAuthorizationValue, _ values: [CELValue]) throws(CELEvalError) -> CELValue {
        let arguments = CELArguments(function: function, target: .authorization(value), values: values)
        switch (function, value) {
        case (.path, .authorizer(let account)):
            return .authorization(.pathCheck(serviceAccount: account, path: try arguments.string(0)))
        case (.group, .authorizer(let account)):
            return .authorization(.groupCheck(serviceAccount: account, group: try arguments.string(0)))
        case (.serviceAccount, .authorizer):
            let account = CELServiceAccount(namespace: try arguments.string(0), name: try arguments.string(1))
            return .authorization(.authorizer(serviceAccount: account))
        case (.resource, .groupCheck(let account, let group)):
            return .authorization(.resourceCheck(serviceAccount: account, CELResourceAttributes(group: group, resource: try arguments.string(0))))
        case (.subresource, .resourceCheck(let account, var attributes)):
            attributes.subresource = try arguments.string(0)
            return .authorization(.resourceCheck(serviceAccount: account, attributes))
        case (.namespace, .resourceCheck(let account, var attributes)):
            attributes.namespace = try arguments.string(0)
            return .authorization(.resourceCheck(serviceAccount: account, attributes))
        case (.name, .resourceCheck(let account, var attributes)):
            attributes.name = try arguments.string(0)
            return .authorization(.resourceCheck(serviceAccount: account, attributes))
        case (.check, .pathCheck(let account, let path)):
            return try decide(CELAuthorizationCheck(serviceAccount: account, verb: try arguments.string(0), target: .path(path)))
        case (.check, .resourceCheck(let account, let attributes)):
            return try decide(CELAuthorizationCheck(serviceAccount: account, verb: try arguments.string(0), target: .resource(attributes)))
        case (_, .decision(let decision)):
            try arguments.none()
            return try Self.read(function, decision)
        default:
            throw arguments.noOverload
        }
    }

    private func decide(_ check: CELAuthorizationCheck) throws(CELEvalError) -> CELValue {
        guard let authorizer = evaluator.activation.authorizer else { throw CELEvalError("no authorizer is available for this evaluation") }
        try evaluator.charge(Self.stepsPerCheck)
        return .authorization(.decision(authorizer.decide(check)))
    }

    private static func read(_ function: CELFunction, _ decision: CELAuthorizationDecision) throws(CELEvalError) -> CELValue {
        switch (function, decision) {
        case (.allowed, .allowed): return .bool(true)
        case (.allowed, _): return .bool(false)
        case (.reason, .denied(let reason)): return .string(reason)
        case (.reason, _): return .string("")
        case (.errored, .error): return .bool(true)
        case (.errored, _): return .bool(false)
        case (.error, .error(let message)): return .string(message)
        case (.error, _): return .string("")
        default: throw CELEvalError.noOverload(function.rawValue, .authorization(.decision(decision)))
        }
    }
}
