import JSON
import Model
@testable import Planner
import Testing

/// The Service in front of a ServiceSpec follows its `port`: made when missing, moved when the
/// port changes; one we did not make is never touched.
@Suite(.tags(.unit)) struct ServicePortTests {
    /// The live Service as `Rendering.service` made it, then as the API server keeps it.
    func front(_ yaml: String = webService, managed: Bool = true) throws -> JSONValue {
        let spec = try #require(desired(yaml).services.first)
        var service = try #require(Rendering.service(spec))
        service[path: ["spec", "clusterIP"]] = "10.96.0.12"
        if !managed { service[path: ["metadata", "labels", Rendering.managedByKey]] = nil }
        return service
    }

    let moved = webService.replacingOccurrences(of: "port: 8080", with: "port: 9090")

    @Test func aServiceOnTheSpecsPortIsLeftAsItIs() throws {
        #expect(plan(webService, observed(live(replicas: 4), services: [try front()])).isEmpty)
    }

    @Test func aChangedPortMovesTheService() throws {
        let result = plan(moved, observed(live(moved, replicas: 4), services: [try front()]))
        #expect(result.actions.map(\.verb) == [.update])
        let action = try #require(result.actions.first)
        #expect(action.change == .exposeService(port: 9090, from: 8080))
        #expect(action.target == ObjectRef(kind: .service, namespace: "aid", name: "web"))
        #expect(action.manifests.first?[path: ["spec", "ports"]] == [["name": "http", "port": 9090, "targetPort": 9090, "protocol": "TCP"]])
        #expect(action.reason == "spec.port changed: the Service serves 9090, not 8080")
        // Moving a Service and making one are different actions, with different ids.
        #expect(action.id != Action(source: action.source, target: action.target, change: .exposeService(port: 9090), reason: "").id)
    }

    @Test func aServiceWeDidNotMakeIsNeverChanged() throws {
        #expect(plan(moved, observed(live(moved, replicas: 4), services: [try front(managed: false)])).isEmpty)
    }

    @Test func readsPortAndTargetPortFromTheLiveService() throws {
        var service = try front()
        #expect(ObservedService(service).serves(8080))
        service[path: ["spec", "ports"]] = [["port": 8080, "targetPort": "http"]]
        #expect(!ObservedService(service).serves(8080))
    }
}
