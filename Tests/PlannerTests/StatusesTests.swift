import Foundation
import JSON
import Model
@testable import Planner
import Testing

/// The statuses our kinds show, from values: no cluster, an explicit now.
@Suite(.tags(.unit)) struct StatusesTests {
    /// 2027-01-15T08:00:00Z
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func service() throws -> ServiceSpec {
        try JSONDecoder().decode(ServiceSpec.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"ServiceSpec","metadata":{"name":"api","namespace":"ns","generation":2,"labels":{"program":"p"}},
             "spec":{"image":"registry.gov/api:1","replicas":4,"resources":{"cpu":"1","memory":"1Gi"}}}
            """.utf8))
    }

    func budget(status: String? = nil) throws -> Budget {
        try JSONDecoder().decode(Budget.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"Budget","metadata":{"name":"b","namespace":"ns"},
             "spec":{"selector":{"matchLabels":{"program":"p"}},"monthlyLimitUSD":1000,"pricing":{"cpuCoreHourUSD":0.04,"memoryGiBHourUSD":0.01}}
             \(status.map { ",\"status\":\($0)" } ?? "")}
            """.utf8))
    }

    func live(replicas: Int, ready: Int) -> ObservedDeployment {
        var deployment = ObservedDeployment(["metadata": ["name": "api", "namespace": "ns"]])
        deployment.replicas = replicas
        deployment.readyReplicas = ready
        return deployment
    }

    func outcome(from: Int, to: Int, _ result: ActionOutcome.Result) throws -> ActionOutcome {
        let service = try service()
        let action = Action(source: service.ref, target: ObjectRef(kind: .deployment, namespace: "ns", name: "api"),
                            change: .replicas(ReplicaChange(from: from, to: to)), reason: "r")
        return ActionOutcome(action: action, result: result)
    }

    @Test func aScaledServiceShowsTheNewReplicasItsCostAndProgressing() throws {
        let status = Statuses.service(try service(), budgets: [try budget()], live: live(replicas: 4, ready: 4),
                                      outcomes: [try outcome(from: 4, to: 6, .done)], health: nil, now: now)
        #expect(status.replicas == 6 && status.readyReplicas == 4 && status.observedGeneration == 2)
        // 6 × (1 core × 0.04 + 1 GiB × 0.01) = 0.30 an hour.
        #expect(status.costUSDPerHour == 0.3)
        #expect(status.lastAction == "scale 4 → 6: done (act-dbc85ed0cbeddb41)")
        #expect(status.conditions?.map { "\($0.type)=\($0.status):\($0.reason ?? "")" }
            == ["Ready=False:ReplicasNotReady", "Progressing=True:Reconciling", "Degraded=False:AsExpected", "ReplicasContested=False:OnlyOurs"])
    }

    @Test func aDeniedActionDegradesAndConditionsKeepTheirTransitionTime() throws {
        let denied = Statuses.service(try service(), budgets: [], live: live(replicas: 4, ready: 4),
                                      outcomes: [try outcome(from: 4, to: 9, .notCarriedOut(.deny))], health: nil, now: now)
        #expect(denied.conditions?.first { $0.type == "Degraded" }?.reason == "ActionDenied" && denied.costUSDPerHour == nil)
        var settled = try service()
        settled.status = denied
        let later = Statuses.service(settled, budgets: [], live: live(replicas: 4, ready: 4), outcomes: [], health: nil, now: now.addingTimeInterval(60))
        let ready = later.conditions?.first { $0.type == "Ready" }
        #expect(ready?.status == "True" && ready?.lastTransitionTime == RFC3339.string(from: now))
        let degraded = later.conditions?.first { $0.type == "Degraded" }
        #expect(degraded?.status == "False" && degraded?.lastTransitionTime == RFC3339.string(from: now.addingTimeInterval(60)))
    }

    @Test func spendIsIntegratedAtTheHourlyCostStoredAtTheLastUpdate() throws {
        // $2.00 an hour since 08:00 two hours ago, $10 spent before: $14; then $3 an hour for the 400 hours to February.
        let stored = #"{"month":"2027-01","spentUSD":10,"costUSDPerHour":2,"lastUpdated":"2027-01-15T06:00:00Z","alertsRaised":[50]}"#
        let status = try #require(Statuses.budget(try budget(status: stored), hourlyUSD: 3, now: now))
        #expect(status.spentUSD == 14 && status.costUSDPerHour == 3 && status.projectedUSD == 14 + 3 * 400)
        #expect(status.lastUpdated == "2027-01-15T08:00:00Z" && status.alertsRaised == [50])
        // Same month, same cost, a minute later: nothing to write; five minutes later: written.
        var written = try budget()
        written.status = status
        #expect(Statuses.budget(written, hourlyUSD: 3, now: now.addingTimeInterval(60)) == nil)
        #expect(Statuses.budget(written, hourlyUSD: 3, now: now.addingTimeInterval(300)) != nil)
        // A new month starts from nothing.
        let february = Date(timeIntervalSince1970: 1_801_440_000)
        #expect(Statuses.budget(written, hourlyUSD: 3, now: february)?.spentUSD == 0)
    }

    @Test func theHourlyCostCountsTheReplicasThisPassSet() throws {
        let deployments = [ObjectRef(kind: .deployment, namespace: "ns", name: "api"): live(replicas: 4, ready: 4)]
        let before = Statuses.hourlyUSD(of: try budget(), services: [try service()], budgets: [try budget()], deployments: deployments, outcomes: [])
        let after = Statuses.hourlyUSD(of: try budget(), services: [try service()], budgets: [try budget()], deployments: deployments,
                                       outcomes: [try outcome(from: 4, to: 8, .done)])
        #expect(abs(before - 0.2) < 1e-9 && abs(after - 0.4) < 1e-9)
        let held = Statuses.hourlyUSD(of: try budget(), services: [try service()], budgets: [try budget()], deployments: deployments,
                                      outcomes: [try outcome(from: 4, to: 8, .notCarriedOut(.hold))])
        #expect(abs(held - 0.2) < 1e-9)
    }

    @Test func aDoneScaleIsAScaleEventOfTheRule() throws {
        let service = ObjectRef(kind: .serviceSpec, namespace: "ns", name: "api")
        let scaled = Statuses.rule(AutoscaleRule.Status(), service: service, outcomes: [try outcome(from: 4, to: 6, .done)], now: now)
        #expect(scaled.scaleEvents?.map(\.change) == [2] && scaled.desiredReplicas == 6 && scaled.lastScaleTime == "2027-01-15T08:00:00Z")
        let held = Statuses.rule(AutoscaleRule.Status(), service: service, outcomes: [try outcome(from: 4, to: 6, .notCarriedOut(.hold))], now: now)
        #expect(held == AutoscaleRule.Status())
    }
}
