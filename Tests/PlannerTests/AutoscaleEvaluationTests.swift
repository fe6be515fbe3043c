import Foundation
import JSON
import Model
@testable import Planner
import Testing

/// A rule judged on values, without a cluster: recommendation, status and its compacted history.
@Suite(.tags(.unit)) struct AutoscaleEvaluationTests {
    /// 2027-01-15T08:00:00Z
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func rule(mode: String = "enforce", history: [(secondsAgo: Double, replicas: Int)] = []) throws -> AutoscaleRule {
        var rule = try JSONDecoder().decode(AutoscaleRule.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"AutoscaleRule","metadata":{"name":"api","namespace":"ns","generation":3},
             "spec":{"target":"api","minReplicas":2,"maxReplicas":20,"mode":"\(mode)",
                     "metrics":[{"type":"pods","name":"http_rps","targetAverageValue":500},{"type":"cpu","targetUtilization":60}]}}
            """.utf8))
        if !history.isEmpty {
            var status = AutoscaleRule.Status()
            status.recommendations = history.map { .init(time: RFC3339.string(from: now.addingTimeInterval(-$0.secondsAgo)), replicas: $0.replicas) }
            rule.status = status
        }
        return rule
    }

    func service() throws -> ServiceSpec {
        try JSONDecoder().decode(ServiceSpec.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"ServiceSpec","metadata":{"name":"api","namespace":"ns"},
             "spec":{"image":"registry.gov/api:1","resources":{"cpu":"500m","memory":"256Mi"}}}
            """.utf8))
    }

    let pods = (0..<4).map { ObservedPod(namespace: "ns", name: "api-\($0)", deployment: "api", ready: true) }

    /// 4 pods at 750 requests a second each against 500: 6 replicas; CPU at 200m of 500m is 40 %.
    var readings: AutoscaleEvaluation.Readings {
        .init(cpu: Dictionary(uniqueKeysWithValues: pods.map { ($0.name, 200) }),
              custom: ["http_rps": Dictionary(uniqueKeysWithValues: pods.map { ($0.name, 750_000) })])
    }

    @Test func theRuleRecommendsAndShowsItsMetrics() throws {
        let outcome = AutoscaleEvaluation.evaluate(try rule(), service: try service(), replicas: 4, pods: pods, readings: readings, now: now)
        #expect(outcome.recommendation?.replicas == 6 && outcome.recommendation?.rule == "api")
        #expect(outcome.status.desiredReplicas == 6 && outcome.status.currentReplicas == 4 && outcome.status.observedGeneration == 3)
        #expect(outcome.status.currentMetrics == [.init(name: "http_rps", current: 750, target: 500), .init(name: "cpu", current: 40, target: 60)])
        #expect(outcome.status.recommendations == [.init(time: RFC3339.string(from: now), replicas: 6)])
    }

    @Test func recommendModeOnlyReports() throws {
        let outcome = AutoscaleEvaluation.evaluate(try rule(mode: "recommend"), service: try service(), replicas: 4, pods: pods, readings: readings, now: now)
        #expect(outcome.recommendation == nil)
        #expect(outcome.status.desiredReplicas == 6)
    }

    @Test func withoutReadingsTheRuleKeepsTheReplicas() throws {
        let outcome = AutoscaleEvaluation.evaluate(try rule(), service: try service(), replicas: 4, pods: pods, readings: .init(), now: now)
        #expect(outcome.recommendation?.replicas == 4)
        #expect(outcome.status.currentMetrics?.allSatisfy { $0.current == nil } == true)
    }

    @Test func theHistoryKeepsTheWindowAndOneEntryPerRun() throws {
        // 400 s ago is outside the 300 s window; a run of 6s keeps its newest entry only; the
        // same 6 ten seconds after the last one does not move it (refreshed every 30 s at most).
        let old = try rule(history: [(400, 9), (120, 5), (60, 6), (10, 6)])
        let outcome = AutoscaleEvaluation.evaluate(old, service: try service(), replicas: 4, pods: pods, readings: readings, now: now)
        let kept = outcome.status.recommendations?.map { ($0.replicas, now.timeIntervalSince(RFC3339.date(from: $0.time)!)) }
        #expect(kept?.map(\.0) == [5, 6] && kept?.map(\.1) == [120, 10])
        // Stabilized down-scaling looks at the 5 minutes: 9 replicas 400 s ago no longer counts.
        #expect(outcome.recommendation?.replicas == 6)
    }

    @Test func aRuleIsDueAfterItsSyncPeriod() throws {
        #expect(AutoscaleEvaluation.isDue(try rule(), now: now))
        #expect(!AutoscaleEvaluation.isDue(try rule(history: [(10, 4)]), now: now))
        #expect(AutoscaleEvaluation.isDue(try rule(history: [(15, 4)]), now: now))
    }
}
