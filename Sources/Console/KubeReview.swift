import Controller
import Foundation
import JSON
import Kube
import Synchronization

/// Authentication and authorization by the cluster: a TokenReview says who the token belongs to, a
/// SubjectAccessReview whether they may `approve` `approvals.ops.hms.gov`: a verb of its own, as
/// Kubernetes has for CertificateSigningRequests, so that reading and writing Approvals (which
/// `hmsctl approve` needs) and approving in the console are granted apart.
public struct KubeReviewAuthenticator: Authenticator {
    let cluster: ClusterAccess
    /// The live page asks again on every pass: answers are kept for a few seconds, as the
    /// apiserver's own webhook authenticator caches them.
    let cache: ReviewCache

    public init(cluster: ClusterAccess, cacheSeconds: Double = 10) {
        self.cluster = cluster
        self.cache = ReviewCache(seconds: cacheSeconds)
    }

    static let tokenReviews = ResourceType(group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)
    static let subjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)

    public func principal(for token: String, namespace: String?) async -> Principal? {
        let key = ReviewCache.Key(token: token, namespace: namespace)
        if let known = cache.get(key, now: Date()) { return known }
        guard let review = try? await cluster.json(.create(Self.tokenReviews, namespace: nil, body: KubeReview.tokenReview(token).jsonBytes)),
            let (user, groups) = KubeReview.user(fromTokenReview: review)
        else { return nil }
        let body = KubeReview.accessReview(user: user, groups: groups, namespace: namespace).jsonBytes
        // An authorizer that cannot be asked means no approving, never approving by default.
        let answer = try? await cluster.json(.create(Self.subjectAccessReviews, namespace: nil, body: body))
        let principal = Principal(user: user, canApprove: answer.map { KubeReview.allowed(fromAccessReview: $0) } ?? false)
        // Only a complete answer is kept: a failed SubjectAccessReview is asked again next time.
        if answer != nil { cache.put(key, principal, now: Date()) }
        return principal
    }
}

/// Reviewed principals for a short while, by token and namespace. Unknown tokens are never kept,
/// so guessing cannot fill it; it is bounded all the same.
public final class ReviewCache: Sendable {
    public struct Key: Hashable, Sendable {
        public var token: String
        public var namespace: String?
    }

    let seconds: Double
    let capacity: Int
    private let entries = Mutex<[Key: (Principal, Date)]>([:])

    public init(seconds: Double, capacity: Int = 1000) {
        self.seconds = seconds
        self.capacity = capacity
    }

    public func get(_ key: Key, now: Date) -> Principal? {
        entries.withLock { entries in
            guard let (principal, expires) = entries[key] else { return nil }
            if expires > now { return principal }
            entries[key] = nil
            return nil
        }
    }

    public func put(_ key: Key, _ principal: Principal, now: Date) {
        guard seconds > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.1 > now } }
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = (principal, now.addingTimeInterval(seconds))
        }
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
