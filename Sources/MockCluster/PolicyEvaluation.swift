import CEL
import JSON

/// One validation that did not pass: its message and the reason (status) a denial answers with.
struct PolicyFailure: Error, Sendable {
    var message: String
    var reason = "Invalid"
    var expressionIndex: Int?
}

/// One policy under one binding, evaluated for one request: match conditions, variables, then
/// validations, once per parameter object. Errors follow the policy's failurePolicy.
struct PolicyEvaluation {
    var policy: JSONValue
    var binding: JSONValue
    var request: AdmissionRequest
    var namespaceObject: JSONValue?
    var authorizer: PolicyAuthorizer

    private var spec: JSONValue { policy["spec"] ?? [:] }
    private var failsClosed: Bool { spec["failurePolicy"]?.stringValue != "Ignore" }

    func failures(params: Result<[JSONValue?], PolicyFailure>) -> [PolicyFailure] {
        switch params {
        case .failure(let failure): return failsClosed ? [failure] : []
        case .success(let objects): return objects.flatMap(failures(with:))
        }
    }

    private func failures(with params: JSONValue?) -> [PolicyFailure] {
        var activation = CELActivation(
            variables: [
                "object": request.object.map(CELValue.init(json:)) ?? .null,
                "oldObject": request.oldObject.map(CELValue.init(json:)) ?? .null,
                "request": CELValue(json: request.json),
                "params": params.map(CELValue.init(json:)) ?? .null,
                "namespaceObject": namespaceObject.map(CELValue.init(json:)) ?? .null,
                "variables": .map(CELMap()),
            ],
            authorizer: authorizer,
            requestResource: CELResourceAttributes(
                group: request.type.group, version: request.type.version, resource: request.type.plural,
                subresource: request.subresource, namespace: request.namespace, name: request.name))
        for (index, condition) in (spec["matchConditions"]?.arrayValue ?? []).enumerated() {
            let expression = condition["expression"]?.stringValue ?? ""
            switch Self.evaluate(expression, activation) {
            case .success(.bool(true)): continue
            case .success(.bool(false)): return []
            case .success, .failure:
                let name = condition["name"]?.stringValue ?? String(index)
                return failsClosed ? [PolicyFailure(message: "failed to evaluate matchCondition '\(name)': expression '\(expression)' did not evaluate to true")] : []
            }
        }
        activation.variables["variables"] = variables(activation)
        // The validations share one runtime cost budget (`RuntimeCELCostBudget`); going over it
        // is one error in place of every verdict, as the apiserver's filter answers.
        var budget = Self.runtimeBudget
        var found: [PolicyFailure] = []
        for (index, validation) in (spec["validations"]?.arrayValue ?? []).enumerated() {
            let (outcome, cost) = Self.evaluateTrackingCost(validation["expression"]?.stringValue ?? "", activation)
            guard cost <= budget else {
                return failsClosed ? [PolicyFailure(message: "validation failed due to running out of cost budget, no further validation rules will be run")] : []
            }
            budget -= cost
            if let failure = failure(of: validation, index: index, outcome, activation) { found.append(failure) }
        }
        return found
    }

    /// Kubernetes' `RuntimeCELCostBudget` for the validations of one policy under one binding.
    static let runtimeBudget: UInt64 = 10_000_000

    /// Variables in order, each seeing those before it; one that fails is left out, so that an
    /// expression using it fails where it is used, as the apiserver's lazy variables do.
    private func variables(_ activation: CELActivation) -> CELValue {
        var activation = activation
        var map = CELMap()
        for variable in spec["variables"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue, let expression = variable["expression"]?.stringValue,
                case .success(let value) = Self.evaluate(expression, activation)
            else { continue }
            _ = try? map.insert(.string(name), value)
            activation.variables["variables"] = .map(map)
        }
        return .map(map)
    }

    private func failure(
        of validation: JSONValue, index: Int, _ outcome: Result<CELValue, PolicyEvaluationError>, _ activation: CELActivation
    ) -> PolicyFailure? {
        let expression = validation["expression"]?.stringValue ?? ""
        let reason = validation["reason"]?.stringValue ?? "Invalid"
        switch outcome {
        case .success(.bool(true)):
            return nil
        case .success(.bool(false)):
            var message = validation["message"]?.stringValue ?? ""
            if let messageExpression = validation["messageExpression"]?.stringValue,
                case .success(.string(let text)) = Self.evaluate(messageExpression, activation),
                !text.trimmingCharacters(in: .whitespaces).isEmpty, !text.contains("\n")
            {
                message = text
            }
            if message.isEmpty { message = "failed expression: \(expression.trimmingCharacters(in: .whitespacesAndNewlines))" }
            return PolicyFailure(message: message, reason: reason, expressionIndex: index)
        case .success(let other):
            guard failsClosed else { return nil }
            return PolicyFailure(message: "expression '\(expression)' resulted in error: expected a bool, got \(other.type.rawValue)", expressionIndex: index)
        case .failure(let error):
            guard failsClosed else { return nil }
            return PolicyFailure(message: "expression '\(expression)' resulted in error: \(error)", expressionIndex: index)
        }
    }

    /// The outcome and its actual cost (each expression under the per-call limit, `PerCallLimit`).
    private static func evaluateTrackingCost(_ expression: String, _ activation: CELActivation) -> (Result<CELValue, PolicyEvaluationError>, UInt64) {
        do {
            let program = try CELEnvironment.admissionPolicy.compile(expression)
            let (outcome, cost) = program.evaluateTrackingCost(activation)
            return (outcome.mapError { PolicyEvaluationError(text: $0.message) }, cost)
        } catch {
            return (.failure(PolicyEvaluationError(text: error.celGoText)), 0)
        }
    }

    private static func evaluate(_ expression: String, _ activation: CELActivation) -> Result<CELValue, PolicyEvaluationError> {
        do {
            let program = try CELEnvironment.admissionPolicy.compile(expression)
            return .success(try program.evaluate(activation))
        } catch let error as CELCompileError {
            return .failure(PolicyEvaluationError(text: error.celGoText))
        } catch let error as CELEvalError {
            return .failure(PolicyEvaluationError(text: error.message))
        } catch {
            return .failure(PolicyEvaluationError(text: "\(error)"))
        }
    }
}

struct PolicyEvaluationError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}

/// `authorizer` in a policy's expressions: the request's user (or the named service account)
/// checked against the mock's RBAC; everything is allowed when the mock is open.
struct PolicyAuthorizer: CELAuthorizer {
    let authorizer: ClusterAuthorizer?
    let user: UserInfo

    func decide(_ check: CELAuthorizationCheck) -> CELAuthorizationDecision {
        guard let authorizer else { return .allowed }
        let subject = check.serviceAccount.map { MockCluster.serviceAccountUser(namespace: $0.namespace, name: $0.name) } ?? user
        let attributes: RequestAttributes
        switch check.target {
        case .path(let path):
            attributes = RequestAttributes(verb: check.verb, resource: nil, path: path)
        case .resource(let target):
            attributes = RequestAttributes(verb: check.verb, resource: RequestAttributes.Resource(
                group: target.group, version: target.version, resource: target.resource, subresource: target.subresource,
                namespace: target.namespace, name: target.name))
        }
        let decision = authorizer.decide(subject, attributes)
        return decision.allowed ? .allowed : .denied(reason: decision.reason)
    }
}
