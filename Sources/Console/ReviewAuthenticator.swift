import Controller
import Foundation

/// What a console user is, as someone else says: whose a token is, and whether they may approve.
/// The cluster answers (`KubeAccessReviewer`: TokenReview and SubjectAccessReview); tests answer
/// from tables. Throws when it cannot be asked.
public protocol AccessReviewer: Sendable {
    /// The token's owner; nil when the reviewer says the token is not valid.
    func identity(ofToken token: String) async throws -> Identity?
    /// May `identity` approve held actions in `namespace` (nil: in every namespace)?
    func mayApprove(_ identity: Identity, namespace: String?) async throws -> Bool
}

/// Authentication and authorization by a reviewer, with the rules that keep the reviewer's load
/// small. Answers are kept for a while, as the apiserver's webhook authenticator caches them: valid
/// tokens for a minute, access reviews for seconds. Unknown tokens are remembered briefly and
/// reviews of tokens nobody has seen are rate-limited, so guessing costs the cluster little.
public struct ReviewAuthenticator: Authenticator {
    let reviewer: any AccessReviewer
    let identities: TimedCache<String, Identity>
    let rejected: TimedCache<String, Bool>
    let approvals: TimedCache<ApprovalKey, Bool>
    let unknownTokenReviews: RateLimiter

    struct ApprovalKey: Hashable, Sendable {
        var identity: Identity
        var namespace: String?
    }

    public init(reviewer: any AccessReviewer, tokenSeconds: Double = 60, accessSeconds: Double = 10, rejectedSeconds: Double = 10,
                reviewsPerSecond: Double = 5, burst: Double = 20) {
        self.reviewer = reviewer
        identities = TimedCache(seconds: tokenSeconds)
        rejected = TimedCache(seconds: rejectedSeconds)
        approvals = TimedCache(seconds: accessSeconds)
        unknownTokenReviews = RateLimiter(perSecond: reviewsPerSecond, burst: burst)
    }

    public func check(token: String, now: Date) async -> TokenCheck {
        if let identity = identities.get(token, now: now) { return .valid(identity) }
        if rejected.get(token, now: now) != nil { return .invalid }
        guard unknownTokenReviews.take(now: now) else { return .throttled }
        let owner: Identity?
        do {
            owner = try await reviewer.identity(ofToken: token)
        } catch {
            // The reviewer could not be asked: nothing is remembered, the next try asks again.
            return .invalid
        }
        guard let owner else {
            rejected.put(token, true, now: now)
            return .invalid
        }
        identities.put(token, owner, now: now)
        return .valid(owner)
    }

    public func mayApprove(_ identity: Identity, namespace: String?, now: Date) async -> Bool {
        let key = ApprovalKey(identity: identity, namespace: namespace)
        if let known = approvals.get(key, now: now) { return known }
        // A reviewer that cannot be asked means no approving, never approving by default; and
        // that answer is not kept, so the next request asks again.
        guard let allowed = try? await reviewer.mayApprove(identity, namespace: namespace) else { return false }
        approvals.put(key, allowed, now: now)
        return allowed
    }

    public var revalidatesTokens: Bool { true }
}
