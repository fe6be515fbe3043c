import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// Each action writes its own change and nothing more: a scale that proceeds never carries an
/// image the gates refused, and a template update never undoes a scale or a restart beside it.
@Suite(.tags(.unit)) struct ChangeIsolationTests {
    let minerAndSix = webService
        .replacingOccurrences(of: "image: registry.gov/web:1.0", with: "image: docker.io/evil/miner:1")
        .replacingOccurrences(of: "replicas: 4", with: "replicas: 6")

    /// Every image a proceeding action would write, in its manifests or its patch.
    func imagesWritten(_ plan: Plan) -> [String] {
        plan.actions.filter(\.finalVerdict.proceeds).flatMap { action in
            (action.manifests + [action.patch].compactMap { $0 }).flatMap { object in
                (object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
            }
        }
    }

    @Test func aScaleBesideADeniedImageWritesTheCountAlone() throws {
        let plan = plan(minerAndSix + governance, observed(live(replicas: 4), services: [frontService]))
        let update = try #require(plan.actions.first { $0.verb == .update })
        #expect(update.finalVerdict == .deny)
        let scale = try #require(plan.actions.first { $0.verb == .scale })
        #expect(scale.finalVerdict == .allow)
        #expect(scale.manifests.isEmpty)
        #expect(scale.patch == ["spec": ["replicas": 6]])
        #expect(imagesWritten(plan).isEmpty, "the denied image reaches the cluster through no other action")
    }

    @Test func aRestartBesideADeniedImageWritesItsStampAlone() throws {
        let restarted = minerAndSix + "\n  restartedAt: \"2027-01-15T07:00:00Z\""
        let plan = plan(restarted + governance, observed(live(replicas: 4), services: [frontService]))
        #expect(plan.actions.first { $0.verb == .update }?.finalVerdict == .deny)
        let restart = try #require(plan.actions.first { $0.verb == .restart })
        #expect(restart.finalVerdict.proceeds)
        // Its apply would carry the denied image: the stamp goes alone, as a patch.
        #expect(restart.manifests.isEmpty)
        #expect(restart.patch?[path: ["spec", "template", "metadata", "annotations", Rendering.restartedAtKey]] == "2027-01-15T07:00:00Z")
        #expect(restart.patch?[path: ["spec"]]?.objectValue?.keys.sorted() == ["template"], "the stamp, and nothing else of the spec")
        #expect(imagesWritten(plan).isEmpty)
    }

    @Test func aTemplateUpdateIsWrittenWithTheCountAndStampThatProceedBesideIt() throws {
        let changed = webService
            .replacingOccurrences(of: "image: registry.gov/web:1.0", with: "image: registry.gov/web:1.1")
            .replacingOccurrences(of: "replicas: 4", with: "replicas: 6")
            + "\n  restartedAt: \"2027-01-15T07:00:00Z\""
        let plan = plan(changed + governance, observed(live(replicas: 4), services: [frontService]))
        #expect(Set(plan.actions.map(\.verb)) == [.update, .scale, .restart])
        let update = try #require(plan.actions.first { $0.verb == .update })
        let written = try #require(update.manifests.first)
        #expect(written[path: ["spec", "replicas"]] == 6, "applying the update does not undo the scale")
        #expect(written[path: ["spec", "template", "metadata", "annotations", Rendering.restartedAtKey]] == "2027-01-15T07:00:00Z")
        // The restart applies the same object (applied twice, it changes once).
        #expect(plan.actions.first { $0.verb == .restart }?.manifests == update.manifests)
        #expect(Set(imagesWritten(plan)) == ["registry.gov/web:1.1"])
    }

    @Test func aTemplateUpdateKeepsTheLiveCountWhenTheScaleIsHeld() throws {
        let changed = webService
            .replacingOccurrences(of: "image: registry.gov/web:1.0", with: "image: registry.gov/web:1.1")
            .replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
        let plan = plan(changed + governance, observed(live(replicas: 4), services: [frontService]))
        let scale = try #require(plan.actions.first { $0.verb == .scale })
        #expect(scale.finalVerdict == .hold)
        #expect(scale.patch == nil)
        let update = try #require(plan.actions.first { $0.verb == .update })
        #expect(update.manifests.first?[path: ["spec", "replicas"]] == 4)
    }
}
