import Controller
import Foundation
import Testing

@Suite(.tags(.unit)) struct LeaseDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func noLeaseMeansCreateIt() {
        #expect(LeaseDecision.decide(holder: nil, leaseDurationSeconds: nil, lastChange: nil, identity: "a", now: now) == .create)
    }

    @Test func ourOwnOrAReleasedLeaseIsRenewed() {
        #expect(LeaseDecision.decide(holder: "a", leaseDurationSeconds: 15, lastChange: now, identity: "a", now: now) == .acquire(takeover: false))
        #expect(LeaseDecision.decide(holder: "", leaseDurationSeconds: 1, lastChange: now, identity: "a", now: now) == .acquire(takeover: false))
    }

    @Test func anotherHolderIsFollowedWhileItRenews() {
        let seen = now.addingTimeInterval(-14)
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: 15, lastChange: seen, identity: "a", now: now) == .follow(holder: "b"))
    }

    @Test func aHolderThatStoppedRenewingIsTakenOver() {
        // Judged by when we saw the record change, on our clock: 15 s without a change.
        let seen = now.addingTimeInterval(-15)
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: 15, lastChange: seen, identity: "a", now: now) == .acquire(takeover: true))
        #expect(LeaseDecision.decide(holder: "b", leaseDurationSeconds: 30, lastChange: seen, identity: "a", now: now) == .follow(holder: "b"))
    }

    @Test func timingFollowsClientGosRule() throws {
        try LeaseTiming().validate()
        var bad = LeaseTiming()
        bad.renewDeadline = .seconds(2)
        #expect(throws: ConfigurationProblem.self) { try bad.validate() }
    }
}
