import Foundation
import JSON
import Model
@testable import Planner
import Testing

/// Which container is ours is decided in one place (`ObservedDeployment.ownContainer`): the one
/// named after the ServiceSpec, wherever it stands; and what the plan compares is decoded and
/// rendered once, not every pass.
extension OwnedFieldComparisonTests {
    static let containers = ["spec", "template", "spec", "containers"]

    /// `live` with a mesh's sidecar injected in front of our container, as its webhook writes it.
    func withSidecarFirst(_ live: JSONValue, keepingOurs: Bool = true) -> JSONValue {
        var object = live
        let ours = keepingOurs ? object[path: Self.containers]?.arrayValue ?? [] : []
        object[path: Self.containers] = .array([["name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22"]] + ours)
        var entries = object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        entries.append(update("istio-sidecar-injector", ["f:spec": ["f:template": ["f:spec": ["f:containers": [
            #"k:{"name":"istio-proxy"}"#: [".": [:], "f:name": [:], "f:image": [:]]]]]]]))
        object[path: ["metadata", "managedFields"]] = .array(entries)
        return object
    }

    @Test func ourContainerIsTheOneNamedAfterTheServiceNotTheFirst() throws {
        // Our image changed by kubectl, behind an injected sidecar: the plan names our image, not the sidecar's.
        let changed = stored(others: [update("kubectl-set", ["f:spec": ["f:template": ["f:spec": ["f:containers": [#"k:{"name":"web"}"#: ["f:image": [:]]]]]]])]) {
            $0[path: Self.containers] = .array(($0[path: Self.containers]?.arrayValue ?? []).map {
                var container = $0
                container["image"] = "docker.io/evil/web:1"
                return container
            })
        }
        let live = ObservedDeployment(withSidecarFirst(changed))
        #expect(live.ownContainer(for: service)?.image == "docker.io/evil/web:1")
        let found = try #require(TemplateDiff(live: live, service: service))
        #expect(found.fromImage == "docker.io/evil/web:1")
        #expect(found.fields == [.image(from: "docker.io/evil/web:1", to: "registry.gov/web:1.0")])
        #expect(found.reason == "changed: image docker.io/evil/web:1 → registry.gov/web:1.0")
        // The sidecar is reported as another manager's container, ours is not.
        #expect(ForeignContainer.found(in: live, for: service)
            == [ForeignContainer(name: "istio-proxy", image: "docker.io/istio/proxyv2:1.22", role: .container, managers: ["istio-sidecar-injector"])])
        // Unchanged behind the sidecar: nothing to update.
        #expect(TemplateDiff(live: ObservedDeployment(withSidecarFirst(stored())), service: service) == nil)
    }

    @Test func withoutOurContainerTheFirstIsStillSomeoneElses() throws {
        // Our container was removed by hand and only the sidecar is left: it is foreign, and our
        // apply adds our container back (the whole container, not an image change of the sidecar's).
        let live = ObservedDeployment(withSidecarFirst(stored(), keepingOurs: false))
        #expect(live.ownContainer(for: service) == nil)
        #expect(ForeignContainer.found(in: live, for: service).map(\.name) == ["istio-proxy"])
        let found = try #require(TemplateDiff(live: live, service: service))
        #expect(found.fromImage == "")
        #expect(found.fields.count == 1)
        guard case .containers = found.fields.first else { Issue.record("expected the whole container, got \(found.fields)"); return }
        let result = plan(webService, observed(withSidecarFirst(stored(), keepingOurs: false), services: [frontService]))
        #expect(result.actions.map(\.change.fromText).contains("container istio-proxy (docker.io/istio/proxyv2:1.22)"))
    }

    // MARK: - Decoded and rendered once

    @Test func ourApplyEntryIsDecodedWhenTheObjectIsRead() {
        let live = ObservedDeployment(stored())
        let paths = live.appliedFields ?? []
        #expect(paths.contains([.field("spec"), .field("replicas")]))
        #expect(paths.contains(containerPath + [.field("image")]))
        // Another manager's entry, or an Update of ours, is not our apply's.
        #expect(ObservedDeployment(stored(edit: { $0[path: ["metadata", "managedFields"]] = [] })).appliedFields == nil)
        // The comparison reads the decoded paths, not the object's managedFields again: a field
        // the decoded apply owns and we stopped rendering is one to remove.
        var decoded = ObservedDeployment(stored())
        decoded.appliedFields = paths + [[.field("metadata"), .field("labels"), .field("tier")]]
        decoded.object[path: ["metadata", "labels", "tier"]] = "gold"
        #expect(TemplateDiff(live: decoded, service: service)?.fields == [.other(".metadata.labels.tier")])
    }

    @Test func aComparisonIsRememberedForTheLiveVersionItWasMadeWith() {
        var versioned = stored { $0[path: ["metadata", "resourceVersion"]] = "41" }
        let live = ObservedDeployment(versioned)
        var desired = TemplateDiff.desired(live: live, service: service, fromManifests: false)
        #expect(TemplateDiff.differences(live: live, service: service, remembering: &desired).isEmpty)
        #expect(desired.comparison?.resourceVersion == "41")
        // A marked result shows that the same version is not compared again ...
        let marked = [OwnedFieldComparison.Difference(path: [.field("marked")], live: nil, desired: true)]
        desired.comparison?.differences = marked
        #expect(TemplateDiff.differences(live: live, service: service, remembering: &desired) == marked)
        // ... and that a new version is.
        versioned[path: ["metadata", "resourceVersion"]] = "42"
        #expect(TemplateDiff.differences(live: ObservedDeployment(versioned), service: service, remembering: &desired).isEmpty)
        #expect(desired.comparison?.resourceVersion == "42")
        // Without a version (a synthetic object) nothing is remembered.
        var unversioned = TemplateDiff.desired(live: ObservedDeployment(stored()), service: service, fromManifests: false)
        _ = TemplateDiff.differences(live: ObservedDeployment(stored()), service: service, remembering: &unversioned)
        #expect(unversioned.comparison == nil)
    }

    @Test func aRenderingFromTheSameInputsIsReusedAndAnyOtherIsNot() throws {
        let live = ObservedDeployment(stored())
        let first = plan(webService, ObservedState(deployments: [stored()], services: [frontService]))
        let ref = ObjectRef(kind: .deployment, namespace: "aid", name: "web")
        let rendering = try #require(first.renderedDeployments[ref])
        #expect(rendering.object == Rendering.deployment(service, replicas: 4))
        // The next plan, handed it, plans the same.
        let next = plan(webService, ObservedState(deployments: [stored()], services: [frontService]),
                        options: Planner.Options(renderedDeployments: first.renderedDeployments))
        #expect(next.actions == first.actions)
        #expect(next.renderedDeployments == first.renderedDeployments)
        // Reused as is when the inputs are the same (a marked copy shows which was used) ...
        var marked = rendering
        marked.object[path: ["metadata", "labels", "marked"]] = "yes"
        #expect(TemplateDiff.desired(live: live, service: service, fromManifests: false, reusing: marked) == marked)
        // ... and rendered again when any input differs: the image, a label, the live count, the source.
        var newImage = service
        newImage.spec.image = "registry.gov/web:2.0"
        var newLabels = service
        newLabels.metadata.labels = ["program": "other"]
        for changed in [newImage, newLabels] {
            let renewed = TemplateDiff.desired(live: live, service: changed, fromManifests: false, reusing: marked)
            #expect(renewed.object == Rendering.deployment(changed, replicas: 4))
        }
        var scaled = live
        scaled.replicas = 7
        #expect(TemplateDiff.desired(live: scaled, service: service, fromManifests: false, reusing: marked).object == Rendering.deployment(service, replicas: 7))
        #expect(TemplateDiff.desired(live: live, service: service, fromManifests: true, reusing: marked).object
            == Rendering.deployment(service, replicas: 4, fromManifests: true))
        // A stale rendering handed to the plan is never used: the image change is still planned.
        let newer = webService.replacingOccurrences(of: "web:1.0", with: "web:2.0")
        let update = plan(newer, ObservedState(deployments: [stored()], services: [frontService]),
                          options: Planner.Options(renderedDeployments: first.renderedDeployments))
        #expect(update.actions.map(\.change) == [.template(TemplateDiff(fromImage: "registry.gov/web:1.0", toImage: "registry.gov/web:2.0",
                                                                         fields: [.image(from: "registry.gov/web:1.0", to: "registry.gov/web:2.0")]))])
    }
}
