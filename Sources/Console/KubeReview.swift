import Controller
import Foundation
import JSON
import Kube
import Synchronization

/// Authentication and authorization by the cluster: a TokenReview says who the token belongs to, a
/// SubjectAccessReview whether they may `approve` `approvals.ops.hms.gov`: a verb of its own, as
/// Kubernetes has for CertificateSigningRequests, so that reading and writing Approvals (which
/// `hmsctl approve` needs) and approving in the console are granted apart.
///
/// Answers are kept for a while, as the apiserver's webhook authenticator caches them: valid
/// tokens for a minute, access reviews for seconds. Unknown tokens are remembered briefly and
/// reviews of tokens nobody has seen are rate-limited, so guessing costs the cluster little.
public struct KubeReviewAuthenticator: Authenticator {
    let cluster: ClusterAccess
    let identities: TimedCache<String, Identity>
    let rejected: TimedCache<String, Bool>
    let approvals: TimedCache<ApprovalKey, Bool>
    let unknownTokenReviews: RateLimiter

    struct ApprovalKey: Hashable, Sendable {
        var identity: Identity
        var namespace: String?
    }

    public init(cluster: ClusterAccess, tokenSeconds: Double = 60, accessSeconds: Double = 10, rejectedSeconds: Double = 10,
                reviewsPerSecond: Double = 5, burst: Double = 20) {
        self.cluster = cluster
        identities = TimedCache(seconds: tokenSeconds)
        rejected = TimedCache(seconds: rejectedSeconds)
        approvals = TimedCache(seconds: accessSeconds)
        unknownTokenReviews = RateLimiter(perSecond: reviewsPerSecond, burst: burst)
    }

    static let tokenReviews = ResourceType(group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)
    static let subjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)

    public func check(token: String, now: Date) async -> TokenCheck {
        if let identity = identities.get(token, now: now) { return .valid(identity) }
        if rejected.get(token, now: now) != nil { return .invalid }
        guard unknownTokenReviews.take(now: now) else { return .throttled }
        guard let review = try? await cluster.json(.create(Self.tokenReviews, namespace: nil, body: KubeReview.tokenReview(token).jsonBytes)) else {
            // The cluster could not be asked: nothing is remembered, the next try asks again.
            return .invalid
        }
        guard let (user, groups) = KubeReview.user(fromTokenReview: review) else {
            rejected.put(token, true, now: now)
            return .invalid
        }
        let identity = Identity(user: user, groups: groups)
        identities.put(token, identity, now: now)
        return .valid(identity)
    }

    public func mayApprove(_ identity: Identity, namespace: String?, now: Date) async -> Bool {
        let key = ApprovalKey(identity: identity, namespace: namespace)
        if let known = approvals.get(key, now: now) { return known }
        let body = KubeReview.accessReview(user: identity.user, groups: identity.groups, namespace: namespace).jsonBytes
        // An authorizer that cannot be asked means no approving, never approving by default; and
        // that answer is not kept, so the next request asks again.
        guard let answer = try? await cluster.json(.create(Self.subjectAccessReviews, namespace: nil, body: body)) else { return false }
        let allowed = KubeReview.allowed(fromAccessReview: answer)
        approvals.put(key, allowed, now: now)
        return allowed
    }

    public var revalidatesTokens: Bool { true }
}

/// Values kept for a while by key, bounded: when full, expired entries go first, then everything.
public final class TimedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let seconds: Double
    let capacity: Int
    private let entries = Mutex<[Key: (Value, Date)]>([:])

    public init(seconds: Double, capacity: Int = 1000) {
        self.seconds = seconds
        self.capacity = capacity
    }

    public func get(_ key: Key, now: Date) -> Value? {
        entries.withLock { entries in
            guard let (value, expires) = entries[key] else { return nil }
            if expires > now { return value }
            entries[key] = nil
            return nil
        }
    }

    public func put(_ key: Key, _ value: Value, now: Date) {
        guard seconds > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.1 > now } }
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = (value, now.addingTimeInterval(seconds))
        }
    }
}

/// A token bucket: `burst` at once, then `perSecond`.
public final class RateLimiter: Sendable {
    let perSecond: Double
    let burst: Double
    private let state = Mutex<(tokens: Double, last: Date?)>((0, nil))

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(1, burst)
    }

    public func take(now: Date) -> Bool {
        state.withLock { state in
            let elapsed = state.last.map { max(0, now.timeIntervalSince($0)) }
            state.tokens = elapsed.map { min(burst, state.tokens + $0 * perSecond) } ?? burst
            state.last = now
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
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
