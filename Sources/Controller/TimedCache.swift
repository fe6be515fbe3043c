import Foundation
import Synchronization

/// Values kept for a while by key, bounded: when full, expired entries go first, then everything.
public final class TimedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let seconds: Double
    let capacity: Int
    private let entries = Mutex<[Key: (Value, Date)]>([:])

    public init(seconds: Double, capacity: Int = 1000) {
        self.seconds = seconds
        self.capacity = capacity
    }

    public func get(_ key: Key, now: Date) -> Value? {
        entries.withLock { entries in
            guard let (value, expires) = entries[key] else { return nil }
            if expires > now { return value }
            entries[key] = nil
            return nil
        }
    }

    public func put(_ key: Key, _ value: Value, now: Date) {
        guard seconds > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.1 > now } }
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = (value, now.addingTimeInterval(seconds))
        }
    }
}
