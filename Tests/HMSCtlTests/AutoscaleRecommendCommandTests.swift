import Foundation
import Testing

/// `hmsctl autoscale recommend` in this process: real files, whole outputs.
@Suite(.tags(.unit)) struct AutoscaleRecommendCommandTests {
    static let inputs = Repository.path("Tests/HMSCtlTests/autoscale-inputs")

    @Test func textExplainsTheDecision() async throws {
        let run = await InProcess.hmsctl(["autoscale", "recommend", "--input", "\(Self.inputs)/eligibility-api-cpu-spike.yaml"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout == """
            Desired replicas: 5 (from 4)
            Metric proposal:  5 (before stabilization, rate limits and min/max)

            Why:
              cpu: 90% of requests, target 60%; with 1 pod not ready counted at 0%: 67% → 5 replicas (ratio 1.117 × 4 pods)
              http_rps: average 591.666 per pod, target 500; with 1 pod not ready counted at 0: average 443.75 (ratio 0.888) would reverse the direction (ratio 1.183 before) → stays at 4
              proposal 5 from cpu, the highest of 2 metrics
              scale up from 4 to 5

            Conditions:
              AbleToScale     True   ReadyForNewScale    recommended size matches current size
              ScalingActive   True   ValidMetricFound    the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)
              ScalingLimited  False  DesiredWithinRange  the desired count is within the acceptable range

            """)
    }

    @Test func jsonIsDesiredReplicasProposalAndReasons() async throws {
        let run = await InProcess.hmsctl(["autoscale", "recommend", "--input", "\(Self.inputs)/queue-worker-lag-unreadable.json", "-o", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == """
            {"desiredReplicas": 6, "proposal": 2, "reasons": [\
            "queue_depth: 45 in all (7.5 per pod over 6 replicas), target 30 per pod → 2 replicas", \
            "consumer_lag_seconds: unable to get external metric consumer_lag_seconds: the metric could not be read", \
            "scale-down to 2 blocked: 1 metric of 2 could not be read and might ask for more; replicas stay at 6", \
            "AbleToScale: SucceededGetScale", "ScalingActive: FailedGetExternalMetric"]}

            """)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object.map { Set($0.keys) } == ["desiredReplicas", "proposal", "reasons"])
    }

    @Test func aMomentThatSkipsTheMetricsHasANullProposal() async throws {
        let moment = #"{"currentReplicas": 2, "minReplicas": 3, "maxReplicas": 5, "metric": {"type": "cpuUtilization", "target": 90}, "pods": []}"#
        let run = await InProcess.hmsctl(["autoscale", "recommend", "--input", "-", "-o", "json"], stdin: moment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == #"{"desiredReplicas": 3, "proposal": null, "reasons": ["current replicas 2 below minReplicas 3: set to 3 without consulting the metrics", "AbleToScale: SucceededGetScale"]}"# + "\n")
    }

    @Test func badInputNamesTheFileLineAndColumnAndExitsOne() async throws {
        let moment = """
            currentReplicas: 3
            maxReplicas: 0
            metric: {type: cpuUtilisation, target: 30}
            tolerence: 0.1
            """
        let run = await InProcess.hmsctl(["autoscale", "recommend", "--input", "-"], stdin: moment)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == """
            <stdin>:3:16: error: metric.type: unknown value "cpuUtilisation"; did you mean "cpuUtilization"?
            metric: {type: cpuUtilisation, target: 30}
                           ^
            <stdin>:4:1: error: tolerence: unknown field "tolerence"; did you mean "tolerance"?
            tolerence: 0.1
            ^

            """)
    }

    @Test func checksAfterDecodingPointAtTheirFields() async throws {
        let moment = """
            {"currentReplicas": 3,
             "maxReplicas": 5,
             "metric": {"type": "value", "target": -10},
             "metricValue": 12}
            """
        let run = await InProcess.hmsctl(["autoscale", "recommend", "--input", "-", "-o", "json"], stdin: moment)
        #expect(run.status == 1)
        #expect(run.stderr == """
            <stdin>:3:40: error: metric.target: must be greater than 0, found -10
             "metric": {"type": "value", "target": -10},
                                                   ^

            """)
    }

    @Test func aMissingFileIsAnError() async throws {
        let run = await InProcess.hmsctl(["autoscale", "recommend", "--input", "no-such-moment.yaml"])
        #expect(run.status == 1)
        #expect(run.stderr == "no-such-moment.yaml: error: no such file\n")
    }

    @Test func theInputOptionIsRequired() async throws {
        let run = await InProcess.hmsctl(["autoscale", "recommend"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Missing expected argument '--input <file>'"))
    }
}
