import Foundation
import JSON
import Testing
@testable import MockCluster

/// TokenReview and SubjectAccessReview answered from the tables `PUT /mock/v1/auth` sets.
@Suite(.tags(.unit)) struct ReviewTests {
    static let tables: JSONValue = [
        "tokens": [
            ["token": "alice-token", "user": "alice", "groups": ["ops"]],
            ["token": "victor-token", "user": "victor"],
            ["token": "paula-token", "user": "paula", "uid": "u-7", "groups": ["student-aid-leads"]],
        ],
        "roles": [
            ["user": "alice", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]],
            ["group": "student-aid-leads", "verbs": ["*"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"], "namespaces": ["student-aid"]],
            ["user": "victor", "verbs": ["get", "list"], "apiGroups": ["ops.hms.gov"], "resources": ["*"]],
        ],
    ]

    static func harness() -> Harness {
        var harness = Harness()
        let set = harness.send("PUT", "/mock/v1/auth", tables)
        #expect(set.status == 200)
        return harness
    }

    static func tokenReview(_ token: String) -> JSONValue {
        ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]]
    }

    static func accessReview(user: String?, groups: [String] = [], verb: String = "approve", namespace: String? = nil) -> JSONValue {
        var attributes: JSONValue = ["group": "ops.hms.gov", "resource": "approvals", "verb": .string(verb)]
        if let namespace { attributes["namespace"] = .string(namespace) }
        var spec: JSONValue = ["groups": .array(groups.map(JSONValue.string)), "resourceAttributes": attributes]
        if let user { spec["user"] = .string(user) }
        return ["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec]
    }

    @Test func aKnownTokenIsAuthenticatedWithItsUserAndGroups() {
        var harness = Self.harness()
        let answer = harness.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Self.tokenReview("alice-token"))
        #expect(answer.status == 201)
        #expect(answer.json["kind"] == "TokenReview")
        #expect(answer.json["status"] == [
            "authenticated": true, "audiences": [],
            "user": ["username": "alice", "uid": "mock-uid-alice", "groups": ["ops", "system:authenticated"]],
        ])
        let paula = harness.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Self.tokenReview("paula-token")).json
        #expect(paula[path: ["status", "user", "uid"]] == "u-7")
    }

    @Test func anUnknownTokenIsNotAuthenticatedAndAnEmptyOneIsABadRequest() {
        var harness = Self.harness()
        let unknown = harness.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Self.tokenReview("guess"))
        #expect(unknown.status == 201)
        #expect(unknown.json[path: ["status", "authenticated"]] == false)
        #expect(unknown.json[path: ["status", "user"]] == [:])
        let empty = harness.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Self.tokenReview(""))
        #expect(empty.status == 400)
        #expect(empty.json["message"] == "token is required for TokenReview in authentication")
    }

    @Test func withoutTablesNoTokenIsKnown() {
        var harness = Harness()
        let answer = harness.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Self.tokenReview("alice-token"))
        #expect(answer.json[path: ["status", "authenticated"]] == false)
    }

    @Test func aUserRoleAllowsItsVerbInEveryNamespace() {
        var harness = Self.harness()
        for namespace in [nil, "student-aid", "power"] {
            let answer = harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", Self.accessReview(user: "alice", namespace: namespace))
            #expect(answer.status == 201)
            #expect(answer.json[path: ["status", "allowed"]] == true)
            #expect(answer.json[path: ["status", "reason"]]?.stringValue?.hasPrefix("allowed by mock role 0 (user alice may approve approvals") == true)
        }
    }

    @Test func aViewerMayReadButNotApprove() {
        var harness = Self.harness()
        let approve = harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", Self.accessReview(user: "victor", namespace: "student-aid"))
        #expect(approve.json["status"] == ["allowed": false, "reason": "no mock role allows user victor to approve approvals.ops.hms.gov in namespace student-aid"])
        let list = harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", Self.accessReview(user: "victor", verb: "list"))
        #expect(list.json[path: ["status", "allowed"]] == true)
    }

    @Test func aGroupRoleLimitedToNamespacesAllowsOnlyThere() {
        var harness = Self.harness()
        func allowed(_ namespace: String?, groups: [String] = ["student-aid-leads"]) -> JSONValue? {
            harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                         Self.accessReview(user: "paula", groups: groups, namespace: namespace)).json[path: ["status", "allowed"]]
        }
        #expect(allowed("student-aid") == true)
        #expect(allowed("power") == false)
        // A grant in one namespace is no grant for every namespace.
        #expect(allowed(nil) == false)
        // The groups are the review's, not the token table's.
        #expect(allowed("student-aid", groups: []) == false)
    }

    @Test func aReviewWithoutSubjectOrWithBothAttributeKindsIsInvalid() {
        var harness = Self.harness()
        let anonymous = harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", Self.accessReview(user: nil))
        #expect(anonymous.status == 422)
        #expect(anonymous.json["message"]?.stringValue?.hasSuffix("at least one of user or group must be specified") == true)
        var both = Self.accessReview(user: "alice")
        both[path: ["spec", "nonResourceAttributes"]] = ["path": "/healthz", "verb": "get"]
        #expect(harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", both).status == 422)
        var wrongKind = Self.accessReview(user: "alice")
        wrongKind["kind"] = "TokenReview"
        #expect(harness.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", wrongKind).status == 400)
    }

    @Test func reviewsAreCreatedOnlyAndNeverStored() {
        var harness = Self.harness()
        #expect(harness.send("GET", "/apis/authentication.k8s.io/v1/tokenreviews").status == 405)
        #expect(harness.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", Self.accessReview(user: "alice")).status == 404)
        #expect(harness.send("POST", "/apis/authentication.k8s.io/v1beta1/tokenreviews", Self.tokenReview("alice-token")).status == 404)
    }

    @Test func discoveryListsBothGroupsWithTheCreateVerb() {
        var harness = Harness()
        let groups = (harness.get("/apis")["groups"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(groups.contains("authentication.k8s.io") && groups.contains("authorization.k8s.io"))
        let tokenReviews = harness.get("/apis/authentication.k8s.io/v1")["resources"]?.arrayValue?.first
        #expect(tokenReviews?["name"] == "tokenreviews")
        #expect(tokenReviews?["namespaced"] == false)
        #expect(tokenReviews?["verbs"] == ["create"])
        let accessReviews = harness.get("/apis/authorization.k8s.io/v1")["resources"]?.arrayValue?.first
        #expect(accessReviews?["kind"] == "SubjectAccessReview")
        // kubectl create -f looks the kind up in OpenAPI before it posts.
        let index = harness.get("/openapi/v3")["paths"]?["apis/authentication.k8s.io/v1"]?["serverRelativeURL"]?.stringValue ?? ""
        let post = harness.get(index)["paths"]?["/apis/authentication.k8s.io/v1/tokenreviews"]?["post"]
        #expect(post?["x-kubernetes-group-version-kind"] == ["group": "authentication.k8s.io", "version": "v1", "kind": "TokenReview"])
    }

    @Test func theControlEndpointShowsUsersAndRolesButNeverTokens() {
        var harness = Self.harness()
        let shown = harness.send("GET", "/mock/v1/auth")
        #expect(shown.status == 200)
        #expect(!String(decoding: shown.response.bodyBytes, as: UTF8.self).contains("-token"))
        #expect(shown.json["tokens"]?.arrayValue?.compactMap { $0["user"]?.stringValue } == ["alice", "paula", "victor"])
        #expect(shown.json["roles"]?.arrayValue?.count == 3)
    }

    @Test func aBadTableIsRefusedWithItsPathAndTheOldOneStays() {
        var harness = Self.harness()
        let bad: JSONValue = ["roles": [["user": "bob", "group": "ops", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]]]]
        let answer = harness.send("PUT", "/mock/v1/auth", bad)
        #expect(answer.status == 400)
        #expect(answer.json["error"] == "roles[0]: name exactly one subject: user or group")
        let verbs = harness.send("PUT", "/mock/v1/auth", ["roles": [["user": "bob", "verbs": [], "apiGroups": [""], "resources": ["pods"]]]])
        #expect(verbs.json["error"] == "roles[0].verbs: must name at least one (\"*\" for any)")
        let unknown = harness.send("PUT", "/mock/v1/auth", ["tokens": [["token": "t", "user": "u", "role": "approver"]]])
        #expect(unknown.json["error"] == "tokens[0].role: unknown field: token, user, uid, groups")
        let still = harness.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Self.tokenReview("alice-token"))
        #expect(still.json[path: ["status", "authenticated"]] == true)
    }

    @Test func theAuthFileNamesLineAndColumnOfAProblem() throws {
        let yaml = """
            tokens:
            - {token: t-1, user: alice}
            roles:
            - user: alice
              verbs: approve
              apiGroups: [ops.hms.gov]
              resources: [approvals]

            """
        #expect(throws: AccessTables.FileProblem("auth.yaml:5:10: error: roles[0].verbs: expected an array of non-empty strings")) {
            try AccessTables(file: "auth.yaml", bytes: Array(yaml.utf8))
        }
        let good = try AccessTables(file: "auth.yaml", bytes: Array(yaml.replacingOccurrences(of: "verbs: approve", with: "verbs: [approve]").utf8))
        #expect(good.identity(forToken: "t-1")?.user == "alice")
        #expect(good.allowingRole(user: "alice", groups: [], verb: "approve", apiGroup: "ops.hms.gov", resource: "approvals", namespace: "x") == 0)
        #expect(throws: AccessTables.FileProblem("auth.yaml:2:1: error: did not find expected node content (while parsing a flow node at line 2, column 1)")) {
            try AccessTables(file: "auth.yaml", bytes: Array("tokens: [".utf8))
        }
    }
}
