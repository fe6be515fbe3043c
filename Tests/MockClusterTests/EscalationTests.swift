import Foundation
import JSON
@testable import MockCluster
import Testing

/// RBAC's escalation prevention under `--authorize`: a Role grants, and a binding binds, only what
/// its writer holds, unless the writer may `escalate` or `bind`; 403 with the apiserver's message.
@Suite(.tags(.unit)) struct EscalationTests {
    static let rbac = "/apis/rbac.authorization.k8s.io/v1"
    static let roles = rbac + "/namespaces/default/roles"
    static let bindings = rbac + "/namespaces/default/rolebindings"

    /// alice may write Roles and RoleBindings in `default`, and read pods there.
    private static func harness(extra: JSONValue = []) throws -> Harness {
        var harness = try Harness.authorizing()
        let rules: JSONValue = .array([
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create", "update", "patch", "get"]],
            ["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]],
        ] + (extra.arrayValue ?? []))
        harness.grant([["kind": "User", "name": "alice"]], role: "rbac-writer", rules: rules)
        return harness
    }

    private static func role(_ name: String, _ rules: JSONValue) -> JSONValue {
        ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": .string(name), "namespace": "default"], "rules": rules]
    }

    private static func binding(_ name: String, kind: String, role: String) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": .string(name), "namespace": "default"],
            "subjects": [["kind": "User", "name": "bob", "apiGroup": "rbac.authorization.k8s.io"]],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(kind), "name": .string(role)],
        ]
    }

    @Test func aRoleGrantingWhatItsWriterLacksIsForbidden() throws {
        var harness = try Self.harness()
        let sneaky = Self.role("sneaky", [["apiGroups": [""], "resources": ["secrets", "pods"], "verbs": ["get", "list"]]])
        let answer = harness.send("POST", Self.roles, sneaky, token: "alice-token")
        #expect(answer.status == 403)
        #expect(answer.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "reason": "Forbidden", "code": 403,
            "message": """
                roles.rbac.authorization.k8s.io "sneaky" is forbidden: user "alice" (groups=["ops" "system:authenticated"]) \
                is attempting to grant RBAC permissions not currently held:
                {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
                """,
            "details": ["name": "sneaky", "group": "rbac.authorization.k8s.io", "kind": "roles"],
        ])
        let fair = Self.role("fair", [["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]])
        #expect(harness.send("POST", Self.roles, fair, token: "alice-token").status == 201)
        // The administrator (system:masters) holds everything.
        #expect(harness.send("POST", Self.roles, sneaky, token: MockCluster.adminToken).status == 201)
    }

    @Test func updatingARoleChecksAllItsRulesButNotAGarbageCollectionChange() throws {
        var harness = try Self.harness()
        harness.create(Self.roles, Self.role("wide", [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]]]))
        let labelled = harness.send("PATCH", Self.roles + "/wide", ["metadata": ["labels": ["team": "a"]]], token: "alice-token",
                                    contentType: "application/merge-patch+json")
        #expect(labelled.status == 403)
        #expect(labelled.json["message"]?.stringValue?.hasSuffix(#"{APIGroups:["apps"], Resources:["deployments"], Verbs:["*"]}"#) == true)
        let finalizer = harness.send("PATCH", Self.roles + "/wide", ["metadata": ["finalizers": ["example.com/keep"]]], token: "alice-token",
                                     contentType: "application/merge-patch+json")
        #expect(finalizer.status == 200)
    }

    @Test func theEscalateVerbLetsARoleGrantMore() throws {
        var harness = try Self.harness(extra: [["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]]])
        let sneaky = Self.role("sneaky", [["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]])
        #expect(harness.send("POST", Self.roles, sneaky, token: "alice-token").status == 201)
    }

    @Test func aBindingToARoleItsWriterDoesNotHoldIsForbidden() throws {
        var harness = try Self.harness()
        let admin = harness.send("POST", Self.bindings, Self.binding("bob-admin", kind: "ClusterRole", role: "cluster-admin"), token: "alice-token")
        #expect(admin.status == 403)
        #expect(admin.json["message"] == """
            rolebindings.rbac.authorization.k8s.io "bob-admin" is forbidden: user "alice" (groups=["ops" "system:authenticated"]) \
            is attempting to grant RBAC permissions not currently held:
            {APIGroups:["*"], Resources:["*"], Verbs:["*"]}
            {NonResourceURLs:["*"], Verbs:["*"]}
            """)
        #expect(admin.json["details"] == ["name": "bob-admin", "group": "rbac.authorization.k8s.io", "kind": "rolebindings"])
        let ghost = harness.send("POST", Self.bindings, Self.binding("bob-ghost", kind: "Role", role: "ghost"), token: "alice-token")
        #expect(ghost.status == 403)
        #expect(ghost.json["message"] == #"rolebindings.rbac.authorization.k8s.io "bob-ghost" is forbidden: roles.rbac.authorization.k8s.io "ghost" not found"#)
        harness.create(Self.roles, Self.role("reader", [["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]]]))
        #expect(harness.send("POST", Self.bindings, Self.binding("bob-reader", kind: "Role", role: "reader"), token: "alice-token").status == 201)
    }

    @Test func theBindVerbOnARoleLetsABindingBindIt() throws {
        var harness = try Self.harness(extra: [
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["cluster-admin"]],
        ])
        let admin = harness.send("POST", Self.bindings, Self.binding("bob-admin", kind: "ClusterRole", role: "cluster-admin"), token: "alice-token")
        #expect(admin.status == 201)
    }
}
