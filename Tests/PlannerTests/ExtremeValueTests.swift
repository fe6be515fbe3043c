import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// The planner, the gates and the cost model take objects straight from the cluster, which
/// validation never saw: no value may trap them, and money stays a number a person can read.
@Suite(.tags(.unit, .hostile)) struct ExtremeValueTests {
    static let doubles: [Double] = [0, -1, 1e-300, 1e12, 1e15, 1e308, -1e308, .greatestFiniteMagnitude, .infinity, -.infinity, .nan]
    static let ints: [Int] = [0, -1, 1, 10_000, Int(Int32.max), Int.max, Int.min]
    static let quantities = ["1n", "1", "99999999999999999999999999999999999Ei", "999999999999999999999999999999999999999999999999999999999999999E", "0"]

    static func service(replicas: Int?, cpu: String, memory: String) -> ServiceSpec {
        ServiceSpec(
            metadata: ObjectMeta(name: "web", namespace: "aid", labels: ["program": "aid"]),
            spec: ServiceSpec.Spec(
                image: "registry.gov/web:1.0", replicas: replicas, port: 8080,
                resources: ResourceRequests(cpu: try? Quantity(parsing: cpu), memory: try? Quantity(parsing: memory))))
    }

    static func budget(limit: Double, price: Double, soft: Double?) -> Budget {
        Budget(
            metadata: ObjectMeta(name: "aid", namespace: "aid"),
            spec: Budget.Spec(
                selector: LabelSelector(matchLabels: ["program": "aid"]), monthlyLimitUSD: limit,
                pricing: Budget.Pricing(cpuCoreHourUSD: price, memoryGiBHourUSD: price), softLimitPercent: soft))
    }

    static func directive(runtime: Int?, cpu: String) throws -> Directive {
        try Directive(
            metadata: ObjectMeta(name: "nightly", namespace: "aid", labels: ["program": "aid"]),
            spec: Directive.Spec(
                schedule: CronSchedule(parsing: "* * * * *"), template: Directive.JobTemplate(image: "registry.gov/job:1", resources: ResourceRequests(cpu: try? Quantity(parsing: cpu))),
                jobs: [Directive.Job(id: "a")], retry: Directive.RetryPolicy(maxAttempts: 1, backoffSeconds: Int.max, backoffMultiplier: .infinity),
                maxRuntimeSeconds: runtime))
    }

    static func policy(maximum: Int, minutes: Int) throws -> GovernancePolicy {
        try GovernancePolicy(
            metadata: ObjectMeta(name: "rules", namespace: "aid"),
            spec: GovernancePolicy.Spec(
                maxReplicasWithoutApproval: maximum,
                freezeWindows: [GovernancePolicy.FreezeWindow(schedule: CronSchedule(parsing: "@daily"), durationMinutes: minutes, blocks: [.scaleUp, .startJob])]))
    }

    /// Every money figure in the plan's reasons is finite text, not a trap; the plan returns.
    static func plan(_ resources: [AnyResource], live replicas: Int, spent: Double) -> Plan {
        var deployment = Rendering.deployment(Self.service(replicas: 1, cpu: "1", memory: "1Gi"), replicas: replicas)
        deployment[path: ["metadata", "namespace"]] = .string("aid")
        return Planner().plan(
            desired: DesiredState(resources), observed: ObservedState(deployments: [deployment]),
            ledger: Ledger(spentUSD: [ObjectRef(kind: "Budget", namespace: "aid", name: "aid"): spent]),
            now: RFC3339.date(from: "2026-11-16T00:00:00Z") ?? Date(timeIntervalSince1970: 0))
    }

    @Test(arguments: doubles)
    func moneyOfAnySizeIsPlanned(_ amount: Double) throws {
        for replicas in Self.ints {
            for quantity in Self.quantities {
                let resources: [AnyResource] = [
                    .serviceSpec(Self.service(replicas: replicas, cpu: quantity, memory: quantity)),
                    .budget(Self.budget(limit: amount, price: amount, soft: amount)),
                    .governancePolicy(try Self.policy(maximum: replicas, minutes: replicas)),
                    .directive(try Self.directive(runtime: replicas, cpu: quantity)),
                ]
                for live in [0, 3, Int(Int32.max)] {
                    let plan = Self.plan(resources, live: live, spent: amount)
                    for action in plan.actions {
                        #expect(!action.gates.isEmpty)
                    }
                }
            }
        }
    }

    @Test(arguments: doubles)
    func moneyIsAlwaysReadable(_ amount: Double) {
        let text = usd(amount)
        #expect(text.contains("$"))
        #expect(percent(amount).hasSuffix("%"))
        #expect(clampedCount(amount) >= Int(Int32.min) && clampedCount(amount) <= Int(Int32.max))
    }

    @Test func hugeMoneyIsWrittenInScientificNotation() {
        #expect(usd(1e308) == "$1.000e+308")
        #expect(usd(-2.5e20) == "-$2.500e+20")
        #expect(usd(12_400) == "$12,400.00")
    }

    @Test(arguments: ints)
    func backoffIsFiniteAndNotNegative(_ attempt: Int) {
        for seconds in Self.ints {
            for multiplier in Self.doubles {
                let wait = DirectiveRuns.backoff(Directive.RetryPolicy(maxAttempts: 3, backoffSeconds: seconds, backoffMultiplier: multiplier), afterAttempt: attempt)
                #expect(wait.isFinite && wait >= 0)
            }
        }
    }
}
