import Foundation
import Model

/// The cost model (the README's Budget reference): a replica costs its CPU cores x cpuCoreHourUSD plus its memory GiB x
/// memoryGiBHourUSD, per hour.
public enum CostModel {
    public static func replicaHourUSD(_ service: ServiceSpec, pricing: Budget.Pricing) -> Double {
        let cores = service.spec.resources?.cpu?.doubleValue ?? 0
        let gibibytes = (service.spec.resources?.memory?.doubleValue ?? 0) / 1_073_741_824
        return cores * pricing.cpuCoreHourUSD + gibibytes * pricing.memoryGiBHourUSD
    }

    /// The Budget that covers a service: same namespace, selector matches its labels. The first by
    /// name when several do, so the answer is stable.
    public static func budget(for service: ServiceSpec, in budgets: [Budget]) -> Budget? {
        budget(forLabels: service.metadata.labels ?? [:], in: budgets.filter { $0.ref.namespace == service.ref.namespace })
    }

    /// The first Budget by name whose selector matches `labels` (budgets of one namespace).
    static func budget(forLabels labels: [String: String], in budgets: [Budget]) -> Budget? {
        budgets.filter { $0.spec.selector.matches(labels) }.min { $0.metadata.name < $1.metadata.name }
    }

    /// What one of a Directive's jobs costs per hour while it runs: its template's requests, priced
    /// like a replica.
    public static func jobHourUSD(_ directive: Directive, pricing: Budget.Pricing) -> Double {
        let cores = directive.spec.template.resources?.cpu?.doubleValue ?? 0
        let gibibytes = (directive.spec.template.resources?.memory?.doubleValue ?? 0) / 1_073_741_824
        return cores * pricing.cpuCoreHourUSD + gibibytes * pricing.memoryGiBHourUSD
    }

    /// A job runs at most `maxRuntimeSeconds` (the cluster stops it then); without one, an hour is
    /// assumed.
    public static let assumedJobRuntimeSeconds = 3_600

    /// The most one attempt of a job can cost: its hourly price for its longest run.
    public static func jobCostUSD(_ directive: Directive, pricing: Budget.Pricing) -> Double {
        jobHourUSD(directive, pricing: pricing) * Double(directive.spec.maxRuntimeSeconds ?? assumedJobRuntimeSeconds) / 3_600
    }
}
