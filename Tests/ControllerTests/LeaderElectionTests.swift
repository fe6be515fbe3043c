import Controller
import Foundation
import Testing

@Suite(.tags(.unit)) struct LeaseDecisionTests {
    @Test func noLeaseMeansCreateIt() {
        #expect(LeaseDecision.decide(holder: nil, leaseDurationSeconds: nil, unchangedFor: .zero, identity: "a") == .create)
    }

    @Test func ourOwnOrAReleasedLeaseIsRenewed() {
        #expect(LeaseDecision.decide(holder: "a", leaseDurationSeconds: 15, unchangedFor: .zero, identity: "a") == .acquire(takeover: false))
        #expect(LeaseDecision.decide(holder: "", leaseDurationSeconds: 1, unchangedFor: .zero, identity: "a") == .acquire(takeover: false))
    }

    @Test func anotherHolderIsFollowedWhileItRenews() {
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: 15, unchangedFor: .seconds(14.9), identity: "a") == .follow(holder: "b"))
    }

    @Test func aHolderThatStoppedRenewingIsTakenOver() {
        // Judged by how long we saw the record unchanged, on our monotonic clock: 15 s.
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: 15, unchangedFor: .seconds(15), identity: "a") == .acquire(takeover: true))
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: 30, unchangedFor: .seconds(15), identity: "a") == .follow(holder: "b"))
        // A lease claiming an absurd duration is followed, never overflowed.
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: .max, unchangedFor: .seconds(1e9), identity: "a") == .follow(holder: "b"))
    }

    @Test func timingFollowsClientGosRule() throws {
        try LeaseTiming().validate()
        var bad = LeaseTiming()
        bad.renewDeadline = .seconds(2)
        #expect(throws: ConfigurationProblem.self) { try bad.validate() }
        var tiny = LeaseTiming()
        (tiny.leaseDuration, tiny.renewDeadline, tiny.retryPeriod) = (.milliseconds(900), .milliseconds(500), .milliseconds(100))
        #expect(throws: ConfigurationProblem.self) { try tiny.validate() }
    }
}
