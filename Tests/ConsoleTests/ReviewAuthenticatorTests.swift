@testable import Console
import Foundation
import Testing

/// The rules that keep the reviewer's (the cluster's) load small, against a reviewer answering from
/// tables: what is remembered, for how long, and what is never remembered.
@Suite(.tags(.unit)) struct ReviewAuthenticatorTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = Identity(user: "alice", groups: ["ops"])

    @Test func aValidTokenIsReviewedOnceAMinute() async {
        let reviewer = TableReviewer(tokens: ["t-alice": alice])
        let authenticator = ReviewAuthenticator(reviewer: reviewer, tokenSeconds: 60)
        for seconds in [0.0, 30, 59] { #expect(await authenticator.check(token: "t-alice", now: start.addingTimeInterval(seconds)) == .valid(alice)) }
        #expect(reviewer.tokenReviews == 1)
        #expect(await authenticator.check(token: "t-alice", now: start.addingTimeInterval(60)) == .valid(alice))
        #expect(reviewer.tokenReviews == 2)
    }

    @Test func anUnknownTokenIsRememberedBriefly() async {
        let reviewer = TableReviewer(tokens: [:])
        let authenticator = ReviewAuthenticator(reviewer: reviewer, rejectedSeconds: 10)
        for _ in 0..<50 { #expect(await authenticator.check(token: "guess", now: start) == .invalid) }
        #expect(reviewer.tokenReviews == 1)
        _ = await authenticator.check(token: "guess", now: start.addingTimeInterval(10))
        #expect(reviewer.tokenReviews == 2)
    }

    @Test func anUnreachableReviewerIsNotAnAnswerToRemember() async {
        let reviewer = TableReviewer(tokens: ["t-alice": alice], approvers: ["alice": nil])
        let authenticator = ReviewAuthenticator(reviewer: reviewer)
        reviewer.setReachable(false)
        #expect(await authenticator.check(token: "t-alice", now: start) == .invalid)
        #expect(await !authenticator.mayApprove(alice, namespace: nil, now: start))
        // Reachable again a moment later: asked again, and the answers hold.
        reviewer.setReachable(true)
        #expect(await authenticator.check(token: "t-alice", now: start) == .valid(alice))
        #expect(await authenticator.mayApprove(alice, namespace: nil, now: start))
        #expect(reviewer.tokenReviews == 2 && reviewer.accessReviews == 2)
    }

    @Test func unseenTokensAreRateLimited() async {
        let reviewer = TableReviewer(tokens: ["t-alice": alice])
        let authenticator = ReviewAuthenticator(reviewer: reviewer, reviewsPerSecond: 5, burst: 3)
        var answers: [TokenCheck] = []
        for index in 0..<5 { answers.append(await authenticator.check(token: "guess-\(index)", now: start)) }
        #expect(answers == [.invalid, .invalid, .invalid, .throttled, .throttled])
        #expect(reviewer.tokenReviews == 3)
        // Alice's token was never seen either: it waits for the bucket like any other.
        #expect(await authenticator.check(token: "t-alice", now: start) == .throttled)
        #expect(await authenticator.check(token: "t-alice", now: start.addingTimeInterval(0.2)) == .valid(alice))
    }

    @Test func accessReviewsAreKeptPerNamespaceForSeconds() async {
        let reviewer = TableReviewer(tokens: [:], approvers: ["alice": ["student-aid"]])
        let authenticator = ReviewAuthenticator(reviewer: reviewer, accessSeconds: 10)
        #expect(await authenticator.mayApprove(alice, namespace: "student-aid", now: start))
        #expect(await !authenticator.mayApprove(alice, namespace: "power", now: start))
        #expect(await !authenticator.mayApprove(alice, namespace: nil, now: start))
        #expect(await authenticator.mayApprove(alice, namespace: "student-aid", now: start.addingTimeInterval(9)))
        #expect(reviewer.accessReviews == 3)
        _ = await authenticator.mayApprove(alice, namespace: "student-aid", now: start.addingTimeInterval(10))
        #expect(reviewer.accessReviews == 4)
    }
}
