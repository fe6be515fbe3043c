import Model
import Planner
import Testing

/// One metric's proposal, rule by rule. Numbers are upstream's own
/// (kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go) where the test
/// name says so; pods there have two containers, so usages and requests here are per pod totals.
@Suite(.tags(.unit)) struct MetricProposalRulesTests {
    enum Expected: Sendable, Equatable {
        case replicas(Int)
        case failure(reason: String, messageContains: String)
    }

    struct Rule: Sendable, CustomTestStringConvertible {
        var name: String
        var currentReplicas: Int
        var statusReplicas: Int?
        /// Per-direction tolerances (down, up); default 0.1 both ways.
        var tolerances: (down: Double, up: Double)?
        var metric: MetricObservation
        var expected: Expected

        var testDescription: String { name }

        init(_ name: String, current: Int, status: Int? = nil, tolerances: (down: Double, up: Double)? = nil, _ metric: MetricObservation, _ expected: Expected) {
            self.name = name
            self.currentReplicas = current
            self.statusReplicas = status
            self.tolerances = tolerances
            self.metric = metric
            self.expected = expected
        }
    }

    static let cpuRules: [Rule] = [
        Rule("cpu scale up: utilization of summed requests, ceil(ratio × ready pods) (TestReplicaCalcResourceScale 'scale up')",
             current: 3, Make.cpu(target: 30, [Make.pod(300), Make.pod(500), Make.pod(700)]), .replicas(5)),
        Rule("cpu scale down: ceil(0.56 × 5) = 3 ('scale down')",
             current: 5, Make.cpu(target: 50, [Make.pod(100), Make.pod(300), Make.pod(500), Make.pod(250), Make.pod(250)]), .replicas(3)),
        Rule("cpu within the default tolerance: 102% of a 100% target keeps 3 (TestReplicaCalcTolerance)",
             current: 3, Make.cpu(target: 100, [Make.pod(1010, request: 900), Make.pod(1030, request: 1000), Make.pod(1020, request: 1100)]), .replicas(3)),
        Rule("cpu utilization is truncated to a whole percent: 49.7% of a 55% target reads 49%, outside tolerance",
             current: 10, Make.cpu(target: 55, Array(repeating: Make.pod(497), count: 10)), .replicas(9)),
        Rule("unready pod counts 0% on a scale-up ('scale up: unready pod scales less')",
             current: 3, Make.cpu(target: 30, [Make.pending(300), Make.pod(500), Make.pod(700)]), .replicas(4)),
        Rule("unready pods at 0% that turn a scale-up into a scale-down keep the count ('no scale: unready pods ignored')",
             current: 3, Make.cpu(target: 30, [Make.pod(400), Make.pending(500), Make.pending(700)]), .replicas(3)),
        Rule("unready pods are ignored on a scale-down ('scale down: exclude unready pods')",
             current: 5, Make.cpu(target: 50, [Make.pod(100), Make.pod(300), Make.pod(500), Make.pending(250), Make.pending(250)]), .replicas(2)),
        Rule("pending pods without samples are ignored on a scale-down ('exclude unscheduled pods')",
             current: 5, Make.cpu(target: 50, [Make.pod(100), Make.pending(), Make.pending(), Make.pending(), Make.pending()]), .replicas(1)),
        Rule("missing samples count as 100% of request on a scale-down (TestReplicaCalcMissingMetrics)",
             current: 4, Make.cpu(target: 100, [Make.pod(800, request: 2000), Make.pod(190, request: 2000), Make.pod(nil, request: 2000), Make.pod(nil, request: 2000)]), .replicas(3)),
        Rule("missing samples count as the target when it is above 100% (TestReplicaCalcMissingMetricsScaleDownTargetOver100)",
             current: 4, Make.cpu(target: 300, [Make.pending(400, request: 2000), Make.pod(200, request: 2000), Make.pod(200, request: 4000), Make.pod(nil, request: 4000)]), .replicas(2)),
        Rule("missing samples with the ratio exactly 1 change nothing (TestReplicaCalcMissingMetricsNoChangeEq)",
             current: 2, Make.cpu(target: 100, [Make.pod(2000, request: 2000), Make.pod(nil, request: 2000)]), .replicas(2)),
        Rule("missing samples at 0% on a scale-up that lands within tolerance keep the count (NoChangeGt)",
             current: 2, Make.cpu(target: 100, [Make.pod(3800, request: 2000), Make.pod(nil, request: 2000)]), .replicas(2)),
        Rule("missing samples at 100% on a scale-down that lands back at the count keep it (NoChangeLt)",
             current: 2, Make.cpu(target: 100, [Make.pod(1200, request: 2000), Make.pod(nil, request: 2000)]), .replicas(2)),
        Rule("rebalancing that reverses the direction keeps the count (TestReplicaCalcMissingMetricsUnreadyChange)",
             current: 3, Make.cpu(target: 50, [Make.pending(200, request: 2000), Make.pod(900, request: 2000), Make.pod(nil, request: 2000)]), .replicas(3)),
        Rule("missing and unready both count 0% on a scale-up (TestReplicaCalcMissingMetricsUnreadyScaleUp)",
             current: 3, Make.cpu(target: 50, [Make.pending(200, request: 2000), Make.pod(4000, request: 2000), Make.pod(nil, request: 2000)]), .replicas(4)),
        Rule("missing at 100%, unready ignored on a scale-down (TestReplicaCalcMissingMetricsUnreadyScaleDown)",
             current: 4, Make.cpu(target: 50, [Make.pending(200, request: 2000), Make.pod(200, request: 2000), Make.pod(200, request: 2000), Make.pod(nil, request: 2000)]), .replicas(3)),
        Rule("a rebalanced count above current on a scale-down keeps current (TestReplicaCalcDuringRollingUpdateWithMaxSurge)",
             current: 2, Make.cpu(target: 50, [Make.pod(200, request: 2000), Make.pod(200, request: 2000), Make.pod(nil, request: 2000)]), .replicas(2)),
        Rule("a pod without a CPU request makes the metric unusable (TestReplicaCalcEmptyCPURequest)",
             current: 1, Make.cpu(target: 100, [Make.pod(200, request: nil)]), .failure(reason: "FailedGetResourceMetric", messageContains: "missing request for cpu")),
        Rule("no pods at all makes the metric unusable",
             current: 1, Make.cpu(target: 100, []), .failure(reason: "FailedGetResourceMetric", messageContains: "no pods returned by selector")),
        Rule("only pending pods give no sample to use",
             current: 2, Make.cpu(target: 100, [Make.pending(500), Make.pending(500)]), .failure(reason: "FailedGetResourceMetric", messageContains: "did not receive metrics for targeted pods")),
    ]

    static let toleranceRules: [Rule] = [
        Rule("a 0% tolerance scales on 101% (TestReplicaCalcConfigurableTolerance 'Outside of a 0% tolerance')",
             current: 3, tolerances: (0, 0), Make.cpu(target: 100, [Make.pod(909, request: 900), Make.pod(1010, request: 1000), Make.pod(1111, request: 1100)]), .replicas(4)),
        Rule("a 200% scale-up tolerance holds at 190% ('Within a 200% scale-up tolerance')",
             current: 3, tolerances: (0.1, 2), Make.cpu(target: 100, [Make.pod(1890, request: 900), Make.pod(1910, request: 1000), Make.pod(1900, request: 1100)]), .replicas(3)),
        Rule("an 8% scale-up tolerance scales on 109% whatever the scale-down tolerance ('Outside 8% scale-up tolerance')",
             current: 3, tolerances: (2, 0.08), Make.cpu(target: 100, [Make.pod(1100, request: 900), Make.pod(1080, request: 1000), Make.pod(1090, request: 1100)]), .replicas(4)),
        Rule("a 36% scale-down tolerance holds at 65% ('Within a 36% scale-down tolerance')",
             current: 3, tolerances: (0.36, 0.1), Make.cpu(target: 100, [Make.pod(660, request: 900), Make.pod(640, request: 1000), Make.pod(650, request: 1100)]), .replicas(3)),
        Rule("a 34% scale-down tolerance scales down at 65% ('Outside a 34% scale-down tolerance')",
             current: 3, tolerances: (0.34, 0.1), Make.cpu(target: 100, [Make.pod(660, request: 900), Make.pod(640, request: 1000), Make.pod(650, request: 1100)]), .replicas(2)),
        Rule("a 1% scale-up tolerance applies to object metrics too (TestReplicaCalcConfigurableToleranceCMObject)",
             current: 3, tolerances: (0.1, 0.01), Make.value(.object, 20.666, target: 20, pods: Make.ready(3)), .replicas(4)),
    ]

    static let perPodMetricRules: [Rule] = [
        Rule("pods metric: ceil(average / target × ready pods) (TestReplicaCalcScaleUpCM)",
             current: 3, Make.perPod(target: 15, [20, 10, 30]), .replicas(4)),
        Rule("pods metric scale down (TestReplicaCalcScaleDownCM)",
             current: 5, Make.perPod(target: 20, [12, 12, 12, 12, 12]), .replicas(3)),
        Rule("pods metric within tolerance; the average is an integer division of milli-values (TestReplicaCalcToleranceCM)",
             current: 3, Make.perPod(target: 20, [20, 21, 21]), .replicas(3)),
        Rule("pods metric: missing samples on target, ratio 1 keeps the count (TestPlainMetricReplicaCalcMissingMetricsNoChangeEq)",
             current: 5, Make.perPod(target: 20, [20, 19, 21, nil, nil]), .replicas(5)),
        Rule("pods metric: missing samples count as the target on a scale-down",
             current: 4, Make.perPod(target: 10, [2, 2, nil, nil]), .replicas(3)),
        Rule("pods metric: pending pods with samples count 0 on a scale-up",
             current: 3, Make.perPod(target: 15, ready: [50, 15], pendingWithSamples: [30]), .replicas(5)),
        Rule("pods metric: a surge pod without a sample cannot turn a scale-down into more pods (TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM)",
             current: 2, Make.perPod(target: 17, [10, 10, nil]), .replicas(2)),
    ]

    static let valueMetricRules: [Rule] = [
        Rule("object value: ratio × ready pods (TestReplicaCalcScaleUpCMObject)",
             current: 3, Make.value(.object, 20, target: 15, pods: Make.ready(3)), .replicas(4)),
        Rule("object value counts only ready pods (TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods)",
             current: 3, Make.value(.object, 50, target: 10, pods: PodCount(total: 3, ready: 1)), .replicas(5)),
        Rule("external value counts only ready pods (TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods)",
             current: 3, Make.value(.external, 8.6, target: 4.4, pods: PodCount(total: 3, ready: 1)), .replicas(2)),
        Rule("external value scale down (TestReplicaCalcScaleDownCMExternal)",
             current: 5, Make.value(.external, 8.6, target: 14.334, pods: Make.ready(5)), .replicas(3)),
        Rule("external value within tolerance (TestReplicaCalcToleranceCMExternal)",
             current: 3, Make.value(.external, 8.6, target: 8.888, pods: Make.ready(3)), .replicas(3)),
        Rule("value metric with every pod unready proposes 0, as upstream multiplies by 0 ready pods",
             current: 3, Make.value(.external, 20, target: 10, pods: PodCount(total: 3, ready: 0)), .replicas(0)),
        Rule("value metric with no pods at all cannot count ready pods",
             current: 3, Make.value(.external, 20, target: 10, pods: PodCount(total: 0, ready: 0)), .failure(reason: "FailedGetExternalMetric", messageContains: "unable to calculate ready pods")),
        Rule("value metric from zero replicas: ceil(ratio), no tolerance, no pods needed",
             current: 0, Make.value(.external, 25, target: 10, pods: PodCount(total: 0, ready: 0)), .replicas(3)),
        Rule("value metric from zero replicas stays at zero when the value is 0",
             current: 0, Make.value(.external, 0, target: 10, pods: PodCount(total: 0, ready: 0)), .replicas(0)),
        Rule("a value far above target saturates at the int32 maximum (TestReplicaCalcScaleUpOverflow)",
             current: 3,
             MetricObservation(name: "qps", source: .object, target: .value(milli: 1), reading: .value(milli: .max, pods: Make.ready(3))),
             .replicas(Int(Int32.max))),
        Rule("object averageValue divides by status replicas (TestReplicaCalcScaleUpCMPerPodObject)",
             current: 3, status: 3, Make.averageValue(.object, 20, target: 5), .replicas(4)),
        Rule("object averageValue within tolerance keeps the status replicas (TestReplicaCalcTolerancePerPodCMObject)",
             current: 4, status: 4, Make.averageValue(.object, 20.166, target: 5), .replicas(4)),
        Rule("external averageValue scale down: ceil(value / per-pod target) (TestReplicaCalcScaleDownPerPodCMExternal)",
             current: 5, status: 5, Make.averageValue(.external, 8.6, target: 2.867), .replicas(3)),
        Rule("averageValue within tolerance proposes status replicas, not spec replicas",
             current: 5, status: 4, Make.averageValue(.external, 20, target: 5), .replicas(4)),
        Rule("an unreadable metric fails with the HPA's reason for its source",
             current: 3, Make.unreadable(.object), .failure(reason: "FailedGetObjectMetric", messageContains: "the adapter is down")),
    ]

    static func propose(_ rule: Rule) -> MetricProposal? {
        var moment = AutoscaleMoment(
            currentReplicas: rule.currentReplicas, statusReplicas: rule.statusReplicas,
            minReplicas: 0, maxReplicas: Int(Int32.max), metrics: [rule.metric])
        if let tolerances = rule.tolerances {
            moment.behavior = Make.behavior(#"{"scaleUp": {"tolerance": \#(tolerances.up)}, "scaleDown": {"tolerance": \#(tolerances.down)}}"#)
        }
        return Autoscaler.recommend(moment).metricProposals.first
    }

    static func check(_ rule: Rule) throws {
        let proposal = try #require(propose(rule))
        switch rule.expected {
        case .replicas(let replicas):
            #expect(proposal.outcome == .replicas(replicas), "\(proposal.explanation)")
        case .failure(let reason, let text):
            guard case .failed(let actualReason, let message) = proposal.outcome else {
                Issue.record("expected a failure, got \(proposal.outcome): \(proposal.explanation)")
                return
            }
            #expect(actualReason == reason)
            #expect(message.hasPrefix("the HPA was unable to compute the replica count: "))
            #expect(message.contains(text), "\(message)")
        }
    }

    @Test(arguments: cpuRules) func cpuUtilization(_ rule: Rule) throws { try Self.check(rule) }
    @Test(arguments: toleranceRules) func tolerance(_ rule: Rule) throws { try Self.check(rule) }
    @Test(arguments: perPodMetricRules) func podsMetric(_ rule: Rule) throws { try Self.check(rule) }
    @Test(arguments: valueMetricRules) func objectAndExternalMetrics(_ rule: Rule) throws { try Self.check(rule) }

    @Test func theExplanationShowsTheArithmetic() throws {
        let proposal = try #require(Self.propose(Self.cpuRules[0]))
        #expect(proposal.explanation == "cpu: 50% of requests, target 30% → 5 replicas (ratio 1.667 × 3 ready pods)")
        let missing = try #require(Self.propose(Self.cpuRules[8]))
        #expect(missing.explanation == "cpu: 24% of requests, target 100%; with 2 pods without a sample counted at 100% of request: 62% → 3 replicas (ratio 0.62 × 4 pods)")
    }
}
