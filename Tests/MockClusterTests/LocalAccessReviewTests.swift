import Foundation
import JSON
import Testing
@testable import MockCluster

/// LocalSubjectAccessReview: a SubjectAccessReview created in a namespace, checked and authorized
/// there as kube-apiserver does, answered by the same RBAC.
@Suite(.tags(.unit)) struct LocalAccessReviewTests {
    static func path(_ namespace: String) -> String { "/apis/authorization.k8s.io/v1/namespaces/\(namespace)/localsubjectaccessreviews" }

    static func review(user: String = "alice", asked: String? = "default", metadata: JSONValue? = nil) -> JSONValue {
        var attributes: JSONValue = ["group": "ops.hms.gov", "resource": "approvals", "verb": "approve"]
        if let asked { attributes["namespace"] = .string(asked) }
        var review: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview", "spec": ["user": .string(user), "resourceAttributes": attributes]]
        if let metadata { review["metadata"] = metadata }
        return review
    }

    @Test func itIsAuthorizedPerNamespaceAndAnsweredFromRBAC() throws {
        var harness = try Harness.authorizing()
        let refused = harness.send("POST", Self.path("default"), Self.review(), token: "victor-token")
        #expect(refused.status == 403)
        #expect(refused.json["message"] == #"localsubjectaccessreviews.authorization.k8s.io is forbidden: User "victor" cannot create resource "localsubjectaccessreviews" in API group "authorization.k8s.io" in the namespace "default""#)
        // A RoleBinding in default lets victor ask there, and nowhere else.
        harness.grant([["kind": "User", "name": "victor"]], role: "reviewer", rules: [["apiGroups": ["authorization.k8s.io"], "resources": ["localsubjectaccessreviews"], "verbs": ["create"]]])
        let notYet = harness.send("POST", Self.path("default"), Self.review(), token: "victor-token")
        #expect(notYet.status == 201)
        #expect(notYet.json["status"] == ["allowed": false])
        #expect(notYet.json[path: ["metadata", "namespace"]] == "default")
        harness.grant([["kind": "User", "name": "alice"]], role: "approver", rules: [["apiGroups": ["ops.hms.gov"], "resources": ["approvals"], "verbs": ["approve"]]])
        let allowed = harness.send("POST", Self.path("default"), Self.review(), token: "victor-token")
        #expect(allowed.json["status"] == ["allowed": true, "reason": #"RBAC: allowed by RoleBinding "approver/default" of Role "approver" to User "alice""#])
        #expect(harness.send("POST", Self.path("kube-system"), Self.review(asked: "kube-system"), token: "victor-token").status == 403)
    }

    @Test func theNamespacesMustAgreeWithTheRequests() {
        var harness = Harness()
        let elsewhere = harness.send("POST", Self.path("default"), Self.review(metadata: ["namespace": "other"]))
        #expect(elsewhere.status == 400)
        #expect(elsewhere.json["message"] == "the namespace of the provided object does not match the namespace sent on the request")
        let askedElsewhere = harness.send("POST", Self.path("default"), Self.review(asked: "other"))
        #expect(askedElsewhere.status == 422)
        #expect(askedElsewhere.json["message"] == #"LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace"#)
        #expect(askedElsewhere.json[path: ["details", "causes"]] == [
            ["reason": "FieldValueInvalid", "message": #"Invalid value: "other": must match metadata.namespace"#, "field": "spec.resourceAttributes.namespace"],
        ])
        // Every namespace (none named) is not this namespace either.
        #expect(harness.send("POST", Self.path("default"), Self.review(asked: nil)).status == 422)
        let named = harness.send("POST", Self.path("default"), Self.review(metadata: ["name": "x"]))
        #expect(named.status == 422)
        #expect(named.json["message"]?.stringValue?.contains("metadata: Invalid value") == true)
        #expect(named.json["message"]?.stringValue?.hasSuffix("must be empty except for namespace") == true)
        var nonResource = Self.review()
        nonResource[path: ["spec", "resourceAttributes"]] = nil
        nonResource[path: ["spec", "nonResourceAttributes"]] = ["path": "/version", "verb": "get"]
        #expect(harness.send("POST", Self.path("default"), nonResource).json["message"]?.stringValue?.hasSuffix("disallowed on this kind of request") == true)
        var nobody = Self.review()
        nobody[path: ["spec", "user"]] = nil
        #expect(harness.send("POST", Self.path("default"), nobody).json["message"]
            == #"LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified"#)
    }

    @Test func anOpenClusterAnswersFromItsTablesAndOnlyCreates() {
        var harness = ReviewTests.harness()
        let answer = harness.send("POST", Self.path("student-aid"), Self.review(asked: "student-aid"))
        #expect(answer.status == 201)
        #expect(answer.json[path: ["status", "allowed"]] == true)
        #expect(harness.send("POST", Self.path("student-aid"), Self.review(user: "victor", asked: "student-aid")).json[path: ["status", "allowed"]] == false)
        #expect(harness.send("GET", Self.path("student-aid")).status == 405)
        #expect(harness.send("POST", "/apis/authorization.k8s.io/v1/localsubjectaccessreviews", Self.review()).status == 404)
        let resources = harness.get("/apis/authorization.k8s.io/v1")["resources"]?.arrayValue ?? []
        let local = resources.first { $0["name"] == "localsubjectaccessreviews" }
        #expect(local?["namespaced"] == true && local?["kind"] == "LocalSubjectAccessReview" && local?["verbs"] == ["create"])
    }
}
