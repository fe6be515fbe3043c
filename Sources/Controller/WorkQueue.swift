/// The controller's work queue, with client-go's semantics (`util/workqueue`), as a value: the
/// caller passes the time, so tests drive it with a fake clock.
///
/// - A key queued twice before it is taken is processed once (`dirty`).
/// - A key is never handed out twice at once: one re-added while it is processed waits in `dirty`
///   and is queued again by `done`.
/// - `addRateLimited` waits as long as the larger of the key's exponential backoff and the
///   overall token bucket say; `forget` ends the backoff after a success.
/// - `add(after:)` keeps the earliest time when a key is already waiting.
public struct WorkQueue<Key: Hashable & Sendable>: Sendable {
    public typealias Instant = ContinuousClock.Instant

    private var queue: [Key] = []
    private var head = 0
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var waiting: [Key: Instant] = [:]
    public var backoff: ItemBackoff<Key>
    public var bucket: TokenBucket

    public init(backoff: ItemBackoff<Key> = ItemBackoff(), bucket: TokenBucket = TokenBucket()) {
        self.backoff = backoff
        self.bucket = bucket
    }

    /// Keys ready to be taken (client-go's `Len`, the `hms_queue_depth` metric).
    public var depth: Int { queue.count - head }
    /// Keys waiting for a backoff or a requeue time.
    public var waitingCount: Int { waiting.count }
    public var processingCount: Int { processing.count }
    /// When the earliest waiting key becomes ready.
    public var nextReady: Instant? { waiting.values.min() }

    public mutating func add(_ key: Key) {
        guard !dirty.contains(key) else { return }
        dirty.insert(key)
        guard !processing.contains(key) else { return }
        queue.append(key)
    }

    /// Queues `key` once `delay` has passed; at once when it has none.
    public mutating func add(_ key: Key, after delay: Duration, now: Instant) {
        guard delay > .zero else { return add(key) }
        let ready = now + delay
        if let earlier = waiting[key], earlier <= ready { return }
        waiting[key] = ready
    }

    /// Queues `key` after its backoff: 5 ms, 10 ms, 20 ms ... for each failure in a row, at most
    /// 1,000 s, and never faster than the bucket allows overall. Returns the delay.
    @discardableResult
    public mutating func addRateLimited(_ key: Key, now: Instant) -> Duration {
        let delay = max(backoff.when(key), bucket.reserve(now: now))
        add(key, after: delay, now: now)
        return delay
    }

    /// The key succeeded: its next failure starts the backoff from the beginning.
    public mutating func forget(_ key: Key) { backoff.forget(key) }

    public func requeues(_ key: Key) -> Int { backoff.failures(key) }

    /// Moves the keys whose time has come from waiting into the queue.
    public mutating func promote(now: Instant) {
        let ready = waiting.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (key, _) in ready {
            waiting[key] = nil
            add(key)
        }
    }

    /// The next key to process, marked as processing; nil when none is ready.
    public mutating func next(now: Instant) -> Key? {
        promote(now: now)
        guard head < queue.count else { return nil }
        let key = queue[head]
        head += 1
        if head > 64, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        processing.insert(key)
        dirty.remove(key)
        return key
    }

    /// Every key ready now, each marked as processing: one batch for one reconcile.
    public mutating func nextBatch(now: Instant) -> [Key] {
        var batch: [Key] = []
        while let key = next(now: now) { batch.append(key) }
        return batch
    }

    /// Processing of `key` ended; if it was added meanwhile, it is queued again.
    public mutating func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key) { queue.append(key) }
    }
}

/// Per key exponential backoff, as client-go's `ItemExponentialFailureRateLimiter`: base x 2^n
/// after n failures in a row, at most `cap`.
public struct ItemBackoff<Key: Hashable & Sendable>: Sendable {
    public var base: Duration
    public var cap: Duration
    private var counts: [Key: Int] = [:]

    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000)) {
        self.base = base
        self.cap = cap
    }

    /// How long `key` waits after one more failure.
    public mutating func when(_ key: Key) -> Duration {
        let exponent = counts[key, default: 0]
        counts[key] = exponent + 1
        // 2^exponent overflows long after the cap is reached.
        guard exponent < 40 else { return cap }
        return min(base * (1 << exponent), cap)
    }

    public mutating func forget(_ key: Key) { counts[key] = nil }

    public func failures(_ key: Key) -> Int { counts[key, default: 0] }
}

/// An overall rate limit as a token bucket (client-go: 10 per second, bursts of 100), by
/// reservation: each call takes a token and says how long to wait until it is really there.
public struct TokenBucket: Sendable {
    public var perSecond: Double
    public var burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    public init(perSecond: Double = 10, burst: Int = 100) {
        self.perSecond = perSecond
        self.burst = Double(burst)
        tokens = Double(burst)
    }

    public mutating func reserve(now: ContinuousClock.Instant) -> Duration {
        if let last, now > last {
            tokens = min(burst, tokens + perSecond * (now - last).seconds)
        }
        if last.map({ now > $0 }) ?? true { last = now }
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return .seconds(-tokens / perSecond)
    }
}
