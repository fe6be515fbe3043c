import Foundation

/// When to try a request again and how long to wait first. Pure: the attempt number, what
/// happened and a random number in, a delay or "give up" out.
///
/// What may be retried, and why:
/// - A failure before the request left this machine (no connection could be made): any request,
///   even a POST, because the server never saw it.
/// - 429 TooManyRequests: any request. The API server's flow control refuses it before doing
///   anything, and says when to come back (Retry-After).
/// - A failure after the request may have reached the server (connection reset, timeout), and
///   5xx answers: only idempotent requests, those that have the same effect sent twice as once.
///   GET, HEAD and DELETE are (a repeated delete finds nothing: 404); so is PUT, whose
///   `resourceVersion` makes a replay of a write that did land fail with 409 rather than write
///   twice; server-side apply, which states the whole intent; and a merge patch, which sets the
///   values it names. POST (create) is not in general: with `generateName` a replay makes a second
///   object; a create of a named object whose caller takes 409 as done is. Other patches are not:
///   a JSON patch may append. `KubeRequest.isIdempotent` carries the answer.
/// Delays grow exponentially with full jitter (a uniform pick between zero and the cap), so that
/// many clients failing together do not come back together. A Retry-After from the server wins.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A server asking for a longer wait than this is not waited for: the error goes to the caller.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()
    public static let never = RetryPolicy(maxAttempts: 1)

    /// What an attempt came to, as far as retrying cares.
    public enum Outcome: Sendable, Equatable {
        /// No response. `requestMayHaveBeenSent` is false when no connection was ever made.
        case transportFailure(requestMayHaveBeenSent: Bool)
        /// An HTTP status (only failures are asked about), with the server's Retry-After if any.
        case status(Int, retryAfter: Duration?)
    }

    /// How long to wait before attempt `attempt + 1`, or nil to give up. `attempt` counts from 1;
    /// `random` is uniform in [0, 1).
    public func delay(afterAttempt attempt: Int, idempotent: Bool, outcome: Outcome, random: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        switch outcome {
        case .transportFailure(let sent):
            guard !sent || idempotent else { return nil }
            return backoff(attempt: attempt, random: random)
        case .status(429, let retryAfter):
            return wait(retryAfter, attempt: attempt, random: random)
        case .status(let code, let retryAfter) where code >= 500:
            guard idempotent, code != 501 else { return nil }  // 501: it will never be implemented
            return wait(retryAfter, attempt: attempt, random: random)
        case .status:
            return nil
        }
    }

    private func wait(_ retryAfter: Duration?, attempt: Int, random: Double) -> Duration? {
        if let retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        return backoff(attempt: attempt, random: random)
    }

    /// Full jitter: uniform in [0, min(maxDelay, baseDelay x 2^(attempt-1))).
    public func backoff(attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let cap = min(maxDelay, baseDelay * (1 << exponent))
        return cap * min(max(random, 0), 1)
    }
}

/// The `Retry-After` header: seconds, or an HTTP date (RFC 9110), relative to `now`.
public enum RetryAfter {
    public static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int((seconds * 1000).rounded()))
    }
}
