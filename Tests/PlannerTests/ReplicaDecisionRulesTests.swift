import Model
import Planner
import Testing

/// From metric proposals to the replica count: the checks before the metrics, max over metrics,
/// unreadable metrics, and both normalization paths (legacy and `behavior`). Numbers are worked
/// from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go.
@Suite(.tags(.unit)) struct ReplicaDecisionRulesTests {
    struct Rule: Sendable, CustomTestStringConvertible {
        var name: String
        var moment: AutoscaleMoment
        var desired: Int

        var testDescription: String { name }
    }

    static func moment(
        current: Int, min: Int = 1, max: Int = 100, _ metrics: [MetricObservation],
        behavior: String? = nil, history: [PastRecommendation] = [],
        up: [PastScaleChange] = [], down: [PastScaleChange] = [], tolerance: Double = 0.1
    ) -> AutoscaleMoment {
        AutoscaleMoment(
            currentReplicas: current, minReplicas: min, maxReplicas: max, metrics: metrics, tolerance: tolerance,
            behavior: behavior.map(Make.behavior), recommendationHistory: history, scaleUpEvents: up, scaleDownEvents: down)
    }

    static func rule(_ name: String, _ moment: AutoscaleMoment, desired: Int) -> Rule {
        Rule(name: name, moment: moment, desired: desired)
    }

    static let legacyRules: [Rule] = [
        rule("legacy: a recommendation exactly 300 s old still holds a scale-down",
             moment(current: 5, [Make.proposing(2)], history: [PastRecommendation(secondsAgo: 300, replicas: 4)]), desired: 4),
        rule("legacy: a recommendation 301 s old no longer counts",
             moment(current: 5, [Make.proposing(2)], history: [PastRecommendation(secondsAgo: 301, replicas: 4)]), desired: 2),
        rule("legacy: the scale-up limit is at least 4 replicas",
             moment(current: 1, [Make.proposing(10)]), desired: 4),
        rule("legacy: the scale-up limit is twice the current count",
             moment(current: 5, [Make.proposing(40)]), desired: 10),
        rule("legacy: maxReplicas below the scale-up limit caps it",
             moment(current: 5, max: 7, [Make.proposing(40)]), desired: 7),
        rule("legacy: a proposal below minReplicas is raised to it",
             moment(current: 3, min: 2, [Make.proposing(1)]), desired: 2),
        rule("legacy: tolerance is the rule's, in both directions",
             moment(current: 10, [Make.value(.external, 6, target: 10, pods: Make.ready(10))], tolerance: 0.5), desired: 10),
    ]

    static let behaviorRules: [Rule] = [
        rule("behavior {}: scale-up takes the larger of Pods 4 and Percent 100 per 15 s (Pods wins from 2)",
             moment(current: 2, [Make.proposing(50)], behavior: "{}"), desired: 6),
        rule("behavior {}: scale-up takes the larger of Pods 4 and Percent 100 per 15 s (Percent wins from 10)",
             moment(current: 10, [Make.proposing(50)], behavior: "{}"), desired: 20),
        rule("behavior {}: the default scale-down window of 300 s holds at the highest recent recommendation",
             moment(current: 10, [Make.proposing(2)], behavior: "{}", history: [PastRecommendation(secondsAgo: 299, replicas: 8)]), desired: 8),
        rule("behavior: a recommendation exactly a window old is out (strictly after the cutoff)",
             moment(current: 10, [Make.proposing(2)], behavior: "{}", history: [PastRecommendation(secondsAgo: 300, replicas: 8)]), desired: 2),
        rule("behavior: scaleDown without a window still gets 300 s",
             moment(current: 10, [Make.proposing(2)], behavior: #"{"scaleDown": {"policies": [{"type": "Pods", "value": 5, "periodSeconds": 60}]}}"#,
                    history: [PastRecommendation(secondsAgo: 200, replicas: 9)]), desired: 9),
        rule("behavior: a scale-up window applies the lowest recent recommendation",
             moment(current: 4, [Make.proposing(10)], behavior: #"{"scaleUp": {"stabilizationWindowSeconds": 60}}"#,
                    history: [PastRecommendation(secondsAgo: 30, replicas: 6)]), desired: 6),
        rule("behavior: the scale-down window does not hold back a scale-up",
             moment(current: 4, [Make.proposing(6)], behavior: "{}", history: [PastRecommendation(secondsAgo: 10, replicas: 2)]), desired: 6),
        rule("behavior: selectPolicy Min scales up by the smallest policy",
             moment(current: 10, [Make.proposing(100)], behavior: #"{"scaleUp": {"selectPolicy": "Min", "policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}, {"type": "Percent", "value": 100, "periodSeconds": 60}]}}"#), desired: 14),
        rule("behavior: selectPolicy Disabled never scales up",
             moment(current: 10, [Make.proposing(100)], behavior: #"{"scaleUp": {"selectPolicy": "Disabled"}}"#), desired: 10),
        rule("behavior: selectPolicy Disabled never scales down",
             moment(current: 10, [Make.proposing(2)], behavior: #"{"scaleDown": {"selectPolicy": "Disabled", "stabilizationWindowSeconds": 0}}"#), desired: 10),
        rule("behavior: a Pods scale-down policy removes at most its value per period",
             moment(current: 10, [Make.proposing(2)], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}]}}"#), desired: 6),
        rule("behavior: scale-down selectPolicy Max takes the biggest change (Percent 50 over Pods 2)",
             moment(current: 10, [Make.proposing(2)], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}, {"type": "Pods", "value": 2, "periodSeconds": 60}]}}"#), desired: 5),
        rule("behavior: scale-down selectPolicy Min takes the smallest change (Pods 2 over Percent 50)",
             moment(current: 10, [Make.proposing(2)], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "selectPolicy": "Min", "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}, {"type": "Pods", "value": 2, "periodSeconds": 60}]}}"#), desired: 8),
        rule("behavior: scale-down events inside the period move its start back up",
             moment(current: 8, [Make.proposing(1)], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}]}}"#,
                    down: [PastScaleChange(secondsAgo: 30, change: 2)]), desired: 6),
        rule("behavior: a scale-up allowance used up in the period holds at the current count",
             moment(current: 10, [Make.proposing(100)], behavior: #"{"scaleUp": {"policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}]}}"#,
                    up: [PastScaleChange(secondsAgo: 30, change: 10)]), desired: 10),
        rule("behavior: an event exactly a period old no longer counts",
             moment(current: 10, [Make.proposing(100)], behavior: #"{"scaleUp": {"policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}]}}"#,
                    up: [PastScaleChange(secondsAgo: 60, change: 10)]), desired: 14),
        rule("behavior: the period start counts scale-ups and scale-downs inside it",
             moment(current: 10, [Make.proposing(100)], behavior: #"{"scaleUp": {"policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}]}}"#,
                    up: [PastScaleChange(secondsAgo: 10, change: 5)], down: [PastScaleChange(secondsAgo: 10, change: 3)]), desired: 12),
        rule("behavior: a Percent scale-up rounds up (3 × 1.5 = 4.5 → 5)",
             moment(current: 3, [Make.proposing(100)], behavior: #"{"scaleUp": {"policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}"#), desired: 5),
        rule("behavior: Percent limits use upstream's float arithmetic, up (50 × 1.1 = 55.00000000000001 → 56)",
             moment(current: 50, [Make.proposing(100)], behavior: #"{"scaleUp": {"policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]}}"#), desired: 56),
        rule("behavior: Percent limits use upstream's float arithmetic, down (10 × 0.2 = 1.9999999999999996 → 1)",
             moment(current: 10, min: 0, [Make.value(.external, 0, target: 1, pods: Make.ready(10))], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Percent", "value": 80, "periodSeconds": 60}]}}"#), desired: 1),
        rule("behavior: a Percent scale-down truncates (5 × 0.7 = 3.5 → 3)",
             moment(current: 5, [Make.proposing(1)], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Percent", "value": 30, "periodSeconds": 60}]}}"#), desired: 3),
        rule("behavior: maxReplicas below the policy limit caps the scale-up",
             moment(current: 10, max: 12, [Make.proposing(100)], behavior: "{}"), desired: 12),
        rule("behavior: minReplicas above the policy floor stops the scale-down",
             moment(current: 10, min: 7, [Make.proposing(1)], behavior: #"{"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}"#), desired: 7),
        rule("behavior: an empty policy list with selectPolicy Max allows no scale-up",
             moment(current: 5, [Make.proposing(10)], behavior: #"{"scaleUp": {"policies": []}}"#), desired: 5),
        rule("behavior: the scale-down tolerance is its own (0.5 holds a ratio of 0.6)",
             moment(current: 10, [Make.value(.external, 6, target: 10, pods: Make.ready(10))], behavior: #"{"scaleDown": {"tolerance": 0.5, "stabilizationWindowSeconds": 0}}"#), desired: 10),
        rule("behavior: a scale-up tolerance does not widen the scale-down band",
             moment(current: 10, [Make.value(.external, 6, target: 10, pods: Make.ready(10))], behavior: #"{"scaleUp": {"tolerance": 0.5}, "scaleDown": {"stabilizationWindowSeconds": 0}}"#), desired: 6),
    ]

    @Test(arguments: legacyRules) func legacyPath(_ rule: Rule) {
        let recommendation = Autoscaler.recommend(rule.moment)
        #expect(recommendation.desiredReplicas == rule.desired, "\(recommendation.reasons)")
    }

    @Test(arguments: behaviorRules) func behaviorPath(_ rule: Rule) {
        let recommendation = Autoscaler.recommend(rule.moment)
        #expect(recommendation.desiredReplicas == rule.desired, "\(recommendation.reasons)")
    }

    func condition(_ type: String, of recommendation: AutoscaleRecommendation) -> Condition? {
        recommendation.conditions.first { $0.type == type }
    }

    // MARK: Before the metrics

    @Test func zeroReplicasWithMinReplicasAboveZeroMeansScalingIsDisabled() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 0, min: 1, [Make.proposing(3)]))
        #expect(recommendation.desiredReplicas == 0)
        #expect(recommendation.proposal == nil)
        #expect(condition("ScalingActive", of: recommendation) == Condition(type: "ScalingActive", status: "False", reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero"))
    }

    @Test func minReplicasZeroScalesUpFromZeroOnAnExternalValue() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 0, min: 0, [Make.value(.external, 25, target: 10, pods: PodCount(total: 0, ready: 0))]))
        #expect(recommendation.proposal == 3)
        #expect(recommendation.desiredReplicas == 3)
    }

    @Test func minReplicasZeroScalesDownToZeroWhenTheValueIsZero() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 2, min: 0, [Make.value(.external, 0, target: 10, pods: Make.ready(2))]))
        #expect(recommendation.proposal == 0)
        #expect(recommendation.desiredReplicas == 0)
    }

    @Test func aboveMaxReplicasGoesToMaxWithoutTheMetrics() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 7, max: 5, [Make.proposing(20)]))
        #expect(recommendation.desiredReplicas == 5)
        #expect(recommendation.proposal == nil)
        #expect(recommendation.metricProposals.isEmpty)
        #expect(recommendation.reasons == [
            "current replicas 7 above maxReplicas 5: set to 5 without consulting the metrics",
            "AbleToScale: SucceededGetScale",
        ])
    }

    // MARK: Several metrics

    @Test func theHighestProposalWinsAndTheFirstOfEqualsNamesIt() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 3, [
            Make.proposing(4, name: "a"), Make.proposing(6, name: "b"), Make.proposing(6, name: "c"),
        ]))
        #expect(recommendation.proposal == 6)
        #expect(recommendation.desiredReplicas == 6)
        #expect(condition("ScalingActive", of: recommendation)?.message == "the HPA was able to successfully calculate a replica count from external metric b")
        #expect(recommendation.steps.contains("proposal 6 from b, the highest of 3 metrics"))
    }

    @Test func anUnreadableMetricBlocksAScaleDown() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 4, [Make.proposing(2), Make.unreadable()]))
        #expect(recommendation.desiredReplicas == 4)
        #expect(recommendation.proposal == 2)
        #expect(condition("ScalingActive", of: recommendation) == Condition(
            type: "ScalingActive", status: "False", reason: "FailedGetExternalMetric",
            message: "the HPA was unable to compute the replica count: unable to get external metric lag: the adapter is down"))
        #expect(recommendation.steps.last == "scale-down to 2 blocked: 1 metric of 2 could not be read and might ask for more; replicas stay at 4")
    }

    @Test func anUnreadableMetricDoesNotBlockAScaleUp() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 4, [Make.unreadable(), Make.proposing(6)]))
        #expect(recommendation.desiredReplicas == 6)
        #expect(condition("ScalingActive", of: recommendation)?.reason == "ValidMetricFound")
    }

    @Test func anUnreadableMetricDoesNotBlockStayingPut() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 4, [Make.proposing(4), Make.unreadable()]))
        #expect(recommendation.desiredReplicas == 4)
        #expect(condition("ScalingActive", of: recommendation)?.reason == "ValidMetricFound")
    }

    @Test func noReadableMetricLeavesTheReplicasAlone() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 4, [Make.unreadable(.pods)]))
        #expect(recommendation.desiredReplicas == 4)
        #expect(recommendation.proposal == nil)
        #expect(condition("ScalingActive", of: recommendation)?.reason == "FailedGetPodsMetric")
    }

    // MARK: Conditions and reasons

    @Test func legacyScaleUpLimitSetsScalingLimited() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 3, [Make.proposing(21)]))
        #expect(recommendation.desiredReplicas == 6)
        #expect(recommendation.conditions == [
            Condition(type: "AbleToScale", status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size"),
            Condition(type: "ScalingActive", status: "True", reason: "ValidMetricFound", message: "the HPA was able to successfully calculate a replica count from external metric queue_depth"),
            Condition(type: "ScalingLimited", status: "True", reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate"),
        ])
    }

    @Test func legacyStabilizationSetsScaleDownStabilized() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 5, [Make.proposing(2)], history: [PastRecommendation(secondsAgo: 60, replicas: 4)]))
        #expect(condition("AbleToScale", of: recommendation)?.reason == "ScaleDownStabilized")
        #expect(condition("ScalingLimited", of: recommendation)?.status == "False")
    }

    @Test func aPolicyLimitNamesThePolicy() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 10, [Make.proposing(50)], behavior: "{}"))
        #expect(recommendation.steps.contains("scale-up limited to 20 by policy Percent 100% per 15s"))
        #expect(recommendation.reasons.suffix(3) == ["AbleToScale: ReadyForNewScale", "ScalingActive: ValidMetricFound", "ScalingLimited: ScaleUpLimit"])
    }

    @Test func maxReplicasReadsAsTooManyReplicas() {
        let recommendation = Autoscaler.recommend(Self.moment(current: 10, max: 12, [Make.proposing(100)], behavior: "{}"))
        #expect(recommendation.reasons.contains("limited to maxReplicas 12"))
        #expect(recommendation.reasons.last == "ScalingLimited: TooManyReplicas")
    }

    @Test func aScaleUpWindowSetsScaleUpStabilized() {
        let recommendation = Autoscaler.recommend(Self.behaviorRules[5].moment)
        #expect(condition("AbleToScale", of: recommendation)?.reason == "ScaleUpStabilized")
        #expect(recommendation.steps.contains("scale-up stabilized at 6: the lowest recommendation within the 60s scale-up window"))
    }

    @Test func usedUpAllowanceSaysSo() {
        let recommendation = Autoscaler.recommend(Self.behaviorRules[14].moment)
        #expect(recommendation.steps.contains("scale-up held at 10: the policies' allowance for their periods is used up"))
        #expect(condition("ScalingLimited", of: recommendation)?.reason == "ScaleUpLimit")
    }

    @Test func theDefaultsAreTheHPAs() {
        #expect(ScalingRulesInEffect.scaleUp(nil) == ScalingRulesInEffect(
            stabilizationWindowSeconds: 0, selectPolicy: .max,
            policies: [.init(.pods, value: 4, periodSeconds: 15), .init(.percent, value: 100, periodSeconds: 15)]))
        #expect(ScalingRulesInEffect.scaleDown(nil) == ScalingRulesInEffect(
            stabilizationWindowSeconds: 300, selectPolicy: .max, policies: [.init(.percent, value: 100, periodSeconds: 15)]))
    }
}
