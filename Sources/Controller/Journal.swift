import Foundation
import JSON
import Planner
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The decision journal: one JSON line per decision (time, action, inputs, verdicts, actor, result),
/// the answer to "why did it (not) scale?". Appended, never rewritten.
///
/// Three kinds of line: a decision (`verb` ... `result`), an incident (`incident`), and an intent
/// (`intent`, holding the verb): written before an action goes to the cluster, so that a crash
/// between sending and journaling leaves a trace. Its decision line, with the same `id`, follows
/// once the answer is known; an intent with none after it is looked up in the cluster on the next
/// start (`JournalRecovery`). Readers of decisions skip intent lines.
public struct Journal: Sendable {
    public let path: String
    /// An append that would take the file past this many bytes first renames it to `path.1`
    /// (replacing the older one): the journal holds at most twice this.
    public var maxBytes: Int
    /// Readers look at most this many bytes from the end (of the file, and of `path.1` when the
    /// file is shorter): a journal of months is never read whole.
    public var tailBytes: Int

    public static let defaultMaxBytes = 64 << 20
    public static let defaultTailBytes = 4 << 20

    public init(path: String, maxBytes: Int = Journal.defaultMaxBytes, tailBytes: Int = Journal.defaultTailBytes) {
        self.path = path
        self.maxBytes = max(1, maxBytes)
        self.tailBytes = max(1, tailBytes)
    }

    /// The rotated, older file.
    public var previousPath: String { path + ".1" }

    /// `$HMS_JOURNAL`, else `$XDG_STATE_HOME/hms/journal.jsonl`, else `~/.local/state/hms/journal.jsonl`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["HMS_JOURNAL"], !explicit.isEmpty { return explicit }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return state + "/hms/journal.jsonl"
    }

    /// One line of the journal (the core decides its members: see `JournalLine`).
    public typealias Entry = JournalLine.Members

    /// The decision line that completes an intent found without one after a crash: the intent's
    /// members (its actor is who acted), the verb back under `verb`, what the cluster shows as the
    /// result, and who found it out.
    public static func recovered(intent: JSONValue, result: String, recoveredBy: String, time: String) -> Entry {
        var members: Entry = [("time", .string(time))]
        for name in ["actor", "id"] { members.append((name, intent[name] ?? .null)) }
        members.append(("verb", intent["intent"] ?? .null))
        for name in ["source", "target", "from", "to", "requested", "reason", "costDeltaUSDPerHour", "gates", "finalVerdict"] {
            members.append((name, intent[name] ?? .null))
        }
        return members + [("result", .string(result)), ("recoveredBy", .string(recoveredBy))]
    }

    public static func isIntent(_ entry: JSONValue) -> Bool { entry["intent"] != nil }

    /// The intents of `entries` (in file order) that no later decision line with the same id
    /// completes, oldest first.
    public static func unfinishedIntents(_ entries: [JSONValue]) -> [JSONValue] {
        var pending: [(id: String, intent: JSONValue)] = []
        for entry in entries {
            guard let id = entry["id"]?.stringValue else { continue }
            if isIntent(entry) {
                pending.append((id, entry))
            } else if entry["result"] != nil, let index = pending.firstIndex(where: { $0.id == id }) {
                pending.remove(at: index)
            }
        }
        return pending.map(\.intent)
    }

    /// One writer at a time in this process: the size check, the rotation and the write go together.
    private static let writing = Mutex<Int>(0)

    /// Appends the entries with one `write(2)` on a file opened for appending: once it returns, the
    /// lines are the kernel's and survive the process being killed (not a power cut: no fsync, as
    /// a large apply journals thousands of actions). A last line torn by a crash is ended first, so
    /// that it spoils only itself.
    public func append(_ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 512)
        for entry in entries {
            JSONValue.writeObject(entry, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.writing.withLock { _ in
            var descriptor = try open()
            defer { close(descriptor) }
            var size = try Self.size(descriptor, path)
            if size > 0, size + bytes.count > maxBytes {
                guard rename(path, previousPath) == 0 else { throw JournalError.system("rename \(path)", errno) }
                close(descriptor)
                descriptor = try open()
                size = 0
            }
            if size > 0 {
                var last: UInt8 = 0
                if pread(descriptor, &last, 1, off_t(size - 1)) == 1, last != UInt8(ascii: "\n") {
                    bytes.insert(UInt8(ascii: "\n"), at: 0)
                }
            }
            try Self.writeAll(descriptor, bytes, path)
        }
    }

    private func open() throws -> Int32 {
        let descriptor = Glibc.open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError.system("open \(path)", errno) }
        return descriptor
    }

    private static func size(_ descriptor: Int32, _ path: String) throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw JournalError.system("stat \(path)", errno) }
        return Int(info.st_size)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], _ path: String) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw JournalError.system("write \(path)", errno)
            }
            written += count
        }
    }

    /// The decisions and incidents of the journal's tail, oldest first (intent lines left out).
    public func read() throws -> [JSONValue] {
        try readDecisions().entries
    }

    /// The decisions and incidents of the journal's tail, and whether older lines were left out.
    public func readDecisions() throws -> JournalTail {
        let (lines, cut) = try readTailLines()
        return JournalTail(entries: lines.filter { !Self.isIntent($0) }, isCut: cut)
    }

    /// Every line of the journal's tail (at most `tailBytes`, from `path.1` too when the file is
    /// shorter), oldest first. A line cut by the tail's start, or torn by a crash, is left out.
    public func readTail() throws -> [JSONValue] {
        try readTailLines().lines
    }

    /// `cut` when the journal holds lines before the tail: in the file, or in `path.1`.
    private func readTailLines() throws -> (lines: [JSONValue], cut: Bool) {
        let current = try Self.tail(of: path, bytes: tailBytes)
        var data = current.bytes
        var cut = current.cut
        if !current.cut, current.bytes.count < tailBytes {
            let older = try Self.tail(of: previousPath, bytes: tailBytes - current.bytes.count)
            data = older.bytes + [UInt8(ascii: "\n")] + data
            cut = older.cut
        } else if !current.cut {
            cut = FileManager.default.fileExists(atPath: previousPath)
        }
        return (Self.lines(data), cut)
    }

    /// Parses JSON lines, skipping any that does not parse (a line torn by a crash).
    static func lines(_ data: [UInt8]) -> [JSONValue] {
        data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONValue(parsing: Array($0)) }
    }

    /// The last `bytes` of a file (none when it does not exist), from a line's start; `cut` when
    /// the file is longer.
    static func tail(of path: String, bytes limit: Int) throws -> (bytes: [UInt8], cut: Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ([], false) }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let start = size > UInt64(limit) ? size - UInt64(limit) : 0
        try handle.seek(toOffset: start)
        var data = [UInt8](try handle.readToEnd() ?? Data())
        guard start > 0 else { return (data, false) }
        // Drop the partial first line.
        if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
            data.removeSubrange(..<data.index(after: newline))
        } else {
            data.removeAll()
        }
        return (data, true)
    }
}

public enum JournalError: Error, CustomStringConvertible {
    case system(String, Int32)
    /// An append made while actions were carried out failed.
    case append(String)

    public var description: String {
        switch self {
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        case .append(let message): message
        }
    }
}

/// The journal's part in carrying out one pass's actions: an intent line before each action goes
/// to the cluster, its decision line as soon as the answer is in.
final class ActionJournal: Sendable {
    let journal: Journal
    let actor: String
    let time: String
    private let state = Mutex<(ids: Set<String>, failure: String?)>(([], nil))

    init(journal: Journal, actor: String, time: String) {
        self.journal = journal
        self.actor = actor
        self.time = time
    }

    /// The ids whose decision line is written, and the first append that failed.
    var journaled: (ids: Set<String>, failure: String?) { state.withLock { $0 } }

    func attach(to executor: inout Executor) {
        executor.willAct = { [self] action in try journal.append([JournalLine.intent(action, actor: actor, time: time)]) }
        executor.didAct = { [self] outcome in
            do {
                try journal.append([JournalLine.decision(outcome.action, actor: actor, result: outcome.journalText, time: time)])
                state.withLock { _ = $0.ids.insert(outcome.action.id) }
            } catch {
                state.withLock { $0.failure = $0.failure ?? "\(error)" }
            }
        }
    }
}
