import Foundation
@testable import Controller
import JSON
@testable import Planner
import Testing

/// The console reads the journal's tail once per change of its files, and says when it left older
/// lines out.
@Suite(.tags(.unit)) struct JournalTailTests {
    func temporaryJournal(maxBytes: Int = Journal.defaultMaxBytes, tailBytes: Int = Journal.defaultTailBytes) -> Journal {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        return Journal(path: directory.appendingPathComponent("j.jsonl").path, maxBytes: maxBytes, tailBytes: tailBytes)
    }

    func remove(_ journal: Journal) {
        try? FileManager.default.removeItem(atPath: (journal.path as NSString).deletingLastPathComponent)
    }

    func entry(_ id: String) -> Journal.Entry {
        let ref = ObjectRef(kind: "Deployment", namespace: "gov", name: "web")
        let action = Action(id: id, source: ref, target: ref, verb: .scale, from: "1", to: "2", requested: nil, reason: "manifest",
                            costDeltaUSDPerHour: 0, gates: [], manifests: [])
        return Journal.entry(action, actor: "beta", result: "done", time: "2026-11-26T10:00:00Z")
    }

    /// The bytes of one line, newline included.
    var lineBytes: Int {
        var bytes: [UInt8] = []
        JSONValue.writeObject(entry("a0"), to: &bytes)
        return bytes.count + 1
    }

    func ids(_ tail: JournalTail) -> [String] { tail.entries.compactMap { $0["id"]?.stringValue } }

    @Test func theStampChangesWithAnAppendAndARotationAndOnlyThen() throws {
        let journal = temporaryJournal(maxBytes: lineBytes * 2)
        defer { remove(journal) }
        #expect(journal.stamp() == JournalStamp(current: nil, previous: nil))
        try journal.append([entry("a1")])
        let first = journal.stamp()
        #expect(first.current?.size == Int64(lineBytes) && first.previous == nil)
        #expect(journal.stamp() == first)

        try journal.append([entry("a2")])
        let appended = journal.stamp()
        #expect(appended != first)
        #expect(appended.current?.inode == first.current?.inode && appended.current?.size == Int64(lineBytes * 2))

        // Past maxBytes: the file becomes path.1 and a new file starts.
        try journal.append([entry("a3")])
        let rotated = journal.stamp()
        #expect(rotated.previous?.inode == appended.current?.inode)
        #expect(rotated.current?.inode != appended.current?.inode && rotated.current?.size == Int64(lineBytes))
    }

    @Test func theCacheReadsOnceUntilTheJournalChanges() throws {
        let journal = temporaryJournal(maxBytes: lineBytes * 3)
        defer { remove(journal) }
        let cache = JournalTailCache(journal: journal)
        #expect(try cache.tail() == [])
        try journal.append([entry("a1"), entry("a2")])
        #expect(ids(try cache.tail()) == ["a1", "a2"])
        #expect(ids(try cache.tail()) == ["a1", "a2"])
        #expect(cache.reads == 2)

        try journal.append([entry("a3")])
        #expect(ids(try cache.tail()) == ["a1", "a2", "a3"])
        #expect(cache.reads == 3)
        // Rotated: the new file's line and the older file's, read again.
        try journal.append([entry("a4")])
        #expect(ids(try cache.tail()) == ["a1", "a2", "a3", "a4"])
        #expect(journal.stamp().previous != nil)
        #expect(cache.reads == 4)
        #expect(ids(try cache.tail()) == ["a1", "a2", "a3", "a4"])
        #expect(cache.reads == 4)
    }

    @Test func whileOneLoadReadsTheOthersGetThePreviousTail() throws {
        let journal = temporaryJournal()
        defer { remove(journal) }
        let cache = JournalTailCache(journal: journal)
        try journal.append([entry("a1")])
        #expect(ids(try cache.tail()) == ["a1"])
        try journal.append([entry("a2")])
        // A read under way (the lock held here): no second read, the tail before it.
        let meanwhile = try cache.reading.withLock { _ in try cache.tail() }
        #expect(ids(meanwhile) == ["a1"])
        #expect(cache.reads == 1)
        #expect(ids(try cache.tail()) == ["a1", "a2"])
        #expect(cache.reads == 2)
    }

    @Test func theTailSaysWhetherTheJournalHoldsOlderLines() throws {
        let whole = temporaryJournal()
        defer { remove(whole) }
        try whole.append((0..<5).map { entry("a\($0)") })
        #expect(try whole.readDecisions() == JournalTail(entries: try whole.read(), isCut: false))
        #expect(ids(try whole.readDecisions()) == ["a0", "a1", "a2", "a3", "a4"])

        // Cut within the file: the newest whole lines that fit.
        let cut = temporaryJournal(tailBytes: lineBytes * 2 + 10)
        defer { remove(cut) }
        try cut.append((0..<5).map { entry("a\($0)") })
        #expect(ids(try cut.readDecisions()) == ["a3", "a4"])
        #expect(try cut.readDecisions().isCut)

        // Rotated: path.1 read whole is not cut; path.1 read in part is.
        let rotated = temporaryJournal(maxBytes: lineBytes * 2, tailBytes: lineBytes * 3 + 10)
        defer { remove(rotated) }
        try rotated.append([entry("a1"), entry("a2")])
        try rotated.append([entry("a3")])
        #expect(ids(try rotated.readDecisions()) == ["a1", "a2", "a3"])
        #expect(try !rotated.readDecisions().isCut)
        var shorter = rotated
        shorter.tailBytes = lineBytes * 2 + 10
        #expect(ids(try shorter.readDecisions()) == ["a2", "a3"])
        #expect(try shorter.readDecisions().isCut)
    }
}
