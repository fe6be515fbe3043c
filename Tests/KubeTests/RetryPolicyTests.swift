import Foundation
import Kube
import Testing

@Suite(.tags(.unit)) struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(30))

    @Test func fullJitterGrowsExponentiallyUpToTheCap() {
        #expect(policy.backoff(attempt: 1, random: 0.5) == .milliseconds(50))
        #expect(policy.backoff(attempt: 2, random: 0.5) == .milliseconds(100))
        #expect(policy.backoff(attempt: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.backoff(attempt: 3, random: 0) == .zero)
        #expect(policy.backoff(attempt: 3, random: 0.999) < .milliseconds(400))
        #expect(policy.backoff(attempt: 10, random: 0.5) == .milliseconds(500))
        #expect(policy.backoff(attempt: 1000, random: 1) == .seconds(1))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var idempotent: Bool
        var outcome: RetryPolicy.Outcome
        var attempt = 1
        var expected: Duration?
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "GET after a reset connection", idempotent: true, outcome: .transportFailure(requestMayHaveBeenSent: true), expected: .milliseconds(50)),
        Case(name: "POST after a reset connection: it may have landed", idempotent: false, outcome: .transportFailure(requestMayHaveBeenSent: true), expected: nil),
        Case(name: "POST when no connection could be made", idempotent: false, outcome: .transportFailure(requestMayHaveBeenSent: false), expected: .milliseconds(50)),
        Case(name: "GET on 503", idempotent: true, outcome: .status(503, retryAfter: nil), expected: .milliseconds(50)),
        Case(name: "GET on 500 with Retry-After", idempotent: true, outcome: .status(500, retryAfter: .seconds(3)), expected: .seconds(3)),
        Case(name: "PATCH on 503", idempotent: false, outcome: .status(503, retryAfter: .seconds(1)), expected: nil),
        Case(name: "GET on 501", idempotent: true, outcome: .status(501, retryAfter: nil), expected: nil),
        Case(name: "POST on 429 honours Retry-After", idempotent: false, outcome: .status(429, retryAfter: .seconds(2)), expected: .seconds(2)),
        Case(name: "429 without Retry-After backs off", idempotent: false, outcome: .status(429, retryAfter: nil), attempt: 2, expected: .milliseconds(100)),
        Case(name: "a Retry-After past the limit is not waited for", idempotent: true, outcome: .status(429, retryAfter: .seconds(31)), expected: nil),
        Case(name: "404 is an answer", idempotent: true, outcome: .status(404, retryAfter: nil), expected: nil),
        Case(name: "409 is an answer", idempotent: true, outcome: .status(409, retryAfter: nil), expected: nil),
        Case(name: "the last attempt gives up", idempotent: true, outcome: .status(503, retryAfter: nil), attempt: 4, expected: nil),
        Case(name: "the attempt before the last retries", idempotent: true, outcome: .status(503, retryAfter: nil), attempt: 3, expected: .milliseconds(200)),
    ])
    func decisions(_ c: Case) {
        #expect(policy.delay(afterAttempt: c.attempt, idempotent: c.idempotent, outcome: c.outcome, random: 0.5) == c.expected)
    }

    @Test func retryAfterIsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryAfter.parse("7", now: now) == .seconds(7))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Tue, 14 Nov 2023 22:13:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("-3", now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil, now: now) == nil)
    }
}
