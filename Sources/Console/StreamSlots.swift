import Synchronization

/// Caps on open event streams: a few per caller (tabs of one browser) and a bounded number in
/// all, so that one viewer cannot hold thousands of responses open.
public final class StreamSlots: Sendable {
    public let perCaller: Int
    public let total: Int
    private let open = Mutex<(total: Int, byCaller: [String: Int])>((0, [:]))

    /// Four per caller: a few tabs of one browser.
    public init(perCaller: Int = 4, total: Int) {
        self.perCaller = max(1, perCaller)
        self.total = max(1, total)
    }

    /// Takes a slot for `caller`; false when either cap is reached.
    public func acquire(_ caller: String) -> Bool {
        open.withLock { open in
            let mine = open.byCaller[caller, default: 0]
            guard open.total < total, mine < perCaller else { return false }
            open.total += 1
            open.byCaller[caller] = mine + 1
            return true
        }
    }

    public func release(_ caller: String) {
        open.withLock { open in
            guard let mine = open.byCaller[caller], mine > 0 else { return }
            open.total -= 1
            open.byCaller[caller] = mine > 1 ? mine - 1 : nil
        }
    }

    public var openCount: Int { open.withLock { $0.total } }
}
