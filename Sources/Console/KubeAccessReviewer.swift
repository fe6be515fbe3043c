import Controller
import JSON
import Kube

/// The cluster as the console's reviewer: a TokenReview says who the token belongs to, a
/// SubjectAccessReview whether they may `approve` `approvals.ops.hms.gov`: a verb of its own, as
/// Kubernetes has for CertificateSigningRequests, so that reading and writing Approvals (which
/// `hmsctl approve` needs) and approving in the console are granted apart.
public struct KubeAccessReviewer: AccessReviewer {
    let cluster: ClusterAccess

    public init(cluster: ClusterAccess) {
        self.cluster = cluster
    }

    static let tokenReviews = ResourceType(group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)
    static let subjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)

    public func identity(ofToken token: String) async throws -> Identity? {
        let review = try await cluster.json(.create(Self.tokenReviews, namespace: nil, body: KubeReview.tokenReview(token).jsonBytes))
        return KubeReview.user(fromTokenReview: review).map { Identity(user: $0.0, groups: $0.1) }
    }

    public func mayApprove(_ identity: Identity, namespace: String?) async throws -> Bool {
        let body = KubeReview.accessReview(user: identity.user, groups: identity.groups, namespace: namespace).jsonBytes
        return KubeReview.allowed(fromAccessReview: try await cluster.json(.create(Self.subjectAccessReviews, namespace: nil, body: body)))
    }
}

/// The review objects and how to read the answers: pure, so the rules are tested without a cluster.
public enum KubeReview {
    public static let verb = "approve"

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
