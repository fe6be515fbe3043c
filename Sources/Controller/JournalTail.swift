import JSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a reader found at the end of the journal: its decisions and incidents, oldest first,
/// and whether the journal holds older lines than these (the tail was cut, or `path.1` was).
public struct JournalTail: Sendable, Equatable, ExpressibleByArrayLiteral {
    public var entries: [JSONValue]
    public var isCut: Bool

    public init(entries: [JSONValue] = [], isCut: Bool = false) {
        self.entries = entries
        self.isCut = isCut
    }

    /// A whole journal of these entries.
    public init(arrayLiteral entries: JSONValue...) {
        self.init(entries: entries)
    }
}

/// The journal's files as `stat` sees them. A parsed tail stands for the journal as long as its
/// stamp is the same: an append changes the file's size, a rotation the inode of both files, an
/// edit in place the modification time.
public struct JournalStamp: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var modifiedSeconds: Int64
        public var modifiedNanoseconds: Int64
    }

    /// Nil when the file does not exist.
    public var current: File?
    public var previous: File?

    static func file(_ path: String) -> File? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return File(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                    modifiedSeconds: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int64(info.st_mtim.tv_nsec))
    }
}

extension Journal {
    /// What the console's page searches: the newest MiB (about 1,600 lines), parsed in about 10 ms
    /// where 4 MiB took 85 ms on every load. Older decisions stay in the file, for `jq`.
    public static let consoleTailBytes = 1 << 20

    public func stamp() -> JournalStamp {
        JournalStamp(current: JournalStamp.file(path), previous: JournalStamp.file(previousPath))
    }
}

/// The console's reader of the journal: the tail is read and parsed once per change of the files,
/// and that parse is shared by every page load until the next change. One read at a time: while
/// it runs, other loads get the tail before it (a few lines behind, for the time of one parse),
/// or wait for it when there is none yet. So a page load costs one parse at most, and memory
/// holds at most two parsed tails however many loads run at once.
public final class JournalTailCache: Sendable {
    public let journal: Journal
    private let cached = Mutex<(stamp: JournalStamp, tail: JournalTail, reads: Int)?>(nil)
    /// Held while reading.
    let reading = Mutex<Void>(())

    public init(journal: Journal) {
        self.journal = journal
    }

    public func tail() throws -> JournalTail {
        // The stamp before the read: an append during it makes the next load read again, never
        // leaves a stale tail under a new stamp.
        let stamp = journal.stamp()
        if let tail = tail(for: stamp) { return tail }
        if let tail = try reading.withLockIfAvailable({ _ in try read(stamp) }) { return tail }
        if let previous = cached.withLock({ $0?.tail }) { return previous }
        return try reading.withLock { _ in try read(journal.stamp()) }
    }

    /// How many times the files were read, for the tests.
    var reads: Int { cached.withLock { $0?.reads ?? 0 } }

    private func tail(for stamp: JournalStamp) -> JournalTail? {
        cached.withLock { $0?.stamp == stamp ? $0?.tail : nil }
    }

    /// Under `reading`: the load that read before this one may have read these very files.
    private func read(_ stamp: JournalStamp) throws -> JournalTail {
        if let tail = tail(for: stamp) { return tail }
        let tail = try journal.readDecisions()
        cached.withLock { $0 = (stamp, tail, ($0?.reads ?? 0) + 1) }
        return tail
    }
}
