import Foundation
import JSON
import Testing
@testable import MockCluster

/// ValidatingAdmissionPolicies and their bindings, enforced on writes with our CEL.
@Suite(.tags(.unit)) struct AdmissionPolicyTests {
    static let policies = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies"
    static let bindings = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings"
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static func policy(
        _ name: String, validations: JSONValue, resources: JSONValue = ["deployments"], group: String = "apps",
        operations: JSONValue = ["CREATE", "UPDATE"], extra: JSONValue = [:]
    ) -> JSONValue {
        var spec: JSONValue = [
            "failurePolicy": "Fail",
            "matchConstraints": ["resourceRules": [[
                "apiGroups": [.string(group)], "apiVersions": ["*"], "operations": operations, "resources": resources,
            ]]],
            "validations": validations,
        ]
        for (key, value) in extra.objectValue ?? [:] { spec[key] = value }
        return ["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func binding(_ name: String, policy: String, actions: JSONValue = ["Deny"], extra: JSONValue = [:]) -> JSONValue {
        var spec: JSONValue = ["policyName": .string(policy), "validationActions": actions]
        for (key, value) in extra.objectValue ?? [:] { spec[key] = value }
        return ["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": ["name": .string(name)], "spec": spec]
    }

    static let replicaLimit = policy("replica-limit", validations: [["expression": "object.spec.replicas <= 5", "message": "at most 5 replicas"]])

    @Test func aDeniedCreateGetsTheApiserversStatus() {
        var harness = Harness()
        #expect(harness.send("POST", Self.policies, Self.replicaLimit).status == 201)
        #expect(harness.send("POST", Self.bindings, Self.binding("replica-limit-binding", policy: "replica-limit")).status == 201)
        #expect(harness.send("POST", Self.deployments, Harness.deployment("small", replicas: 5)).status == 201)
        let denied = harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 6))
        #expect(denied.status == 422)
        let message = "ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-binding' denied request: at most 5 replicas"
        #expect(denied.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "reason": "Invalid", "code": 422,
            "message": .string(#"deployments.apps "web" is forbidden: "# + message),
            "details": ["name": "web", "group": "apps", "kind": "deployments", "causes": [["message": .string(message)]]],
        ])
        #expect(harness.get(Self.deployments + "/web")["kind"] == "Status")
        // Updates are checked too; the scale subresource is another resource, not matched here.
        let patch = harness.send("PATCH", Self.deployments + "/small", ["spec": ["replicas": 9]], contentType: "application/merge-patch+json")
        #expect(patch.status == 422)
    }

    @Test func warnAndAuditLetTheRequestThroughAndSaySo() {
        var harness = Harness()
        harness.send("POST", Self.policies, Self.replicaLimit)
        harness.send("POST", Self.bindings, Self.binding("warn", policy: "replica-limit", actions: ["Warn", "Audit"]))
        let created = harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 6))
        #expect(created.status == 201)
        #expect(created.response.warnings == ["Validation failed for ValidatingAdmissionPolicy 'replica-limit' with binding 'warn': at most 5 replicas"])
        let audit = harness.get("/mock/v1/audit")["items"]?.arrayValue ?? []
        #expect(audit.count == 1)
        #expect(audit.first?["message"] == "at most 5 replicas")
        #expect(audit.first?["binding"] == "warn")
        #expect(audit.first?["operation"] == "CREATE")
        #expect(harness.send("POST", Self.deployments, Harness.deployment("small", replicas: 1)).response.warnings.isEmpty)
    }

    @Test func messageExpressionReasonMatchConditionsAndVariables() {
        var harness = Harness()
        let policy = Self.policy("named", validations: [[
            "expression": "variables.prefixed", "messageExpression": "'name ' + object.metadata.name + ' must start with ' + variables.prefix",
            "reason": "Forbidden",
        ]], extra: [
            "variables": [["name": "prefix", "expression": "'team-'"], ["name": "prefixed", "expression": "object.metadata.name.startsWith(variables.prefix)"]],
            "matchConditions": [["name": "labelled", "expression": "has(object.metadata.labels) && 'app' in object.metadata.labels"]],
        ])
        #expect(harness.send("POST", Self.policies, policy).status == 201)
        harness.send("POST", Self.bindings, Self.binding("named", policy: "named"))
        let denied = harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 1))
        #expect(denied.status == 403)
        #expect(denied.json["reason"] == "Forbidden")
        #expect(denied.json["message"] == #"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'named' with binding 'named' denied request: name web must start with team-"#)
        #expect(harness.send("POST", Self.deployments, Harness.deployment("team-web", replicas: 1)).status == 201)
        var unlabelled = Harness.deployment("plain", replicas: 1)
        unlabelled[path: ["metadata", "labels"]] = nil
        #expect(harness.send("POST", Self.deployments, unlabelled).status == 201)
    }

    @Test func paramsComeFromTheBindingsParamRef() {
        var harness = Harness()
        let policy = Self.policy("limit", validations: [["expression": "object.spec.replicas <= int(params.data.max)"]],
                                 extra: ["paramKind": ["apiVersion": "v1", "kind": "ConfigMap"]])
        harness.send("POST", Self.policies, policy)
        harness.send("POST", Self.bindings, Self.binding("limit", policy: "limit", extra: [
            "paramRef": ["name": "limits", "namespace": "default", "parameterNotFoundAction": "Deny"],
        ]))
        let missing = harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 1))
        #expect(missing.json["message"] == #"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'limit' with binding 'limit' denied request: no params found for policy binding with `Deny` parameterNotFoundAction"#)
        harness.send("POST", "/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "limits"], "data": ["max": "3"]])
        #expect(harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 3)).status == 201)
        let over = harness.send("POST", Self.deployments, Harness.deployment("big", replicas: 4))
        #expect(over.json[path: ["details", "causes"]] == [["message": "ValidatingAdmissionPolicy 'limit' with binding 'limit' denied request: failed expression: object.spec.replicas <= int(params.data.max)"]])
    }

    @Test func namespaceSelectorsAndDeletes() {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "prod", "labels": ["env": "prod"]]])
        let policy = Self.policy("keep", validations: [["expression": "false", "message": "production deployments stay"]],
                                 operations: ["DELETE"], extra: [:])
        harness.send("POST", Self.policies, policy)
        harness.send("POST", Self.bindings, Self.binding("keep-prod", policy: "keep", extra: ["matchResources": ["namespaceSelector": ["matchLabels": ["env": "prod"]]]]))
        harness.send("POST", "/apis/apps/v1/namespaces/prod/deployments", Harness.deployment("web", replicas: 1))
        harness.send("POST", Self.deployments, Harness.deployment("web", replicas: 1))
        #expect(harness.send("DELETE", Self.deployments + "/web").status == 200)
        let refused = harness.send("DELETE", "/apis/apps/v1/namespaces/prod/deployments/web")
        #expect(refused.status == 422)
        #expect(refused.json["message"] == #"deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'keep' with binding 'keep-prod' denied request: production deployments stay"#)
        #expect(harness.send("DELETE", "/apis/apps/v1/namespaces/prod/deployments").status == 422)
        #expect(harness.get("/apis/apps/v1/namespaces/prod/deployments/web")["kind"] == "Deployment")
    }

    @Test func aPolicyOutsideOurCELIsRefusedAtCreation() {
        var harness = Harness()
        let policy = Self.policy("bad", validations: [["expression": "object.spec.replicas < limit"]])
        let refused = harness.send("POST", Self.policies, policy)
        #expect(refused.status == 422)
        let detail = #"Invalid value: "object.spec.replicas < limit": compilation failed: ERROR: <input>:1:24: undeclared reference to 'limit' (the variables here are authorizer, namespaceObject, object, oldObject, params, request, variables)"#
            + "\n | object.spec.replicas < limit\n | .......................^"
        #expect(refused.json["message"] == .string(#"ValidatingAdmissionPolicy.admissionregistration.k8s.io "bad" is invalid: spec.validations[0].expression: "# + detail))
        #expect(refused.json[path: ["details", "causes"]] == [["reason": "FieldValueInvalid", "message": .string(detail), "field": "spec.validations[0].expression"]])
        #expect(harness.get(Self.policies + "/bad")["kind"] == "Status")
    }

    /// The pattern the chart's Approval policy uses: the approver is the requester, and RBAC lets
    /// them `approve` approvals in the namespace.
    @Test func approvalsAreByTheRequesterAndNeedTheApproveVerb() throws {
        var harness = try Harness.authorizing()
        harness.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "approvals.ops.hms.gov"],
            "spec": ["group": "ops.hms.gov", "scope": "Namespaced",
                     "names": ["kind": "Approval", "plural": "approvals", "singular": "approval"],
                     "versions": [["name": "v1alpha1", "served": true, "storage": true,
                                   "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]],
        ])
        harness.create(Self.policies, Self.policy("approver-is-requester", validations: [
            ["expression": "object.spec.approvedBy == request.userInfo.username",
             "messageExpression": "'spec.approvedBy must be ' + request.userInfo.username"],
            ["expression": "authorizer.group('ops.hms.gov').resource('approvals').namespace(object.metadata.namespace).check('approve').allowed()",
             "message": "the requester may not approve in this namespace", "reason": "Forbidden"],
        ], resources: ["approvals"], group: "ops.hms.gov"))
        harness.create(Self.bindings, Self.binding("approver-is-requester", policy: "approver-is-requester"))
        harness.grant([["kind": "Group", "name": "system:authenticated"]], role: "approval-writer",
                      rules: [["apiGroups": ["ops.hms.gov"], "resources": ["approvals"], "verbs": ["create"]]])
        harness.grant([["kind": "User", "name": "alice"]], role: "approver", rules: [["apiGroups": ["ops.hms.gov"], "resources": ["approvals"], "verbs": ["approve"]]])
        func approval(_ name: String, by approver: String) -> JSONValue {
            ["apiVersion": "ops.hms.gov/v1alpha1", "kind": "Approval", "metadata": ["name": .string(name)],
             "spec": ["action": "scale web", "approvedBy": .string(approver), "expiresAt": "2027-01-01T00:00:00Z"]]
        }
        let approvals = "/apis/ops.hms.gov/v1alpha1/namespaces/default/approvals"
        #expect(harness.send("POST", approvals, approval("a1", by: "alice"), token: "alice-token").status == 201)
        let impostor = harness.send("POST", approvals, approval("a2", by: "bob"), token: "alice-token")
        #expect(impostor.status == 422)
        #expect(impostor.json["message"] == #"approvals.ops.hms.gov "a2" is forbidden: ValidatingAdmissionPolicy 'approver-is-requester' with binding 'approver-is-requester' denied request: spec.approvedBy must be alice"#)
        let unauthorized = harness.send("POST", approvals, approval("a3", by: "victor"), token: "victor-token")
        #expect(unauthorized.status == 403)
        #expect(unauthorized.json["message"] == #"approvals.ops.hms.gov "a3" is forbidden: ValidatingAdmissionPolicy 'approver-is-requester' with binding 'approver-is-requester' denied request: the requester may not approve in this namespace"#)
    }
}
