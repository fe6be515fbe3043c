import Foundation
@testable import Controller
import JSON
@testable import Planner
import Testing

/// The journal is JSON lines, appended: each line reads time first, and reads back whole.
struct JournalTests {
    let action = Action(
        id: "act-1", source: ObjectRef(kind: "ServiceSpec", namespace: "gov", name: "web"),
        target: ObjectRef(kind: "Deployment", namespace: "gov", name: "web"), verb: .scale,
        from: "10", to: "12", requested: "14", reason: "manifest", costDeltaUSDPerHour: 0.25,
        gates: [GateVerdict(gate: "governance", verdict: .hold, reason: "[max-replicas] 12 replicas need \"approval\"")],
        manifests: [])

    @Test func linesAreAppendedTimeFirstAndReadBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)/j.jsonl").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let journal = Journal(path: path)
        try journal.append([Journal.entry(action, actor: "alice", result: "not carried out (HOLD)", time: "2026-11-26T10:00:00Z")])
        try journal.append([Journal.entry(action, actor: "bob", result: "done", time: "2026-11-26T10:01:00Z")])

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"time":"2026-11-26T10:00:00Z","actor":"alice","id":"act-1","verb":"scale","source":{"#))
        let entries = try journal.read()
        #expect(entries.map { $0["actor"] } == ["alice", "bob"])
        #expect(entries[0]["gates"] == [["gate": "governance", "verdict": "HOLD", "reason": "[max-replicas] 12 replicas need \"approval\""]])
        #expect(entries[0]["requested"] == "14")
        #expect(entries[0]["costDeltaUSDPerHour"] == .double(0.25))
        #expect(entries[0]["finalVerdict"] == "HOLD")
    }
}
