import Foundation
import JSON
import Testing
@testable import MockCluster

extension Harness {
    /// A cluster started with `--authorize`, alice and victor known by their tokens.
    static func authorizing() throws -> Harness {
        var harness = Harness()
        var settings = MockCluster.Settings()
        settings.authorize = true
        settings.access = try AccessTables(parsing: [
            "tokens": [
                ["token": "alice-token", "user": "alice", "groups": ["ops"]],
                ["token": "victor-token", "user": "victor"],
                ["token": "root-token", "user": "root", "groups": ["system:masters"]],
            ],
        ])
        harness.cluster = MockCluster(settings: settings, now: harness.now)
        return harness
    }

    /// A request with `Authorization: Bearer token` (none when nil).
    @discardableResult
    mutating func send(
        _ method: String, _ target: String, _ body: JSONValue? = nil, token: String?, contentType: String = "application/json"
    ) -> (status: Int, json: JSONValue, response: APIResponse) {
        var headers = ["content-type": contentType, "accept": "application/json"]
        if let token { headers["authorization"] = "Bearer \(token)" }
        let response = cluster.handle(APIRequest(method: method, target: target, headers: headers, body: body?.jsonBytes ?? []), now: now)
        return (response.status, (try? JSONValue(parsing: response.bodyBytes)) ?? .null, response)
    }

    /// Creates an object as the administrator of the kubeconfig the mock writes.
    mutating func create(_ collection: String, _ object: JSONValue) {
        let answer = send("POST", collection, object, token: MockCluster.adminToken)
        #expect(answer.status == 201, "\(answer.json)")
    }

    mutating func grant(_ subjects: JSONValue, role: String, rules: JSONValue, namespace: String? = "default") {
        let metadata: JSONValue = namespace.map { ["name": .string(role), "namespace": .string($0)] } ?? ["name": .string(role)]
        let base = "/apis/rbac.authorization.k8s.io/v1" + (namespace.map { "/namespaces/\($0)" } ?? "")
        let kind = namespace == nil ? "ClusterRole" : "Role"
        create(base + (namespace == nil ? "/clusterroles" : "/roles"),
               ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": metadata, "rules": rules])
        create(base + (namespace == nil ? "/clusterrolebindings" : "/rolebindings"), [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(namespace == nil ? "ClusterRoleBinding" : "RoleBinding"),
            "metadata": metadata, "subjects": subjects,
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(kind), "name": .string(role)],
        ])
    }
}

/// `--authorize`: tokens authenticate, RBAC from the stored roles and bindings authorizes, with
/// the apiserver's 401 and 403 bodies.
@Suite(.tags(.unit)) struct AuthorizationTests {
    static let web = Harness.deployment("web", replicas: 2)

    @Test func aRequestWithoutAKnownTokenIsUnauthorized() throws {
        var harness = try Harness.authorizing()
        let expected: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized",
            "reason": "Unauthorized", "code": 401,
        ]
        for token in [nil, "guess"] {
            let answer = harness.send("GET", "/api/v1/namespaces/default/pods", token: token)
            #expect(answer.status == 401)
            #expect(answer.json == expected)
        }
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods", token: MockCluster.adminToken).status == 200)
    }

    @Test func aForbiddenRequestGetsTheApiserversMessageAndDetails() throws {
        var harness = try Harness.authorizing()
        harness.create("/apis/apps/v1/namespaces/default/deployments", Self.web)
        let patch = harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", ["spec": ["replicas": 3]],
                                 token: "alice-token", contentType: "application/merge-patch+json")
        #expect(patch.status == 403)
        #expect(patch.json == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "reason": "Forbidden", "code": 403,
            "message": #"deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments" in API group "apps" in the namespace "default""#,
            "details": ["name": "web", "group": "apps", "kind": "deployments"],
        ])
        let pods = harness.send("GET", "/api/v1/pods", token: "alice-token")
        #expect(pods.json["message"] == #"pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope"#)
        #expect(pods.json["details"] == ["kind": "pods"])
        let scale = harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", token: "alice-token")
        #expect(scale.json["message"] == #"deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments/scale" in API group "apps" in the namespace "default""#)
        let path = harness.send("GET", "/metrics", token: "alice-token")
        #expect(path.status == 403)
        #expect(path.json["message"] == #"forbidden: User "alice" cannot get path "/metrics""#)
        #expect(path.json["details"] == [:])
    }

    @Test func discoveryHealthAndSelfReviewsAreOpenToEveryAuthenticatedUser() throws {
        var harness = try Harness.authorizing()
        for path in ["/api", "/apis", "/apis/apps/v1", "/version", "/healthz", "/openapi/v3"] {
            #expect(harness.send("GET", path, token: "victor-token").status == 200, "\(path)")
        }
        let review = harness.send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                  ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"], token: "alice-token")
        #expect(review.status == 201)
        #expect(review.json[path: ["status", "userInfo"]] == ["username": "alice", "uid": "mock-uid-alice", "groups": ["ops", "system:authenticated"]])
    }

    @Test func rolesGrantVerbsOnResourcesAndNamesInTheirNamespaceOnly() throws {
        var harness = try Harness.authorizing()
        harness.create("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
        for namespace in ["default", "other"] {
            for name in ["web", "api"] {
                harness.create("/apis/apps/v1/namespaces/\(namespace)/deployments", Harness.deployment(name, replicas: 1))
            }
        }
        harness.grant([["kind": "User", "name": "alice"]], role: "web-scaler", rules: [
            ["apiGroups": ["apps"], "resources": ["deployments/scale"], "resourceNames": ["web"], "verbs": ["get", "update", "patch"]],
            ["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list", "watch"]],
        ])
        let scale = "/apis/apps/v1/namespaces/default/deployments/web/scale"
        #expect(harness.send("GET", scale, token: "alice-token").status == 200)
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/api/scale", token: "alice-token").status == 403)
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/other/deployments/web/scale", token: "alice-token").status == 403)
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/default/deployments", token: "alice-token").status == 200)
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/default/deployments?watch=1", token: "alice-token").status == 200)
        // The main resource is not its subresource.
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/web", token: "alice-token").status == 403)
        #expect(harness.send("GET", scale, token: "victor-token").status == 403)
    }

    @Test func clusterBindingsGroupsWildcardsAndClusterRolesBoundInANamespace() throws {
        var harness = try Harness.authorizing()
        harness.create("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
        harness.grant([["kind": "Group", "name": "ops"]], role: "reader", rules: [["apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]]], namespace: nil)
        #expect(harness.send("GET", "/api/v1/pods", token: "alice-token").status == 200)
        #expect(harness.send("GET", "/apis/apps/v1/namespaces/other/deployments", token: "alice-token").status == 200)
        #expect(harness.send("DELETE", "/api/v1/namespaces/other", token: "alice-token").status == 403)
        #expect(harness.send("GET", "/api/v1/pods", token: "victor-token").status == 403)
        // A RoleBinding to a ClusterRole grants its rules in the binding's namespace only.
        harness.create("/apis/rbac.authorization.k8s.io/v1/namespaces/other/rolebindings", [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "victor-reads", "namespace": "other"],
            "subjects": [["kind": "User", "name": "victor"]], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"],
        ])
        #expect(harness.send("GET", "/api/v1/namespaces/other/configmaps", token: "victor-token").status == 200)
        #expect(harness.send("GET", "/api/v1/namespaces/default/configmaps", token: "victor-token").status == 403)
        #expect(harness.send("DELETE", "/api/v1/namespaces/other", token: "root-token").status == 200)
    }

    @Test func aBindingToAMissingRoleIsTheReasonOfTheRefusal() throws {
        var harness = try Harness.authorizing()
        harness.create("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "dangling", "namespace": "default"],
            "subjects": [["kind": "User", "name": "victor"]], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gone"],
        ])
        let answer = harness.send("GET", "/api/v1/namespaces/default/configmaps", token: "victor-token")
        #expect(answer.json["message"] == #"configmaps is forbidden: User "victor" cannot list resource "configmaps" in API group "" in the namespace "default": RBAC: role.rbac.authorization.k8s.io "gone" not found"#)
    }

    @Test func serviceAccountTokensAuthenticateUntilTheyExpireOrTheAccountGoes() throws {
        var harness = try Harness.authorizing()
        harness.create("/api/v1/namespaces/default/serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot"]])
        harness.grant([["kind": "ServiceAccount", "name": "robot"]], role: "config-reader", rules: [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]]])
        let tokenPath = "/api/v1/namespaces/default/serviceaccounts/robot/token"
        let request: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 600]]
        let short = harness.send("POST", tokenPath, ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 599]], token: MockCluster.adminToken)
        #expect(short.status == 422)
        #expect(short.json["message"] == #"TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes"#)
        #expect(harness.send("POST", tokenPath, request, token: "alice-token").json["message"]
            == #"serviceaccounts "robot" is forbidden: User "alice" cannot create resource "serviceaccounts/token" in API group "" in the namespace "default""#)
        let minted = harness.send("POST", tokenPath, request, token: MockCluster.adminToken)
        #expect(minted.status == 201)
        #expect(minted.json["kind"] == "TokenRequest")
        #expect(minted.json[path: ["status", "expirationTimestamp"]] == .string(timestamp(harness.now + 600)))
        let token = minted.json[path: ["status", "token"]]?.stringValue ?? ""
        #expect(token.count > 30)
        let whoami = harness.send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"], token: token)
        #expect(whoami.json[path: ["status", "userInfo", "username"]] == "system:serviceaccount:default:robot")
        #expect(whoami.json[path: ["status", "userInfo", "groups"]] == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
        #expect(harness.send("GET", "/api/v1/namespaces/default/configmaps", token: token).status == 200)
        #expect(harness.send("GET", "/api/v1/namespaces/default/secrets", token: token).status == 403)
        harness.now += 601
        #expect(harness.send("GET", "/api/v1/namespaces/default/configmaps", token: token).status == 401)
        let second = harness.send("POST", tokenPath, request, token: MockCluster.adminToken).json[path: ["status", "token"]]?.stringValue ?? ""
        #expect(second != token)
        #expect(harness.send("DELETE", "/api/v1/namespaces/default/serviceaccounts/robot", token: MockCluster.adminToken).status == 200)
        #expect(harness.send("GET", "/api/v1/namespaces/default/configmaps", token: second).status == 401)
    }

    static func accessReview(_ kind: String, verb: String, user: String? = nil) -> JSONValue {
        var spec: JSONValue = ["resourceAttributes": ["group": "apps", "resource": "deployments", "verb": .string(verb), "namespace": "default"]]
        if let user { spec["user"] = .string(user) }
        return ["apiVersion": "authorization.k8s.io/v1", "kind": .string(kind), "spec": spec]
    }

    @Test func accessReviewsAnswerFromTheSameRBAC() throws {
        var harness = try Harness.authorizing()
        let selfReview = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
        #expect(harness.send("POST", selfReview, Self.accessReview("SelfSubjectAccessReview", verb: "patch"), token: "alice-token").json["status"] == ["allowed": false])
        harness.grant([["kind": "User", "name": "alice"]], role: "deployer", rules: [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]]])
        let allowed = harness.send("POST", selfReview, Self.accessReview("SelfSubjectAccessReview", verb: "patch"), token: "alice-token")
        #expect(allowed.status == 201)
        #expect(allowed.json["status"] == ["allowed": true, "reason": #"RBAC: allowed by RoleBinding "deployer/default" of Role "deployer" to User "alice""#])
        let review = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
        #expect(harness.send("POST", review, Self.accessReview("SubjectAccessReview", verb: "patch", user: "alice"), token: "root-token").json[path: ["status", "allowed"]] == true)
        #expect(harness.send("POST", review, Self.accessReview("SubjectAccessReview", verb: "delete", user: "alice"), token: "root-token").json[path: ["status", "allowed"]] == false)
        #expect(harness.send("POST", review, Self.accessReview("SubjectAccessReview", verb: "patch", user: "alice"), token: "alice-token").status == 403)
        let path: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": ["nonResourceAttributes": ["path": "/version", "verb": "get"]]]
        #expect(harness.send("POST", selfReview, path, token: "victor-token").json[path: ["status", "allowed"]] == true)
    }

    @Test func anOpenClusterAllowsEverythingAndAttributesRequestsToKnownTokens() {
        var harness = Harness()
        let review = harness.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Self.accessReview("SelfSubjectAccessReview", verb: "delete"), token: nil)
        #expect(review.json["status"] == ["allowed": true])
        let whoami = harness.send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"], token: MockCluster.adminToken)
        #expect(whoami.json[path: ["status", "userInfo", "username"]] == "hms-mock-admin")
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods", token: "guess").status == 200)
    }

    @Test func requestAttributesAreReadAsTheApiserverReadsThem() {
        func attributes(_ method: String, _ target: String) -> RequestAttributes { RequestAttributes(APIRequest(method: method, target: target)) }
        let namespace = attributes("GET", "/api/v1/namespaces/other")
        #expect(namespace.verb == "get")
        #expect(namespace.resource == RequestAttributes.Resource(version: "v1", resource: "namespaces", namespace: "other", name: "other"))
        #expect(attributes("DELETE", "/api/v1/namespaces/default/pods").verb == "deletecollection")
        #expect(attributes("GET", "/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dweb").resource?.name == "web")
        #expect(attributes("GET", "/api/v1/namespaces/default/pods?watch=true").verb == "watch")
        #expect(attributes("GET", "/apis/apps/v1").resource == nil)
        #expect(attributes("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").verb == "create")
        #expect(attributes("PUT", "/api/v1/namespaces/x/finalize").resource?.subresource == "finalize")
    }
}
