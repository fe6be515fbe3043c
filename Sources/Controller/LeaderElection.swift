import Foundation
import JSON
import Kube
import Logging
import Model
import Synchronization

/// The timing of leader election, with client-go's defaults (15 s lease, 10 s renew deadline, 2 s
/// retry) and its rule that lease duration > renew deadline > retry period x 1.2.
public struct LeaseTiming: Sendable, Equatable {
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)

    public init() {}

    public func validate() throws(ConfigurationProblem) {
        guard leaseDuration > renewDeadline, renewDeadline > retryPeriod * 1.2, retryPeriod > .zero else {
            throw ConfigurationProblem("leader election needs lease duration > renew deadline > retry period x 1.2 > 0")
        }
        // The Lease records whole seconds.
        guard leaseDuration >= .seconds(1) else { throw ConfigurationProblem("the lease duration must be at least 1s") }
    }
}

public struct ConfigurationProblem: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What one look at the Lease decides, as client-go's leader election does it. Pure: the caller
/// passes the lease as read and how long ago, on its own monotonic clock, it saw that lease change.
public enum LeaseDecision: Equatable, Sendable {
    /// No lease yet: create it, holding it.
    case create
    /// Ours, or free, or its holder stopped renewing: write it as ours (renew or take over).
    case acquire(takeover: Bool)
    /// Someone else holds it and renewed within the lease duration: wait.
    case follow(holder: String)

    /// `unchangedFor` is how long the holder and renew time have stayed as they are, as this replica
    /// measured it: expiry is never judged by the holder's stamps, nor by a wall clock that can jump.
    public static func decide(holder: String?, leaseDurationSeconds: Int?, unchangedFor: Duration, identity: String) -> LeaseDecision {
        guard let holder else { return .create }
        if holder == identity || holder.isEmpty { return .acquire(takeover: false) }
        if unchangedFor < .seconds(leaseDurationSeconds ?? 15) { return .follow(holder: holder) }
        return .acquire(takeover: true)
    }
}

/// Holds a coordination.k8s.io/v1 Lease while this replica leads. Only the leader acts. Leading
/// lasts the renew deadline past the start of the last renewal that succeeded, measured on the
/// monotonic clock: a renewal that hangs (a dead connection, a slow server) ends leadership on time
/// although its request has not returned, as client-go bounds each renew by the renew deadline.
/// Others take over only after the lease duration, longer than the renew deadline, so two
/// replicas never act at once.
public final class LeaderElector: Sendable {
    public let name: String
    public let namespace: String
    public let identity: String
    public let timing: LeaseTiming
    private let cluster: ClusterAccess
    /// Stamps written into the Lease, for people and other tools to read.
    private let clock: WallClock
    /// What every decision measures time on.
    private let monotonic: WaitingClock
    private let logger: Logger
    /// When the last successful acquire or renew started; nil when not leading.
    private let renewed = Mutex<ContinuousClock.Instant?>(nil)
    /// The lease as last read, and when (on the monotonic clock) it last changed.
    private let observed = Mutex<(record: String?, changed: ContinuousClock.Instant?)>((nil, nil))

    public init(cluster: ClusterAccess, name: String, namespace: String, identity: String, timing: LeaseTiming = LeaseTiming(),
                clock: WallClock = .system, monotonic: WaitingClock = .continuous, logger: Logger) {
        self.cluster = cluster
        self.name = name
        self.namespace = namespace
        self.identity = identity
        self.timing = timing
        self.clock = clock
        self.monotonic = monotonic
        self.logger = logger
    }

    public var isLeader: Bool {
        guard let renewed = renewed.withLock({ $0 }) else { return false }
        return monotonic.now() - renewed < timing.renewDeadline
    }

    /// Tries to acquire or renew every retry period until cancelled. While leading, each attempt
    /// is cut off at the renew deadline.
    public func run() async {
        var wasLeader = false
        while !Task.isCancelled {
            let started = monotonic.now()
            let deadline = renewed.withLock { $0 }.map { $0 + timing.renewDeadline }
            if await attempt(until: deadline) {
                renewed.withLock { $0 = started }
            }
            let leads = isLeader
            if leads, !wasLeader {
                logger.notice("became leader", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
            } else if !leads, wasLeader {
                logger.warning("lost leadership: could not renew the lease within the renew deadline", metadata: ["lease": "\(namespace)/\(name)"])
            }
            if !leads { renewed.withLock { $0 = nil } }
            wasLeader = leads
            try? await monotonic.sleep(for: timing.retryPeriod)
        }
    }

    /// One acquire or renew; given a deadline, abandoned (its request cancelled) when it passes.
    private func attempt(until deadline: ContinuousClock.Instant?) async -> Bool {
        guard let deadline else { return await tryAcquireOrRenew() }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                try? await self.monotonic.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    /// Gives the lease up on shutdown, as client-go's ReleaseOnCancel does, so a successor need not wait.
    public func release() async {
        guard isLeader else { return }
        renewed.withLock { $0 = nil }
        guard var lease = try? await cluster.json(.get(.leases, namespace: namespace, name: name)),
            lease["spec"]?["holderIdentity"]?.stringValue == identity
        else { return }
        let now = JSONValue.string(RFC3339.microString(from: clock.now()))
        lease[path: ["spec", "holderIdentity"]] = ""
        lease[path: ["spec", "leaseDurationSeconds"]] = 1
        lease[path: ["spec", "acquireTime"]] = now
        lease[path: ["spec", "renewTime"]] = now
        _ = try? await cluster.send(.update(.leases, namespace: namespace, name: name, body: lease.jsonBytes))
        logger.notice("released the lease", metadata: ["lease": "\(namespace)/\(name)"])
    }

    func tryAcquireOrRenew() async -> Bool {
        let now = clock.now()
        let seen = monotonic.now()
        let seconds = Int(timing.leaseDuration.components.seconds)
        let existing: JSONValue?
        do {
            existing = try await cluster.getIfPresent(.leases, namespace: namespace, name: name)
        } catch {
            logger.debug("cannot read the lease", metadata: ["error": "\(error)"])
            return false
        }
        let holder = existing?["spec"]?["holderIdentity"]?.stringValue
        let record = existing.map { "\($0["spec"]?["holderIdentity"]?.stringValue ?? "")|\($0["spec"]?["renewTime"]?.stringValue ?? "")" }
        let lastChange = observed.withLock { state -> ContinuousClock.Instant in
            if state.record != record || state.changed == nil { state = (record, seen) }
            return state.changed ?? seen
        }
        let decision = LeaseDecision.decide(
            holder: existing == nil ? nil : (holder ?? ""), leaseDurationSeconds: existing?["spec"]?["leaseDurationSeconds"]?.intValue,
            unchangedFor: seen - lastChange, identity: identity)
        let stamp = JSONValue.string(RFC3339.microString(from: now))
        switch decision {
        case .follow:
            return false
        case .create:
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": ["holderIdentity": .string(identity), "leaseDurationSeconds": .int(seconds),
                         "acquireTime": stamp, "renewTime": stamp, "leaseTransitions": 0],
            ]
            // A 409 means another replica created it first: it leads.
            return (try? await cluster.send(.create(.leases, namespace: namespace, body: lease.jsonBytes))) != nil
        case .acquire(let takeover):
            guard var lease = existing else { return false }
            if takeover || holder != identity {
                lease[path: ["spec", "acquireTime"]] = stamp
                lease[path: ["spec", "leaseTransitions"]] = .int((lease["spec"]?["leaseTransitions"]?.intValue ?? 0) + 1)
            }
            lease[path: ["spec", "holderIdentity"]] = .string(identity)
            lease[path: ["spec", "leaseDurationSeconds"]] = .int(seconds)
            lease[path: ["spec", "renewTime"]] = stamp
            // The update carries the resourceVersion we read: a 409 means someone else wrote first.
            return (try? await cluster.send(.update(.leases, namespace: namespace, name: name, body: lease.jsonBytes))) != nil
        }
    }
}
