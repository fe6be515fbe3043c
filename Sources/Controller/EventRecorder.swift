import Foundation
import JSON
import Kube
import Model
import Planner
import Synchronization

/// Kubernetes Events as client-go's EventCorrelator records them: one Event per decision (the
/// involved object, reason and message; here its name, which the decision determines), created
/// once and, when the decision repeats, counted. The count and lastTimestamp reach the cluster
/// with a PATCH at most once per `patchInterval` (five minutes), so a decision that stands for
/// hours costs one request every five minutes, not one per sync period. What was recorded is kept
/// in a small cache (`capacity` Events, the least recently seen forgotten first); after a restart
/// the cache is empty, and a create answered 409 means the Event exists: it is read and patched.
public final class EventRecorder: Sendable {
    /// An Event to record: the core decides what it is about and what it says.
    public typealias Event = PlannedEvent

    /// What was last written for an Event, and how often it happened since.
    struct Recorded: Sendable, Equatable {
        /// The occurrences so far, the unwritten ones included.
        var count: Int
        /// The count the cluster holds.
        var writtenCount: Int
        var lastWritten: Date
        var lastSeen: Date
    }

    /// The next request for an occurrence of an Event.
    enum Write: Sendable, Equatable {
        /// POST a new Event with count 1.
        case create
        /// PATCH count, lastTimestamp and message.
        case patch(count: Int)
        /// Counted in memory only; a later patch carries it.
        case none
    }

    public let patchInterval: TimeInterval
    public let capacity: Int
    private let cache = Mutex<[String: Recorded]>([:])

    public init(patchInterval: TimeInterval = 300, capacity: Int = 4096) {
        self.patchInterval = patchInterval
        self.capacity = max(1, capacity)
    }

    /// What to write for one more occurrence of an Event last recorded as `recorded` (nil: not
    /// in memory), and what to remember meanwhile.
    static func decide(_ recorded: Recorded?, now: Date, patchInterval: TimeInterval) -> (Write, Recorded?) {
        guard var recorded else { return (.create, nil) }
        recorded.count += 1
        recorded.lastSeen = now
        // A clock that went back does not hold the count back for ever.
        let since = now.timeIntervalSince(recorded.lastWritten)
        guard since >= patchInterval || since < 0 else { return (.none, recorded) }
        return (.patch(count: recorded.count), recorded)
    }

    static func key(_ event: Event) -> String { event.about.namespace + "/" + event.name }

    /// The write for this occurrence; the cache counts it.
    func next(_ event: Event, now: Date) -> Write {
        cache.withLock { cache in
            if !event.countsRepeats, cache[Self.key(event)] != nil { return .none }
            let (write, recorded) = Self.decide(cache[Self.key(event)], now: now, patchInterval: patchInterval)
            if let recorded { cache[Self.key(event)] = recorded }
            return write
        }
    }

    /// The cluster holds `count` for the Event as of `now`.
    func wrote(_ event: Event, count: Int, now: Date) {
        cache.withLock { cache in
            let key = Self.key(event)
            if cache[key] == nil, cache.count >= capacity, let oldest = cache.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
                cache[oldest] = nil
            }
            let seen = max(count, cache[key]?.count ?? count)
            cache[key] = Recorded(count: seen, writtenCount: count, lastWritten: now, lastSeen: now)
        }
    }

    /// Forgets an Event (its write failed, or it is gone): the next occurrence starts again.
    func forget(_ event: Event) {
        _ = cache.withLock { $0.removeValue(forKey: Self.key(event)) }
    }

    var remembered: Int { cache.withLock { $0.count } }

    /// Records one occurrence. Failures are not retried here: the next pass that sees the decision
    /// records it again.
    /// Returns the write the cluster refused, if it refused one (the Event is forgotten, so a
    /// later pass tries again).
    @discardableResult
    public func record(_ event: Event, cluster: ClusterAccess, now: Date) async -> RefusedWrite? {
        switch next(event, now: now) {
        case .none:
            return nil
        case .create:
            do throws(KubeError) {
                try await cluster.send(.create(.events, namespace: event.about.namespace, body: Self.body(event, cluster: cluster, now: now), named: true))
                wrote(event, count: 1, now: now)
                return nil
            } catch {
                guard error.reason == .alreadyExists else { return refused(event, error) }
                guard event.countsRepeats else {
                    wrote(event, count: 1, now: now)
                    return nil
                }
                // Recorded before (by a process that is gone, or another pass): count on from it.
                let stored = try? await cluster.getIfPresent(.events, namespace: event.about.namespace, name: event.name)
                return await patch(event, count: (stored?["count"]?.intValue ?? 1) + 1, cluster: cluster, now: now)
            }
        case .patch(let count):
            return await patch(event, count: count, cluster: cluster, now: now)
        }
    }

    private func patch(_ event: Event, count: Int, cluster: ClusterAccess, now: Date) async -> RefusedWrite? {
        let body: JSONValue = ["count": .int(count), "lastTimestamp": .string(RFC3339.string(from: now)), "message": .string(event.message)]
        do throws(KubeError) {
            try await cluster.send(.patch(.events, namespace: event.about.namespace, name: event.name, type: .merge, body: body.jsonBytes))
            wrote(event, count: count, now: now)
            return nil
        } catch {
            return refused(event, error)
        }
    }

    private func refused(_ event: Event, _ error: KubeError) -> RefusedWrite {
        forget(event)
        return RefusedWrite(kind: "Event", namespace: event.about.namespace, name: event.name, error: error)
    }

    static func body(_ event: Event, cluster: ClusterAccess, now: Date) -> [UInt8] {
        let time = JSONValue.string(RFC3339.string(from: now))
        var involved: JSONValue = [
            "apiVersion": .string(API.apiVersion), "kind": .string(event.about.kind.name), "namespace": .string(event.about.namespace),
            "name": .string(event.about.name),
        ]
        if let uid = event.uid { involved["uid"] = .string(uid) }
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "Event", "metadata": ["name": .string(event.name), "namespace": .string(event.about.namespace)],
            "involvedObject": involved, "type": .string(event.type), "reason": .string(event.reason), "message": .string(event.message),
            "firstTimestamp": time, "lastTimestamp": time, "count": 1,
            "source": ["component": .string(cluster.fieldManager)], "reportingComponent": .string(cluster.fieldManager),
        ]
        return object.jsonBytes
    }
}
