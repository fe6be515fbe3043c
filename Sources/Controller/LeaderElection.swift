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
        guard leaseDuration > renewDeadline, renewDeadline > retryPeriod * 1.2 else {
            throw ConfigurationProblem("leader election needs lease duration > renew deadline > retry period x 1.2")
        }
    }
}

public struct ConfigurationProblem: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What one look at the Lease decides, as client-go's leader election does it. Pure: the caller
/// passes the lease as read, when it last saw that lease change (on its own clock), and now.
public enum LeaseDecision: Equatable, Sendable {
    /// No lease yet: create it, holding it.
    case create
    /// Ours, or free, or its holder stopped renewing: write it as ours (renew or take over).
    case acquire(takeover: Bool)
    /// Someone else holds it and renewed within the lease duration: wait.
    case follow(holder: String)

    public static func decide(holder: String?, leaseDurationSeconds: Int?, lastChange: Date?, identity: String, now: Date) -> LeaseDecision {
        guard let holder else { return .create }
        if holder == identity || holder.isEmpty { return .acquire(takeover: false) }
        let duration = TimeInterval(leaseDurationSeconds ?? 15)
        // Expiry is judged by when *we* saw the record change, never by the holder's clock.
        if let lastChange, now.timeIntervalSince(lastChange) < duration { return .follow(holder: holder) }
        return .acquire(takeover: true)
    }
}

/// Holds a coordination.k8s.io/v1 Lease while this replica leads. Only the leader acts; when it
/// cannot renew within the renew deadline it stops leading at once.
public final class LeaderElector: Sendable {
    public let name: String
    public let namespace: String
    public let identity: String
    public let timing: LeaseTiming
    private let cluster: ClusterAccess
    private let clock: WallClock
    private let logger: Logger
    private let leading = Atomic<Bool>(false)
    /// The lease as last read, and when (our clock) it last changed.
    private let observed = Mutex<(record: String?, changed: Date?)>((nil, nil))

    public init(cluster: ClusterAccess, name: String, namespace: String, identity: String, timing: LeaseTiming = LeaseTiming(), clock: WallClock = .system,
                logger: Logger) {
        self.cluster = cluster
        self.name = name
        self.namespace = namespace
        self.identity = identity
        self.timing = timing
        self.clock = clock
        self.logger = logger
    }

    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// Tries to acquire or renew every retry period until cancelled; leadership is lost when
    /// renewals fail for longer than the renew deadline.
    public func run() async {
        var lastRenewal: ContinuousClock.Instant?
        while !Task.isCancelled {
            let succeeded = await tryAcquireOrRenew()
            let now = ContinuousClock.now
            if succeeded {
                if !isLeader { logger.notice("became leader", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"]) }
                leading.store(true, ordering: .releasing)
                lastRenewal = now
            } else if isLeader, let last = lastRenewal, now - last > timing.renewDeadline {
                logger.warning("lost leadership: could not renew the lease within the renew deadline", metadata: ["lease": "\(namespace)/\(name)"])
                leading.store(false, ordering: .releasing)
            }
            try? await Task.sleep(for: timing.retryPeriod)
        }
    }

    /// Gives the lease up on shutdown, as client-go's ReleaseOnCancel does, so a successor need not wait.
    public func release() async {
        guard isLeader else { return }
        leading.store(false, ordering: .releasing)
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
        let lastChange = observed.withLock { state -> Date? in
            if state.record != record { state = (record, now) }
            return state.changed
        }
        let decision = LeaseDecision.decide(
            holder: existing == nil ? nil : (holder ?? ""), leaseDurationSeconds: existing?["spec"]?["leaseDurationSeconds"]?.intValue,
            lastChange: lastChange, identity: identity, now: now)
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
