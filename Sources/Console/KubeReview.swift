import Controller
import Foundation
import JSON
import Kube

/// Authentication and authorization by the cluster: a TokenReview says who the token belongs to, a
/// SubjectAccessReview whether they may create `approvals.ops.hms.gov` (the write an approval is;
/// `create` rather than a custom `approve` verb, so that plain RBAC roles grant it).
public struct KubeReviewAuthenticator: Authenticator {
    let cluster: ClusterAccess

    public init(cluster: ClusterAccess) { self.cluster = cluster }

    static let tokenReviews = ResourceType(group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)
    static let subjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)

    public func principal(for token: String, namespace: String?) async -> Principal? {
        guard let review = try? await cluster.json(.create(Self.tokenReviews, namespace: nil, body: KubeReview.tokenReview(token).jsonBytes)),
            let (user, groups) = KubeReview.user(fromTokenReview: review)
        else { return nil }
        let body = KubeReview.accessReview(user: user, groups: groups, namespace: namespace).jsonBytes
        // An authorizer that cannot be asked means no approving, never approving by default.
        let allowed = (try? await cluster.json(.create(Self.subjectAccessReviews, namespace: nil, body: body))).map { KubeReview.allowed(fromAccessReview: $0) } ?? false
        return Principal(user: user, canApprove: allowed)
    }
}

/// The review objects and how to read the answers: pure, so the rules are tested without a cluster.
public enum KubeReview {
    public static let verb = "create"

    public static func tokenReview(_ token: String) -> JSONValue {
        ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]]
    }

    public static func user(fromTokenReview review: JSONValue) -> (String, [String])? {
        guard review[path: ["status", "authenticated"]]?.boolValue == true,
            let user = review[path: ["status", "user", "username"]]?.stringValue, !user.isEmpty
        else { return nil }
        let groups = review[path: ["status", "user", "groups"]]?.arrayValue?.compactMap(\.stringValue) ?? []
        return (user, groups)
    }

    /// nil namespace: may they approve in every namespace (the page's buttons); the endpoint asks
    /// for the held action's own namespace.
    public static func accessReview(user: String, groups: [String], namespace: String?) -> JSONValue {
        var attributes: JSONValue = ["group": "ops.hms.gov", "resource": "approvals", "verb": .string(verb)]
        if let namespace { attributes["namespace"] = .string(namespace) }
        return [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": ["user": .string(user), "groups": .array(groups.map(JSONValue.string)), "resourceAttributes": attributes],
        ]
    }

    public static func allowed(fromAccessReview review: JSONValue) -> Bool {
        review[path: ["status", "allowed"]]?.boolValue == true
    }
}
