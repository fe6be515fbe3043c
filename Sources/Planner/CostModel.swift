import Model

/// API.md's cost model: a replica costs its CPU cores x cpuCoreHourUSD plus its memory GiB x
/// memoryGiBHourUSD, per hour.
public enum CostModel {
    public static func replicaHourUSD(_ service: ServiceSpec, pricing: Budget.Pricing) -> Double {
        let cores = service.spec.resources?.cpu?.value ?? 0
        let gibibytes = (service.spec.resources?.memory?.value ?? 0) / 1_073_741_824
        return cores * pricing.cpuCoreHourUSD + gibibytes * pricing.memoryGiBHourUSD
    }

    /// The Budget that covers a service: same namespace, selector matches its labels. The first by
    /// name when several do, so the answer is stable.
    public static func budget(for service: ServiceSpec, in budgets: [Budget]) -> Budget? {
        budgets
            .filter { $0.ref.namespace == service.ref.namespace && $0.spec.selector.matches(service.metadata.labels ?? [:]) }
            .min { $0.metadata.name < $1.metadata.name }
    }
}
