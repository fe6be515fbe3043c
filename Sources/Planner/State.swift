import Foundation
import JSON
import Model

/// Identifies an object: kind, namespace and name.
public struct ObjectRef: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public static func < (left: ObjectRef, right: ObjectRef) -> Bool {
        (left.namespace, left.name, left.kind) < (right.namespace, right.name, right.kind)
    }

    public var description: String { "\(kind) \(namespace)/\(name)" }
}

/// What the operators declared: our resources, as decoded from manifests or read from the cluster.
public struct DesiredState: Sendable {
    public var services: [ServiceSpec] = []
    public var autoscaleRules: [AutoscaleRule] = []
    public var budgets: [Budget] = []
    public var directives: [Directive] = []
    public var policies: [GovernancePolicy] = []
    public var approvals: [Approval] = []

    public init(_ resources: [AnyResource] = []) {
        for resource in resources {
            switch resource {
            case .serviceSpec(let service): services.append(service)
            case .autoscaleRule(let rule): autoscaleRules.append(rule)
            case .budget(let budget): budgets.append(budget)
            case .directive(let directive): directives.append(directive)
            case .governancePolicy(let policy): policies.append(policy)
            case .approval(let approval): approvals.append(approval)
            }
        }
    }
}

/// What the cluster holds, as the observer read it: the raw objects, with the few readings the
/// planner needs.
public struct ObservedState: Sendable {
    public var deployments: [ObjectRef: JSONValue] = [:]
    public var services: [ObjectRef: JSONValue] = [:]
    /// Pods by owning Deployment, each with how many health checks it failed in a row.
    public var pods: [ObjectRef: [ObservedPod]] = [:]

    public init() {}

    public init(deployments: [JSONValue], services: [JSONValue] = [], pods: [ObservedPod] = []) {
        for deployment in deployments {
            self.deployments[Self.ref("Deployment", deployment)] = deployment
        }
        for service in services {
            self.services[Self.ref("Service", service)] = service
        }
        for pod in pods {
            self.pods[ObjectRef(kind: "Deployment", namespace: pod.namespace, name: pod.deployment), default: []].append(pod)
        }
    }

    static func ref(_ kind: String, _ object: JSONValue) -> ObjectRef {
        ObjectRef(
            kind: kind, namespace: object[path: ["metadata", "namespace"]]?.stringValue ?? "default",
            name: object[path: ["metadata", "name"]]?.stringValue ?? "")
    }
}

public struct ObservedPod: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var deployment: String
    public var ready: Bool
    /// Consecutive failed health checks (the kubelet's `Unhealthy` event count).
    public var failedHealthChecks: Int

    public init(namespace: String, name: String, deployment: String, ready: Bool, failedHealthChecks: Int) {
        self.namespace = namespace
        self.name = name
        self.deployment = deployment
        self.ready = ready
        self.failedHealthChecks = failedHealthChecks
    }
}

/// Money already spent, per Budget, this month. Kept in each Budget's status, so it survives restarts.
public struct Ledger: Sendable, Equatable {
    public var spentUSD: [ObjectRef: Double]

    public init(spentUSD: [ObjectRef: Double] = [:]) { self.spentUSD = spentUSD }

    /// Reads the spend from the Budgets' status, counting only the current month's.
    public init(budgets: [Budget], now: Date) {
        var spent: [ObjectRef: Double] = [:]
        let month = Self.month(of: now)
        for budget in budgets where budget.status?.month == month {
            spent[budget.ref] = budget.status?.spentUSD ?? 0
        }
        spentUSD = spent
    }

    /// `2026-11`: months are UTC calendar months.
    public static func month(of date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    /// Hours from `now` to the start of the next UTC month.
    public static func hoursLeftInMonth(_ now: Date) -> Double {
        let calendar = Calendar.utc
        let start = calendar.dateInterval(of: .month, for: now)
        let end = start.map { $0.end } ?? now
        return max(0, end.timeIntervalSince(now) / 3600)
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()
}

extension Resource {
    /// This resource's reference; the namespace defaults as kubectl's does.
    public var ref: ObjectRef {
        ObjectRef(kind: Self.kind, namespace: metadata.namespace ?? "default", name: metadata.name)
    }
}
