import Foundation
import Model
import Planner
import Testing

/// The recorded-moment format of `hmsctl autoscale recommend`: how its loose metric kinds become
/// observations, and what it refuses.
@Suite(.tags(.unit)) struct AutoscaleSituationTests {
    func situation(_ json: String) throws -> AutoscaleSituation {
        try JSONDecoder().decode(AutoscaleSituation.self, from: Data(json.utf8))
    }

    @Test func cpuUtilizationReadsMillicoresPerPod() throws {
        let moment = try situation(#"{"currentReplicas": 2, "maxReplicas": 5, "metric": {"type": "cpuUtilization", "target": 60}, "pods": [{"usage": 250.5, "request": 500, "ready": true}, {"usage": null, "request": 500, "ready": false}]}"#).moment()
        #expect(moment.minReplicas == 1)
        #expect(moment.statusReplicas == 2)
        #expect(moment.metrics == [MetricObservation(
            name: "cpu", source: .resource("cpu"), target: .utilization(percent: 60),
            reading: .pods([PodSample(milliUsage: 251, milliRequest: 500, ready: true), PodSample(milliUsage: nil, milliRequest: 500, ready: false)]))])
    }

    @Test func averageValueWithPodsIsAPodsMetricInMilliUnits() throws {
        let moment = try situation(#"{"currentReplicas": 2, "maxReplicas": 5, "metric": {"type": "averageValue", "target": 0.1, "name": "http_rps"}, "pods": [{"usage": 0.3, "ready": true}]}"#).moment()
        #expect(moment.metrics == [MetricObservation(name: "http_rps", source: .pods, target: .averageValue(milli: 100), reading: .pods([PodSample(milliUsage: 300)]))])
    }

    @Test func averageValueWithAValueIsAnExternalMetricPerPod() throws {
        let moment = try situation(#"{"currentReplicas": 3, "statusReplicas": 4, "maxReplicas": 5, "metric": {"type": "averageValue", "target": 30}, "metricValue": 95}"#).moment()
        #expect(moment.statusReplicas == 4)
        #expect(moment.metrics == [MetricObservation(name: "", source: .external, target: .averageValue(milli: 30_000), reading: .value(milli: 95_000, pods: PodCount(total: 3, ready: 3)))])
    }

    @Test func listedPodsOnlySayWhichAreReadyForAValueMetric() throws {
        let moment = try situation(#"{"currentReplicas": 3, "maxReplicas": 5, "metric": {"type": "value", "target": 10}, "metricValue": 50, "pods": [{"usage": null, "ready": false}, {"usage": null, "ready": true}, {"usage": null, "ready": false}]}"#).moment()
        #expect(moment.metrics.first?.reading == .value(milli: 50_000, pods: PodCount(total: 3, ready: 1)))
        #expect(Autoscaler.recommend(moment).desiredReplicas == 5)
    }

    @Test func anAdditionalMetricWithAnErrorIsUnreadable() throws {
        let moment = try situation(#"{"currentReplicas": 3, "maxReplicas": 5, "metric": {"type": "value", "target": 10}, "metricValue": 10, "additionalMetrics": [{"metric": {"type": "averageValue", "target": 5, "name": "lag"}, "error": true}]}"#).moment()
        #expect(moment.metrics.last?.reading == .unavailable("the metric could not be read"))
    }

    @Test func behaviorNullIsTheLegacyPathAndAnEmptyObjectIsNot() throws {
        let legacy = try situation(#"{"currentReplicas": 3, "maxReplicas": 5, "metric": {"type": "value", "target": 10}, "metricValue": 10, "behavior": null}"#)
        #expect(legacy.moment().behavior == nil)
        let defaults = try situation(#"{"currentReplicas": 3, "maxReplicas": 5, "metric": {"type": "value", "target": 10}, "metricValue": 10, "behavior": {}}"#)
        #expect(defaults.moment().behavior != nil)
    }

    @Test func perDirectionTolerancesOverrideTheRulesOnlyWithBehavior() throws {
        let moment = try situation(#"{"currentReplicas": 3, "maxReplicas": 5, "metric": {"type": "value", "target": 10}, "metricValue": 10, "tolerance": 0.2, "behavior": {"scaleUp": {"tolerance": 0.05}}}"#).moment()
        #expect(moment.tolerances == Tolerances(scaleDown: 0.2, scaleUp: 0.05))
    }

    @Test func validationNamesEachBadField() throws {
        let bad = try situation(#"""
            {"currentReplicas": -1, "minReplicas": 6, "maxReplicas": 5,
             "metric": {"type": "cpuUtilization", "target": 12.5},
             "metricValue": 3,
             "additionalMetrics": [{"metric": {"type": "value", "target": 0}}],
             "behavior": {"scaleDown": {"stabilizationWindowSeconds": -1, "policies": [{"type": "Pods", "value": 0, "periodSeconds": 0}]}},
             "scaleUpEvents": [{"secondsAgo": -5, "change": -1}]}
            """#)
        // A problem with the situation as a whole has no field to name.
        #expect(bad.validate().map { $0.path.components.isEmpty ? $0.message : $0.description } == [
            "currentReplicas: must be 0 or more, found -1",
            "minReplicas: minReplicas (6) must not be greater than maxReplicas (5)",
            "metric.target: a cpuUtilization target is a whole percent, found 12.5",
            "the situation needs pods (usage and request per pod, in millicores) for a cpuUtilization metric",
            "metricValue: does not apply to a cpuUtilization metric",
            "additionalMetrics[0].metric.target: must be greater than 0, found 0",
            "additionalMetrics[0]: this metric needs metricValue for a value metric",
            "behavior.scaleDown.stabilizationWindowSeconds: must be 0 or more, found -1",
            "behavior.scaleDown.policies[0].value: must be 1 or more, found 0",
            "behavior.scaleDown.policies[0].periodSeconds: must be 1 or more, found 0",
            "scaleUpEvents[0].secondsAgo: must be 0 or more, found -5",
            "scaleUpEvents[0].change: must be 0 or more, found -1",
        ])
    }

    @Test func milliValuesRoundUpButIgnoreFloatingPointNoise() {
        #expect(MilliValue.of(units: 0.1) == 100)
        #expect(MilliValue.of(units: 20.666) == 20_666)
        #expect(MilliValue.of(units: 0.0005) == 1)
        #expect(MilliValue.roundingUp(milli: 250.5) == 251)
        #expect(MilliValue.of(units: 1e30) == .max)
    }
}
