import Foundation
import JSON
import Manifests
import Model
@testable import Planner
import Testing

/// `spec.scaling: external` hands the replica count to another scaler: the controller never writes
/// it. Otherwise the count is the controller's, and another manager writing it is reported
/// (`ReplicasContested`) rather than fought silently.
@Suite(.tags(.unit)) struct ExternalScalingTests {
    let external = webService.replacingOccurrences(of: "  replicas: 4\n", with: "  scaling: external\n")

    @Test func aNewExternallyScaledServiceIsDeployedWithoutACount() throws {
        let result = plan(external)
        #expect(result.actions.map(\.verb) == [.deploy])
        let deployment = try #require(result.actions.first?.manifests.first)
        #expect(deployment["kind"] == "Deployment")
        #expect(deployment[path: ["spec", "replicas"]] == nil)
    }

    @Test func anotherScalersCountIsLeftAlone() {
        // An HPA took it to 7: no scale back, no difference.
        #expect(plan(external, observed(live(external, replicas: 7), services: [frontService])).isEmpty)
        // The same live count under the controller's own scaling is scaled back to the spec's 4.
        #expect(plan(webService, observed(live(replicas: 7), services: [frontService])).actions.map(\.verb) == [.scale])
    }

    @Test func aTemplateUpdateNeverCarriesTheCount() throws {
        let changed = external.replacingOccurrences(of: "web:1.0", with: "web:1.1")
        let result = plan(changed, observed(live(external, replicas: 7), services: [frontService]))
        #expect(result.actions.map(\.verb) == [.update])
        let deployment = try #require(result.actions.first?.manifests.first)
        #expect(deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "registry.gov/web:1.1")
        #expect(deployment[path: ["spec", "replicas"]] == nil)
    }

    @Test func replicasWithExternalScalingIsRefused() {
        let both = webService.replacingOccurrences(of: "  replicas: 4\n", with: "  replicas: 4\n  scaling: external\n")
        let result = ManifestDecoder().decode(Array(both.utf8), file: "test.yaml")
        #expect(result.manifests.isEmpty)
        #expect(result.diagnostics.map { "\($0)" }.contains {
            $0.contains("spec.replicas: must not be set when spec.scaling is external: the external scaler owns the replica count")
        })
    }

    // MARK: - ReplicasContested

    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func service(_ yaml: String) throws -> ServiceSpec {
        try #require(desired(yaml).services.first)
    }

    /// The live Deployment, with managedFields naming who owns `spec.replicas`.
    func deployment(replicaOwners: [String]) -> ObservedDeployment {
        var object = live(replicas: 4)
        object[path: ["metadata", "managedFields"]] = .array(replicaOwners.map { manager in
            ["manager": .string(manager), "operation": "Update", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:spec": ["f:replicas": [:]]]]
        } + [["manager": "kube-controller-manager", "operation": "Update", "subresource": "status", "fieldsType": "FieldsV1",
              "fieldsV1": ["f:status": ["f:replicas": [:]]]]])
        return ObservedDeployment(object)
    }

    func contested(_ service: ServiceSpec, _ live: ObservedDeployment, previous: [Condition]? = nil, at time: Date) -> Condition? {
        var service = service
        service.status = ServiceSpec.Status(conditions: previous)
        return Statuses.service(service, budgets: [], live: live, outcomes: [], health: nil, now: time).conditions?
            .first { $0.type == "ReplicasContested" }
    }

    @Test func readsWhoOwnsTheCountFromManagedFields() {
        #expect(deployment(replicaOwners: ["hms-controller", "kubectl"]).replicaManagers == ["hms-controller", "kubectl"])
        #expect(ObservedDeployment(live(replicas: 4)).replicaManagers == [])
    }

    @Test func anotherManagerWritingTheCountIsReported() throws {
        let web = try service(webService)
        let ours = try #require(contested(web, deployment(replicaOwners: ["hms-controller"]), at: start))
        #expect(ours.status == "False")
        let fought = try #require(contested(web, deployment(replicaOwners: ["hms-controller", "horizontal-pod-autoscaler"]), at: start))
        #expect(fought.status == "True")
        #expect(fought.reason == "OtherManager")
        #expect(fought.message?.contains("\"horizontal-pod-autoscaler\"") == true)
        // Set back by the controller, the count is ours again; the condition holds for five
        // minutes, so a scaler that writes every few seconds does not make it flap...
        let held = contested(web, deployment(replicaOwners: ["hms-controller"]), previous: [fought], at: start.addingTimeInterval(299))
        #expect(held == fought)
        // ...and clears after.
        let cleared = contested(web, deployment(replicaOwners: ["hms-controller"]), previous: [fought], at: start.addingTimeInterval(300))
        #expect(cleared?.status == "False")
    }

    @Test func anExternallyScaledServiceIsNeverContested() throws {
        let condition = try #require(contested(try service(external), deployment(replicaOwners: ["horizontal-pod-autoscaler"]), at: start))
        #expect(condition.status == "False")
        #expect(condition.reason == "ScaledExternally")
    }
}
