import CEL
import Foundation
import JSON

/// ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1) enforced on create, update and
/// delete: every binding whose policy matches the request evaluates the policy's validations with
/// our CEL; a failure is denied (422 unless the validation names another reason), warned
/// (`Warning` header) or audited (`GET /mock/v1/audit`), as the binding's validationActions say.
/// auditAnnotations are compiled but not evaluated.
extension MockCluster {
    mutating func admit(_ object: JSONValue?, to route: ResourceRoute, previous: JSONValue?, request: APIRequest, now: Date) throws(APIError) {
        if route.type.id == AccessTypes.validatingAdmissionPolicies.id, let object {
            try Self.checkPolicyExpressions(object, name: route.key.name)
        }
        let bindings = store.list(AccessTypes.validatingAdmissionPolicyBindings.id, namespace: nil)
        guard !bindings.isEmpty else { return }
        let admission = AdmissionRequest(
            operation: object == nil ? "DELETE" : previous == nil ? "CREATE" : "UPDATE", type: route.type,
            subresource: route.subresource ?? "", namespace: route.key.namespace, name: route.key.name, object: object,
            oldObject: previous, user: user(of: request, now: now) ?? Self.anonymous, dryRun: request.isDryRun)
        let namespaceObject = admission.namespace.isEmpty
            ? nil : store.get(BuiltInTypes.namespaces.id, ObjectKey(namespace: "", name: admission.namespace))?.value
        let labelsSource = route.type.id == BuiltInTypes.namespaces.id ? (object ?? previous) : namespaceObject
        let match = AdmissionMatch(
            request: admission,
            namespaceLabels: labelsSource.map { $0[path: ["metadata", "labels"]]?.objectValue ?? [:] })
        for binding in bindings {
            guard let policyName = binding.value[path: ["spec", "policyName"]]?.stringValue,
                let policy = store.get(AccessTypes.validatingAdmissionPolicies.id, ObjectKey(namespace: "", name: policyName))?.value,
                match.matches(policy[path: ["spec", "matchConstraints"]], rulesRequired: true),
                match.matches(binding.value[path: ["spec", "matchResources"]], rulesRequired: false)
            else { continue }
            let evaluation = PolicyEvaluation(
                policy: policy, binding: binding.value, request: admission, namespaceObject: namespaceObject,
                authorizer: PolicyAuthorizer(authorizer: authorizer(), user: admission.user))
            let failures = evaluation.failures(params: paramObjects(policy, binding.value, admission))
            try act(on: failures, policy: policyName, binding: binding.value, admission, now: now)
        }
    }

    /// Deny throws the apiserver's error; Warn and Audit record and let the request go on.
    private mutating func act(
        on failures: [PolicyFailure], policy: String, binding: JSONValue, _ admission: AdmissionRequest, now: Date
    ) throws(APIError) {
        let bindingName = binding[path: ["metadata", "name"]]?.stringValue ?? ""
        let actions = (binding[path: ["spec", "validationActions"]]?.arrayValue ?? []).compactMap(\.stringValue)
        for failure in failures {
            if actions.contains("Warn") {
                warnings.append("Validation failed for ValidatingAdmissionPolicy '\(policy)' with binding '\(bindingName)': \(failure.message)")
            }
            if actions.contains("Audit") {
                admissionAudit.record(failure, policy: policy, binding: bindingName, actions: actions, admission, now: now)
            }
        }
        guard actions.contains("Deny"), let denied = failures.first else { return }
        throw .admissionDenied("ValidatingAdmissionPolicy '\(policy)' with binding '\(bindingName)' denied request: \(denied.message)",
                               reason: denied.reason, admission)
    }

    /// The objects `params` takes, one evaluation each: none needed (`[nil]`), those the binding's
    /// paramRef finds, or a failure to report when it finds none.
    private func paramObjects(_ policy: JSONValue, _ binding: JSONValue, _ admission: AdmissionRequest) -> Result<[JSONValue?], PolicyFailure> {
        guard let paramKind = policy[path: ["spec", "paramKind"]] else { return .success([nil]) }
        guard let reference = binding[path: ["spec", "paramRef"]] else {
            return .failure(PolicyFailure(message: "failed to configure binding: paramRef is required for a policy with paramKind"))
        }
        guard let type = allTypes.first(where: {
            $0.isStored && $0.apiVersion == paramKind["apiVersion"]?.stringValue && $0.kind == paramKind["kind"]?.stringValue
        }) else {
            return .failure(PolicyFailure(message: "failed to configure policy: failed to find resource referenced by paramKind: '\(paramKind["apiVersion"]?.stringValue ?? "")/\(paramKind["kind"]?.stringValue ?? "")'"))
        }
        let namespace = type.namespaced ? reference["namespace"]?.stringValue ?? admission.namespace : ""
        var found: [JSONValue] = []
        if type.namespaced && namespace.isEmpty {
            found = []
        } else if let name = reference["name"]?.stringValue {
            found = store.get(type.id, ObjectKey(namespace: namespace, name: name)).map { [$0.value] } ?? []
        } else {
            let selector = LabelSelector(object: reference["selector"])
            found = store.list(type.id, namespace: type.namespaced ? namespace : nil).filter { selector.matches($0.labels) }.map(\.value)
        }
        if !found.isEmpty { return .success(found) }
        if reference["parameterNotFoundAction"]?.stringValue == "Allow" { return .success([]) }
        return .failure(PolicyFailure(message: "no params found for policy binding with `Deny` parameterNotFoundAction"))
    }

    /// Every expression of a policy must compile in our CEL subset, or the policy is refused as
    /// the apiserver refuses one that fails its type check.
    static func checkPolicyExpressions(_ policy: JSONValue, name: String) throws(APIError) {
        var causes: [(field: String, detail: String)] = []
        let spec = policy["spec"] ?? [:]
        let lists = [("validations", "expression"), ("validations", "messageExpression"), ("matchConditions", "expression"),
                     ("variables", "expression"), ("auditAnnotations", "valueExpression")]
        for (list, key) in lists {
            for (index, entry) in (spec[list]?.arrayValue ?? []).enumerated() {
                let field = "spec.\(list)[\(index)].\(key)"
                guard let expression = entry[key]?.stringValue else {
                    if key == "expression" { causes.append((field, "Required value: expression is not specified")) }
                    continue
                }
                do {
                    _ = try CELEnvironment.admissionPolicy.compile(expression)
                } catch {
                    causes.append((field, "Invalid value: \(goQuoted(expression)): compilation failed: \(error.celGoText)"))
                }
            }
        }
        if (spec["validations"]?.arrayValue ?? []).isEmpty && (spec["auditAnnotations"]?.arrayValue ?? []).isEmpty {
            causes.append(("spec.validations", "Required value: validations or auditAnnotations must contain at least one item"))
        }
        guard !causes.isEmpty else { return }
        throw .invalid(AccessTypes.validatingAdmissionPolicies, name, causes: causes)
    }
}

extension CELCompileError {
    /// As cel-go prints its issues: `ERROR: <input>:1:5: message`, the line, a caret.
    var celGoText: String {
        diagnostics.map { diagnostic in
            let caret = String(repeating: ".", count: max(0, diagnostic.position.column - 1)) + "^"
            return "ERROR: <input>:\(diagnostic.position.line):\(diagnostic.position.column): \(diagnostic.message)\n | \(diagnostic.sourceLine)\n | \(caret)"
        }.joined(separator: "\n")
    }
}

extension APIError {
    /// A 422 with one cause per field, the apiserver's aggregate message when there are several.
    static func invalid(_ type: ResourceType, _ name: String, causes: [(field: String, detail: String)]) -> APIError {
        let qualifiedKind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        let texts = causes.map { "\($0.field): \($0.detail)" }
        let summary = texts.count == 1 ? texts[0] : "[\(texts.joined(separator: ", "))]"
        var details = type.details(name)
        details["causes"] = .array(causes.map { cause in
            let reason = cause.detail.hasPrefix("Required value") ? "FieldValueRequired" : "FieldValueInvalid"
            return ["reason": .string(reason), "message": .string(cause.detail), "field": .string(cause.field)]
        })
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(summary)", details: details)
    }

    /// A policy's denial: admission's `forbidden` wording, with the validation's reason and code.
    static func admissionDenied(_ message: String, reason: String, _ admission: AdmissionRequest) -> APIError {
        let name = admission.name.isEmpty ? admission.object?[path: ["metadata", "name"]]?.stringValue ?? "" : admission.name
        let type = admission.type
        let qualified = type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)"
        let prefix = name.isEmpty ? "\(qualified) is forbidden: " : "\(qualified) \(goQuoted(name)) is forbidden: "
        var details: JSONValue = ["kind": .string(type.plural), "causes": [["message": .string(message)]]]
        if !name.isEmpty { details["name"] = .string(name) }
        if !type.group.isEmpty { details["group"] = .string(type.group) }
        let code = ["Forbidden": 403, "Unauthorized": 401, "RequestEntityTooLarge": 413][reason] ?? 422
        return APIError(code: code, reason: reason, message: prefix + message, details: details)
    }
}

/// The last hundred failures bindings with the Audit action recorded, oldest first.
struct AdmissionAuditLog: Sendable {
    private(set) var entries: [JSONValue] = []

    mutating func record(_ failure: PolicyFailure, policy: String, binding: String, actions: [String], _ admission: AdmissionRequest, now: Date) {
        entries.append([
            "time": .string(timestamp(now)), "policy": .string(policy), "binding": .string(binding),
            "expressionIndex": failure.expressionIndex.map { .int($0) } ?? .null, "message": .string(failure.message),
            "validationActions": .array(actions.map(JSONValue.string)), "operation": .string(admission.operation),
            "resource": .string(admission.type.qualifiedPlural), "namespace": .string(admission.namespace),
            "name": .string(admission.name), "user": .string(admission.user.name),
        ])
        if entries.count > 100 { entries.removeFirst(entries.count - 100) }
    }
}
