// Times Planner.plan on synthetic clusters of growing size: N ServiceSpecs, each with an
// AutoscaleRule, a Budget and a GovernancePolicy per namespace of 1,000 services, and an observed
// snapshot where 90% are deployed and one in ten of those runs the wrong number of replicas. The
// Deployments are as a server stores our apply (`StoredDeployment`): defaulted, with status and
// managedFields, so the plan compares them through ownership as it does on a cluster.
// Each size is planned several times in a row, each plan handed the renderings of the one
// before, as the controller's passes are: `first_ms` is the first (a start-up, or everything
// changed), `median_ms` the median of the others.
//   hms-bench-plan [N ...]        (default 1000 10000 100000); prints one line per size.
//   hack/bench-plan.sh compares two commits side by side.
import Foundation
import JSON
import Manifests
import Model
import Planner

let template = """
    apiVersion: ops.hms.gov/v1alpha1
    kind: ServiceSpec
    metadata: {name: svc, namespace: ns, labels: {program: bench}}
    spec: {image: registry.gov/svc:1.0, replicas: 3, port: 8080, resources: {cpu: 250m, memory: 256Mi}, healthCheck: {path: /health}}
    ---
    apiVersion: ops.hms.gov/v1alpha1
    kind: AutoscaleRule
    metadata: {name: svc, namespace: ns}
    spec: {target: svc, minReplicas: 2, maxReplicas: 10, metrics: [{type: cpu, targetUtilization: 60}]}
    ---
    apiVersion: ops.hms.gov/v1alpha1
    kind: Budget
    metadata: {name: budget, namespace: ns}
    spec: {selector: {matchLabels: {program: bench}}, monthlyLimitUSD: 1000000, pricing: {cpuCoreHourUSD: 0.0316, memoryGiBHourUSD: 0.0042}}
    ---
    apiVersion: ops.hms.gov/v1alpha1
    kind: GovernancePolicy
    metadata: {name: rules, namespace: ns}
    spec: {maxReplicasWithoutApproval: 10, allowedRegistries: [registry.gov/]}
    """

let decoded = DesiredState(ManifestDecoder().decode(Array(template.utf8), file: "template").manifests.map(\.resource))
guard let service = decoded.services.first, let rule = decoded.autoscaleRules.first,
    let budget = decoded.budgets.first, let policy = decoded.policies.first
else { fatalError("the template does not decode") }

func scenario(_ count: Int) -> (DesiredState, ObservedState) {
    var desired = DesiredState()
    var deployments: [JSONValue] = []
    var services: [JSONValue] = []
    for index in 0..<count {
        let namespace = "ns-\(index / 1000)"
        let name = "svc-\(index)"
        var copy = service
        copy.metadata.name = name
        copy.metadata.namespace = namespace
        copy.metadata.uid = "uid-\(index)"
        desired.services.append(copy)
        var scaler = rule
        scaler.metadata.name = name
        scaler.metadata.namespace = namespace
        scaler.spec.target = name
        desired.autoscaleRules.append(scaler)
        if index % 1000 == 0 {
            var namespaceBudget = budget
            namespaceBudget.metadata.namespace = namespace
            desired.budgets.append(namespaceBudget)
            var rules = policy
            rules.metadata.namespace = namespace
            desired.policies.append(rules)
        }
        if index % 10 != 9 {
            deployments.append(StoredDeployment.stored(copy, replicas: index % 10 == 0 ? 5 : 3))
            if let front = Rendering.service(copy) { services.append(front) }
        }
    }
    return (desired, ObservedState(deployments: deployments, services: services))
}

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let now = Date()
for count in sizes.isEmpty ? [1000, 10000, 100_000] : sizes {
    let (desired, observed) = scenario(count)
    let ledger = Ledger(budgets: desired.budgets, now: now)
    let before = residentMegabytes()
    var timings: [Double] = []
    var actions = 0
    var updates = 0
    var options = Planner.Options()
    for _ in 0..<(count >= 100_000 ? 4 : 8) {
        let start = ContinuousClock.now
        let plan = Planner(options: options).plan(desired: desired, observed: observed, ledger: ledger, now: now)
        let elapsed = ContinuousClock.now - start
        timings.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        actions = plan.actions.count
        updates = plan.count(.update)
        carryRenderings(of: plan, into: &options)
    }
    let median = timings.dropFirst().sorted()[(timings.count - 1) / 2]
    print(String(format: "services=%d actions=%d updates=%d first_ms=%.1f median_ms=%.1f us_per_service=%.2f rss_mb=%.1f plan_rss_growth_mb=%.1f",
                 count, actions, updates, timings[0] * 1000, median * 1000, median * 1e6 / Double(count), residentMegabytes(),
                 residentMegabytes() - before))
}
