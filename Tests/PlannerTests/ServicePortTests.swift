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

    /// `front()` as a strict server keeps our apply: the server's defaults added, owned by
    /// `hms-controller` (Apply) field for field, then `edit` made by `manager` (an Update entry
    /// owning `fieldsV1`).
    func stored(_ yaml: String = webService, by manager: String? = nil, fieldsV1: JSONValue = [:], edit: (inout JSONValue) -> Void = { _ in }) throws -> JSONValue {
        let applied = try #require(Rendering.service(desired(yaml).services[0]))
        var object = try front(yaml)
        object[path: ["spec", "sessionAffinity"]] = "None"
        object[path: ["spec", "clusterIPs"]] = ["10.96.0.12"]
        object[path: ["spec", "ipFamilies"]] = ["IPv4"]
        object[path: ["spec", "ipFamilyPolicy"]] = "SingleStack"
        object[path: ["spec", "internalTrafficPolicy"]] = "Cluster"
        var entries: [JSONValue] = [["manager": "hms-controller", "operation": "Apply", "fieldsType": "FieldsV1",
                                     "fieldsV1": OwnedFieldComparisonTests.fields(of: applied).fieldsV1]]
        if let manager { entries.append(["manager": .string(manager), "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": fieldsV1]) }
        object[path: ["metadata", "managedFields"]] = .array(entries)
        edit(&object)
        return object
    }

    func serviceUpdate(_ yaml: String, _ service: JSONValue) throws -> (Action, ServiceDiff) {
        let result = plan(yaml, observed(live(yaml, replicas: 4), services: [service]))
        #expect(result.actions.count == 1)
        let action = try #require(result.actions.first)
        guard case .updateService(let diff) = action.change else { throw Unexpected.change(action.change) }
        return (action, diff)
    }

    enum Unexpected: Error { case change(Change) }

    @Test func aServiceOnTheSpecsPortIsLeftAsItIs() throws {
        #expect(plan(webService, observed(live(replicas: 4), services: [try front()])).isEmpty)
    }

    @Test func theServersDefaultsAreNoChange() throws {
        #expect(plan(webService, observed(live(replicas: 4), services: [try stored()])).isEmpty)
    }

    @Test func aChangedPortMovesTheService() throws {
        let (action, diff) = try serviceUpdate(moved, try stored())
        #expect(action.verb == .update)
        #expect(diff.fromPort == 8080 && diff.toPort == 9090)
        #expect(action.target == ObjectRef(kind: .service, namespace: "aid", name: "web"))
        #expect(action.manifests.first?[path: ["spec", "ports"]] == [["name": "http", "port": 9090, "targetPort": 9090, "protocol": "TCP"]])
        // The new port is added, and the old one, which only our apply owns, goes with it.
        #expect(diff.fields == [#".spec.ports[port=9090,protocol="TCP"]"#, #".spec.ports[port=8080,protocol="TCP"]"#])
        #expect(action.reason == #"spec.port changed: the Service serves 9090, not 8080; changed: .spec.ports[port=9090,protocol="TCP"], .spec.ports[port=8080,protocol="TCP"]"#)
        #expect(diff.drift.isEmpty)
        // Moving a Service and making one are different actions, with different ids.
        #expect(action.id != Action(source: action.source, target: action.target, change: .exposeService(port: 9090), reason: "").id)
    }

    @Test func aPortAnotherManagerChangedIsDriftRevertedAndReported() throws {
        // `kubectl patch` moved the targetPort: the field we render differs, and the server says who changed it.
        let patched = try stored(by: "kubectl-patch", fieldsV1: ["f:spec": ["f:ports": [#"k:{"port":8080,"protocol":"TCP"}"#: ["f:targetPort": [:]]]]]) {
            $0[path: ["spec", "ports"]] = [["name": "http", "port": 8080, "targetPort": 9999, "protocol": "TCP"]]
        }
        let (action, diff) = try serviceUpdate(webService, patched)
        let path = #".spec.ports[port=8080,protocol="TCP"].targetPort"#
        #expect(diff.fields == [path])
        #expect(diff.drift == [FieldDrift(path: path, manager: "kubectl-patch")])
        #expect(action.change.drift == diff.drift)
        #expect(action.reason == "changed: \(path)")
        #expect(action.manifests.first?[path: ["spec", "ports"]] == [["name": "http", "port": 8080, "targetPort": 8080, "protocol": "TCP"]])
        let event = try #require(Records.driftEvent(for: ActionOutcome(action: action, result: .done), uid: nil))
        #expect(event.reason == "DriftReverted")
        #expect(event.message.hasPrefix("reverted on Service web: \(path) changed by kubectl-patch"))
        let text = Plan(actions: [action]).text()
        #expect(text.contains("    port:       port 8080 → port 8080\n"))
        #expect(text.contains("    drift:      \(path) changed by kubectl-patch\n"))
    }

    @Test func everyFieldWeRenderIsCompared() throws {
        let edits: [(String, (inout JSONValue) -> Void)] = [
            (".spec.selector.app", { $0[path: ["spec", "selector", "app"]] = "other" }),
            (".spec.type", { $0[path: ["spec", "type"]] = "NodePort" }),
            (".metadata.labels.program", { $0[path: ["metadata", "labels", "program"]] = "health" }),
            (#".spec.ports[port=8080,protocol="TCP"].name"#, { $0[path: ["spec", "ports"]] = [["name": "web", "port": 8080, "targetPort": 8080, "protocol": "TCP"]] }),
        ]
        for (path, edit) in edits {
            let (_, diff) = try serviceUpdate(webService, try stored(edit: edit))
            #expect(diff.fields == [path])
        }
    }

    @Test func aServiceWeDidNotMakeIsNeverChanged() throws {
        #expect(plan(moved, observed(live(moved, replicas: 4), services: [try front(managed: false)])).isEmpty)
    }
}
