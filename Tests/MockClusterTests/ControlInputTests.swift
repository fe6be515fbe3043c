import Foundation
import JSON
import Testing
@testable import MockCluster

/// The control endpoints take their input from tests and scripts: every value is checked, and a
/// refused body changes nothing.
@Suite struct ControlInputTests {
    @Test func faultsOutsideTheirBoundsAreRefusedAndChangeNothing() {
        var harness = Harness()
        #expect(harness.send("PUT", "/mock/v1/faults", ["latencyMs": 250]).status == 200)
        for body: JSONValue in [
            ["latencyMs": .double(1e26)], ["latencyMs": -1], ["errorRate": 2], ["resetRate": "0.5"], ["conflictRate": .null], ["slowness": 1],
        ] {
            let answer = harness.send("PUT", "/mock/v1/faults", body)
            #expect(answer.status == 400, "\(body.jsonText)")
            #expect(harness.cluster.faults.latencyMs == 250, "a refused body leaves the faults as they were")
        }
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods").status == 200)
    }

    @Test func faultsAtTheirBoundsAreTaken() {
        var harness = Harness()
        let answer = harness.send("PUT", "/mock/v1/faults", ["latencyMs": 60000, "errorRate": 1, "resetRate": 0, "conflictRate": 0.5])
        #expect(answer.status == 200)
        #expect(harness.cluster.faults == Faults(errorRate: 1, resetRate: 0, conflictRate: 0.5, latencyMs: 60000))
    }

    /// Values a careless script or a fuzzer sends: huge numbers, wrong types, deep nesting, bodies
    /// that are not objects. Each is refused with a 400 or taken within bounds; the cluster keeps
    /// answering, its metrics included (a load of 1e300 requests a second used to trap there).
    static let hostileBodies: [String] = [
        #"{"http_rps": 1e300, "cpuMillisPerRequest": 1e300}"#, #"{"http_rps": 1e308}"#, #"{"http_rps": -1}"#,
        #"{"http_rps": "100"}"#, #"{"http_rps": null}"#, #"{"http_rps": 5, "cpuMillisPerRequest": "1"}"#,
        #"{"http_rps": 5, "cpuMillisPerRequest": -1e308}"#, #"{"healthy": "false"}"#, #"{"healthy": 0}"#,
        #"{"outcome": 5}"#, #"{"outcome": "fail", "afterSeconds": 1e300}"#, #"{"outcome": "fail", "afterSeconds": -5}"#,
        #"{"afterSeconds": "2"}"#, #"{"latencyMs": 1e26}"#, #"{"errorRate": true}"#, #"{"tokens": 5}"#, #"{"roles": [{"user": 5}]}"#,
        "[1, 2]", "5", #""text""#, "null", "true", "{", "{}",
        String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        #"{"a":"# + String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_001),
        #"{"http_rps": 123456789012345678901234567890}"#, #"{"http_rps": 1e-400}"#,
    ]

    static let endpoints = ["/mock/v1/load/default/web", "/mock/v1/pods/default/web-1/health", "/mock/v1/jobs/default/j", "/mock/v1/faults", "/mock/v1/auth"]

    @Test func everyControlEndpointSurvivesHostileJSON() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("j"))
        harness.wait(1)
        for endpoint in Self.endpoints {
            for body in Self.hostileBodies {
                let request = APIRequest(method: "PUT", target: endpoint, headers: ["content-type": "application/json"], body: Array(body.utf8))
                let answer = harness.cluster.handle(request, now: harness.now)
                #expect([200, 400, 404].contains(answer.status), "\(endpoint) \(body.prefix(60))")
                harness.wait(1)
                for metrics in ["/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", "/apis/metrics.k8s.io/v1beta1/nodes",
                                "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_rps"] {
                    #expect(harness.send("GET", metrics).status == 200, "\(metrics) after \(endpoint) \(body.prefix(60))")
                }
            }
        }
        #expect(harness.send("PUT", "/mock/v1/faults", [:]).status == 200)
        #expect(harness.send("GET", "/api/v1/namespaces/default/pods").status == 200)
    }

    @Test func loadAndJobOutcomesAreTakenWithinTheirBoundsOnly() {
        var harness = Harness()
        #expect(harness.send("PUT", "/mock/v1/load/default/web", ["http_rps": 1_000_000, "cpuMillisPerRequest": 10_000]).status == 200)
        #expect(harness.send("PUT", "/mock/v1/load/default/web", ["http_rps": 1_000_001]).status == 400)
        #expect(harness.cluster.loads[ObjectKey(namespace: "default", name: "web")] == Load(httpRPS: 1_000_000, cpuMillisPerRequest: 10_000))
        #expect(harness.send("PUT", "/mock/v1/jobs/default/j", ["outcome": "hang", "afterSeconds": 86_400]).status == 200)
        #expect(harness.send("PUT", "/mock/v1/jobs/default/j", ["outcome": "fail", "afterSeconds": 86_401]).status == 400)
        #expect(harness.cluster.jobOutcomes[ObjectKey(namespace: "default", name: "j")] == JobOutcome(result: .hang, afterSeconds: 86_400))
    }
}
