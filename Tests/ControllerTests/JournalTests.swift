import Foundation
@testable import Controller
import JSON
@testable import Planner
import Testing

/// The journal is JSON lines, appended: each line reads time first, and reads back whole.
@Suite(.tags(.unit)) struct JournalTests {
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

    func temporaryJournal(maxBytes: Int = Journal.defaultMaxBytes, tailBytes: Int = Journal.defaultTailBytes) -> Journal {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        return Journal(path: directory.appendingPathComponent("j.jsonl").path, maxBytes: maxBytes, tailBytes: tailBytes)
    }

    func remove(_ journal: Journal) {
        try? FileManager.default.removeItem(atPath: (journal.path as NSString).deletingLastPathComponent)
    }

    func action(_ id: String) -> Action {
        var other = action
        other.id = id
        return other
    }

    @Test func anIntentIsFinishedByTheResultThatFollowsIt() throws {
        let journal = temporaryJournal()
        defer { remove(journal) }
        try journal.append([Journal.intent(action("a1"), actor: "beta", time: "2026-11-26T10:00:00Z")])
        try journal.append([Journal.intent(action("a2"), actor: "beta", time: "2026-11-26T10:00:00Z")])
        try journal.append([Journal.entry(action("a1"), actor: "beta", result: "done", time: "2026-11-26T10:00:00Z")])

        let lines = try String(contentsOfFile: journal.path, encoding: .utf8).split(separator: "\n")
        #expect(lines[0].hasPrefix(#"{"time":"2026-11-26T10:00:00Z","actor":"beta","id":"a1","intent":"scale","source":{"#))
        #expect(!lines[0].contains(#""verb""#) && !lines[0].contains(#""result""#))
        let all = try journal.readTail()
        #expect(Journal.unfinishedIntents(all).map { $0["id"] } == ["a2"])
        // Readers of decisions see the decision only.
        #expect(try journal.read().map { $0["id"] } == ["a1"])
        // A result before an intent of the same id does not finish it: the action was sent again.
        try journal.append([Journal.intent(action("a1"), actor: "gamma", time: "2026-11-26T10:01:00Z")])
        #expect(Journal.unfinishedIntents(try journal.readTail()).map { $0["id"] } == ["a2", "a1"])
    }

    @Test func aRecoveredResultIsADecisionLineThatSaysWhoFoundIt() throws {
        let intent = try JSONValue(parsing: Array({ () -> [UInt8] in
            var bytes: [UInt8] = []
            JSONValue.writeObject(Journal.intent(action, actor: "beta", time: "2026-11-26T10:00:00Z"), to: &bytes)
            return bytes
        }()))
        var bytes: [UInt8] = []
        JSONValue.writeObject(Journal.recovered(intent: intent, result: "done", recoveredBy: "gamma", time: "2026-11-26T10:05:00Z"), to: &bytes)
        let line = String(decoding: bytes, as: UTF8.self)
        #expect(line.hasPrefix(#"{"time":"2026-11-26T10:05:00Z","actor":"beta","id":"act-1","verb":"scale","source":{"#))
        #expect(line.hasSuffix(#""finalVerdict":"HOLD","result":"done","recoveredBy":"gamma"}"#))
        #expect(Journal.unfinishedIntents([intent, try JSONValue(parsing: bytes)]).isEmpty)
    }

    @Test func whatTheClusterShowsIsTheRecoveredResult() {
        let deployment: JSONValue = ["metadata": ["name": "web"], "spec": ["replicas": 12, "template": ["spec": ["containers": [["image": "svc:2.0"]]]]]]
        #expect(JournalRecovery.result(verb: .scale, to: "12", object: deployment) == "done")
        #expect(JournalRecovery.result(verb: .scale, to: "14", object: deployment) == "unknown: 12 replicas, not 14")
        #expect(JournalRecovery.result(verb: .update, to: "svc:2.0", object: deployment) == "done")
        #expect(JournalRecovery.result(verb: .update, to: "svc:3.0", object: deployment) == "unknown: image svc:2.0, not svc:3.0")
        #expect(JournalRecovery.result(verb: .deploy, to: "2", object: deployment) == "done")
        #expect(JournalRecovery.result(verb: .deploy, to: "2", object: nil) == "unknown: not found")
        #expect(JournalRecovery.result(verb: .delete, to: "0", object: nil) == "done")
        #expect(JournalRecovery.result(verb: .delete, to: "0", object: deployment) == "unknown: still there")
    }

    @Test func aLastLineTornByACrashSpoilsOnlyItself() throws {
        let journal = temporaryJournal()
        defer { remove(journal) }
        try journal.append([Journal.entry(action("a1"), actor: "beta", result: "done", time: "2026-11-26T10:00:00Z")])
        // The process died halfway through a line.
        let handle = try #require(FileHandle(forWritingAtPath: journal.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"time":"2026-11-26T10:00:01Z","actor":"be"#.utf8))
        try handle.close()
        try journal.append([Journal.entry(action("a2"), actor: "gamma", result: "done", time: "2026-11-26T10:00:02Z")])
        #expect(try journal.read().map { $0["id"] } == ["a1", "a2"])
    }

    @Test func theJournalRotatesBySizeAndKeepsOneOlderFile() throws {
        let line = Journal.entry(action("a0"), actor: "beta", result: "done", time: "2026-11-26T10:00:00Z")
        var one: [UInt8] = []
        JSONValue.writeObject(line, to: &one)
        let journal = temporaryJournal(maxBytes: (one.count + 1) * 2)
        defer { remove(journal) }
        for index in 0..<5 {
            try journal.append([Journal.entry(action("a\(index)"), actor: "beta", result: "done", time: "2026-11-26T10:00:00Z")])
        }
        let current = try String(contentsOfFile: journal.path, encoding: .utf8)
        let older = try String(contentsOfFile: journal.previousPath, encoding: .utf8)
        #expect(current.split(separator: "\n").count == 1)
        #expect(older.split(separator: "\n").count == 2)
        #expect(try journal.read().map { $0["id"] } == ["a2", "a3", "a4"])
    }

    @Test func readersReadABoundedTail() throws {
        let journal = temporaryJournal(tailBytes: 1200)
        defer { remove(journal) }
        for index in 0..<50 {
            try journal.append([Journal.entry(action("a\(index)"), actor: "beta", result: "done", time: "2026-11-26T10:00:00Z")])
        }
        let ids = try journal.read().compactMap { $0["id"]?.stringValue }
        #expect(!ids.isEmpty && ids.count < 50)
        #expect(ids.last == "a49")
        // Consecutive from where the tail starts: the line the cut went through is left out whole.
        let first = Int(ids[0].dropFirst()) ?? -1
        #expect(ids == (first..<50).map { "a\($0)" })
    }
}
