import ArgumentParser
import Foundation
@testable import HMSCtlCommands
import Model
import Testing

/// `--now` pins the time a plan is computed for, so that what a plan says does not depend on the
/// day it runs (budgets project to the month's end).
@Suite(.tags(.unit)) struct TimeOptionsTests {
    static let clock = WallClock.fixed(Date(timeIntervalSince1970: 1_800_000_000))

    @Test func anRFC3339TimeIsTheMomentOfThePlan() throws {
        let command = try PlanCommand.parse(["-f", "x.yaml", "--now", "2026-11-26T20:00:00Z"])
        #expect(command.time.moment(Self.clock) == Date(timeIntervalSince1970: 1_795_723_200))
    }

    @Test func applyTakesItToo() throws {
        let command = try Apply.parse(["-f", "x.yaml", "--now", "2026-11-26T20:00:00+01:00"])
        #expect(command.time.moment(Self.clock) == Date(timeIntervalSince1970: 1_795_723_200 - 3_600))
    }

    @Test func anythingElseIsRefusedWithAnExample() {
        #expect {
            _ = try PlanCommand.parse(["-f", "x.yaml", "--now", "yesterday"])
        } throws: { error in
            PlanCommand.message(for: error) == "--now yesterday: expected an RFC 3339 time, like 2026-11-25T12:00:00Z"
        }
    }

    @Test func withoutItTheClockDecides() throws {
        #expect(try PlanCommand.parse(["-f", "x.yaml"]).time.moment(Self.clock) == Self.clock.now())
    }
}
