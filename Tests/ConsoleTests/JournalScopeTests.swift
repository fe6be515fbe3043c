@testable import Console
import Foundation
import Controller
import JSON
import Testing

/// The page searches the journal's tail: it says how far back, and where the older decisions are.
@Suite(.tags(.unit)) struct JournalScopeTests {
    let entries: [JSONValue] = [
        ["time": "2026-01-01T00:00:00Z", "verb": "scale", "finalVerdict": "ALLOW", "result": "done", "gates": []],
        ["time": "2026-01-02T00:00:00Z", "verb": "scale", "finalVerdict": "HOLD", "result": "not carried out (HOLD)", "gates": []],
    ]

    @Test func aCutTailSaysHowFarBackThePageSearched() {
        let html = Page.render(snapshot: nil, journal: JournalTail(entries: entries, isCut: true), filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<p>Searched the newest 2 entries, since 2026-01-01T00:00:00Z. Older decisions are only in the controller's journal file"))
        // Also when nothing in the tail matches: the answer may be older.
        let none = Page.render(snapshot: nil, journal: JournalTail(entries: entries, isCut: true), filter: JournalFilter(query: ["verdict": "DENY"], now: Date(timeIntervalSince1970: 1_800_000_000)),
                               viewer: Principal(user: "v", canApprove: false))
        #expect(none.contains("Searched the newest 2 entries") && none.contains("No matching decisions."))
    }

    @Test func aWholeJournalSaysNothingOfOlderOnes() {
        let html = Page.render(snapshot: nil, journal: JournalTail(entries: entries), filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(!html.contains("Searched the newest"))
        #expect(html.contains("2 matching entries"))
    }
}
