@testable import Controller
@testable import Planner
import Testing

/// A held decision is journaled once while it stands, and again when it comes back after going away.
@Suite(.tags(.unit)) struct DecisionMemoryTests {
    let web = ObjectRef(kind: "ServiceSpec", namespace: "gov", name: "web")
    let api = ObjectRef(kind: "ServiceSpec", namespace: "gov", name: "api")

    func outcome(_ source: ObjectRef, id: String, _ result: ActionOutcome.Result) -> ActionOutcome {
        let action = Action(
            id: id, source: source, target: ObjectRef(kind: "Deployment", namespace: source.namespace, name: source.name), verb: .scale,
            from: "10", to: "12", requested: nil, reason: "manifest", costDeltaUSDPerHour: 0,
            gates: [GateVerdict(gate: "governance", verdict: .hold, reason: "[max-replicas] 12 replicas need approval above 10")],
            manifests: [])
        return ActionOutcome(action: action, result: result)
    }

    @Test func aHeldDecisionIsJournaledOnceWhileItStands() {
        let memory = DecisionMemory()
        let held = outcome(web, id: "a1", .notCarriedOut(.hold))
        #expect(memory.news([held], scope: nil).map(\.action.id) == ["a1"])
        #expect(memory.news([held], scope: nil).isEmpty)
        #expect(memory.news([held], scope: [web]).isEmpty)
    }

    @Test func doneAndFailedOutcomesAreAlwaysJournaled() {
        let memory = DecisionMemory()
        let done = outcome(web, id: "a1", .done)
        let failed = outcome(api, id: "a2", .failed("500"))
        #expect(memory.news([done, failed], scope: nil).count == 2)
        #expect(memory.news([done, failed], scope: nil).count == 2)
    }

    @Test func aDecisionThatWentAwayIsJournaledWhenItComesBack() {
        let memory = DecisionMemory()
        let held = outcome(web, id: "a1", .notCarriedOut(.hold))
        _ = memory.news([held], scope: nil)
        #expect(memory.news([], scope: [web]).isEmpty)  // nothing to do for web this pass
        #expect(memory.news([held], scope: [web]).map(\.action.id) == ["a1"])
    }

    @Test func aPassOverOtherResourcesKeepsWhatItDidNotCover() {
        let memory = DecisionMemory()
        let held = outcome(web, id: "a1", .notCarriedOut(.hold))
        _ = memory.news([held], scope: [web])
        _ = memory.news([outcome(api, id: "a2", .done)], scope: [api])
        #expect(memory.news([held], scope: [web]).isEmpty)
    }

    @Test func aChangedVerdictIsNews() {
        let memory = DecisionMemory()
        _ = memory.news([outcome(web, id: "a1", .notCarriedOut(.hold))], scope: nil)
        #expect(memory.news([outcome(web, id: "a1", .notCarriedOut(.deny))], scope: nil).count == 1)
    }

    @Test func afterForgettingEveryDecisionIsNewsAgain() {
        let memory = DecisionMemory()
        let held = outcome(web, id: "a1", .notCarriedOut(.hold))
        _ = memory.news([held], scope: nil)
        memory.forget()
        #expect(memory.news([held], scope: nil).count == 1)
    }
}
