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
}
