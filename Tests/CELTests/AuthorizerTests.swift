import CEL
import JSON
import Synchronization
import Testing

/// An authorizer answering from a table of allowed checks, recording every question it is asked.
final class TableAuthorizer: CELAuthorizer {
    let allowed: [CELAuthorizationCheck]
    let failing: Bool
    private let asked = Mutex<[CELAuthorizationCheck]>([])

    init(allowed: [CELAuthorizationCheck], failing: Bool = false) {
        self.allowed = allowed
        self.failing = failing
    }

    var questions: [CELAuthorizationCheck] { asked.withLock { $0 } }

    func decide(_ check: CELAuthorizationCheck) -> CELAuthorizationDecision {
        asked.withLock { $0.append(check) }
        if failing { return .error("the RBAC cache is not synced") }
        return allowed.contains(check) ? .allowed : .denied(reason: "no RBAC rule allows \(check.verb)")
    }
}

@Suite struct AuthorizerTests {
    let updateWeb = CELAuthorizationCheck(
        serviceAccount: nil, verb: "update",
        target: .resource(CELResourceAttributes(group: "apps", resource: "deployments", namespace: "prod", name: "web")))

    func evaluate(_ expression: String, _ authorizer: TableAuthorizer, resource: CELResourceAttributes? = nil) throws -> CELValue {
        let program = try CELEnvironment.admissionPolicy.compile(expression)
        return try program.evaluate(CELActivation(variables: [:], authorizer: authorizer, requestResource: resource))
    }

    @Test func resourceChecksAskTheCallersAuthorizer() throws {
        let authorizer = TableAuthorizer(allowed: [updateWeb])
        let allowed = "authorizer.group('apps').resource('deployments').namespace('prod').name('web').check('update').allowed()"
        #expect(try evaluate(allowed, authorizer).json == true)
        #expect(try evaluate(allowed.replacingOccurrences(of: "'update'", with: "'delete'"), authorizer).json == false)
        #expect(authorizer.questions == [updateWeb, CELAuthorizationCheck(serviceAccount: nil, verb: "delete", target: updateWeb.target)])
    }

    @Test func deniedChecksGiveTheirReason() throws {
        let authorizer = TableAuthorizer(allowed: [])
        let decision = "authorizer.group('').resource('pods').check('list')"
        #expect(try evaluate("\(decision).reason()", authorizer).json == "no RBAC rule allows list")
        #expect(try evaluate("\(decision).errored()", authorizer).json == false)
    }

    @Test func authorizerErrorsAreDecisionsNotEvaluationErrors() throws {
        let authorizer = TableAuthorizer(allowed: [], failing: true)
        let decision = "authorizer.path('/healthz').check('get')"
        #expect(try evaluate("\(decision).allowed()", authorizer).json == false)
        #expect(try evaluate("\(decision).errored() && \(decision).error() == 'the RBAC cache is not synced'", authorizer).json == true)
        #expect(authorizer.questions.first == CELAuthorizationCheck(serviceAccount: nil, verb: "get", target: .path("/healthz")))
    }

    @Test func serviceAccountsAndTheRequestResourceAreAskedAbout() throws {
        let authorizer = TableAuthorizer(allowed: [])
        _ = try evaluate("authorizer.serviceAccount('ops', 'deployer').group('batch').resource('jobs').subresource('status').check('patch').allowed()", authorizer)
        let request = CELResourceAttributes(group: "apps", version: "v1", resource: "deployments", namespace: "prod", name: "web")
        _ = try evaluate("authorizer.requestResource.subresource('scale').check('update').allowed()", authorizer, resource: request)
        var scale = request
        scale.subresource = "scale"
        #expect(authorizer.questions == [
            CELAuthorizationCheck(
                serviceAccount: CELServiceAccount(namespace: "ops", name: "deployer"), verb: "patch",
                target: .resource(CELResourceAttributes(group: "batch", resource: "jobs", subresource: "status"))),
            CELAuthorizationCheck(serviceAccount: nil, verb: "update", target: .resource(scale)),
        ])
        #expect(CELServiceAccount(namespace: "ops", name: "deployer").userName == "system:serviceaccount:ops:deployer")
    }

    @Test func aPolicyWithoutAnAuthorizerFailsLoudly() throws {
        let program = try CELEnvironment.admissionPolicy.compile("authorizer.path('/x').check('get').allowed()")
        #expect(throws: CELEvalError("no authorizer is available for this evaluation", position: CELPosition(offset: 0, line: 1, column: 1))) {
            try program.evaluate(CELActivation())
        }
        #expect(throws: CELEvalError.self) {
            try evaluate("authorizer.requestResource.check('get').allowed()", TableAuthorizer(allowed: []))
        }
    }

    @Test func checksAreMisusedOnlyWithAnError() throws {
        let authorizer = TableAuthorizer(allowed: [])
        #expect(throws: CELEvalError.self) { try evaluate("authorizer.resource('pods')", authorizer) }
        #expect(throws: CELEvalError.self) { try evaluate("authorizer.group(1)", authorizer) }
        #expect(try evaluate("type(authorizer.group('apps')) == type(authorizer.group('')) ", authorizer).json == true)
        #expect(authorizer.questions.isEmpty)
    }
}
