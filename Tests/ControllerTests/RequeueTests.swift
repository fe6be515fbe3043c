import Foundation
import Testing

@testable import Controller

@Suite struct RequeueTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func nothingDueSleepsTheSyncPeriod() {
        #expect(Requeue.wait(until: nil, now: now, period: .seconds(5)) == .seconds(5))
    }

    @Test func aRunDueBeforeThePeriodEndsWakesJustAfterIt() {
        #expect(Requeue.wait(until: now.addingTimeInterval(1.5), now: now, period: .seconds(5)) == .milliseconds(1_520))
    }

    @Test func aMomentBeyondThePeriodWaitsForTheNextPeriodicPass() {
        #expect(Requeue.wait(until: now.addingTimeInterval(3_600), now: now, period: .seconds(5)) == .seconds(5))
    }

    @Test func aMomentThatPassedDuringThePassLooksAgainAtOnce() {
        #expect(Requeue.wait(until: now.addingTimeInterval(-2), now: now, period: .seconds(5)) == .milliseconds(20))
    }
}
