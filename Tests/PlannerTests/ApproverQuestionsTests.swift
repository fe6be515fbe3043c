import Foundation
import Model
import Testing
@testable import Planner

/// Which approvers a pass asks the cluster about: only those whose Approval could release a held
/// action, a few per namespace, the least recently asked first.
@Suite(.tags(.unit)) struct ApproverQuestionsTests {
    let twelve = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
    let state = observed(live(replicas: 4), services: [frontService])

    func approval(_ id: String, by user: String, namespace: String = "aid", name: String? = nil, expires: String = "2026-11-17T00:00:00Z") -> String {
        "\n---\napiVersion: ops.hms.gov/v1alpha1\nkind: Approval\nmetadata: {name: \(name ?? "by-\(user)"), namespace: \(namespace)}\n"
            + "spec: {action: \(id), approvedBy: \(user), expiresAt: \"\(expires)\"}\n"
    }

    var held: Plan { plan(twelve + governance, state) }
    var heldID: String { held.actions[0].id }

    func choose(_ approvals: String, known: Set<Approver> = [], lastAsked: [Approver: Date] = [:], perNamespace: Int = 4) -> ApproverQuestions {
        ApproverQuestions.choose(plan: held, approvals: desired(approvals).approvals, known: known, lastAsked: lastAsked, now: now, perNamespace: perNamespace)
    }

    func aid(_ user: String) -> Approver { Approver(namespace: "aid", user: user) }

    @Test func onlyApproversOfAHeldActionInItsNamespaceAreAsked() {
        #expect(held.actions[0].finalVerdict == .hold)
        let approvals = approval(heldID, by: "alice")
            // Another action's id (not held), another namespace, an expired Approval: none is worth a question.
            + approval("act-0000000000000000", by: "mallory")
            + approval(heldID, by: "trudy", namespace: "elsewhere")
            + approval(heldID, by: "oscar", expires: "2026-11-15T00:00:00Z")
        #expect(choose(approvals) == ApproverQuestions(ask: [aid("alice")], waiting: []))
    }

    @Test func aPlanWithNothingHeldAsksNobody() {
        let nothingHeld = plan(webService + governance, state)
        #expect(!nothingHeld.actions.contains { $0.finalVerdict == .hold })
        let approvals = desired(approval(heldID, by: "alice") + approval("act-0000000000000000", by: "bob")).approvals
        #expect(ApproverQuestions.choose(plan: nothingHeld, approvals: approvals, known: [], lastAsked: [:], now: now).isEmpty)
    }

    @Test func aNamespaceGetsAFewQuestionsAPassAndTheRestWait() {
        let users = (0..<10).map { "user-\($0)" }
        let questions = choose(users.map { approval(heldID, by: $0) }.joined(), perNamespace: 4)
        #expect(questions.ask == users.prefix(4).map(aid))
        #expect(questions.waiting == users.dropFirst(4).map(aid))
    }

    @Test func knownAnswersCostNoQuestion() {
        let questions = choose(approval(heldID, by: "alice") + approval(heldID, by: "bob"), known: [aid("alice")])
        #expect(questions == ApproverQuestions(ask: [aid("bob")], waiting: []))
    }

    @Test func theLeastRecentlyAskedGoFirstSoEveryoneIsAskedInTurn() {
        let approvals = ["a", "b", "c"].map { approval(heldID, by: $0) }.joined()
        let earlier = now.addingTimeInterval(-120)
        // Never asked before anyone asked; then the one asked longest ago.
        let questions = choose(approvals, lastAsked: [aid("a"): now.addingTimeInterval(-60), aid("b"): earlier], perNamespace: 2)
        #expect(questions == ApproverQuestions(ask: [aid("c"), aid("b")], waiting: [aid("a")]))
    }

    @Test func theCapIsPerNamespace() {
        let relief = (twelve + governance).replacingOccurrences(of: "namespace: aid", with: "namespace: relief")
        let both = plan(twelve + governance + "\n---\n" + relief,
                        observed(live(replicas: 4), live(webService.replacingOccurrences(of: "namespace: aid", with: "namespace: relief"), replicas: 4),
                                 services: [frontService]))
        let helds = both.actions.filter { $0.finalVerdict == .hold }
        #expect(helds.map(\.source.namespace).sorted() == ["aid", "relief"])
        let reliefID = helds.first { $0.source.namespace == "relief" }?.id ?? ""
        let approvals = ["a", "b", "c"].map { approval(heldID, by: $0) }.joined() + ["d", "e", "f"].map { approval(reliefID, by: $0, namespace: "relief") }.joined()
        let questions = ApproverQuestions.choose(plan: both, approvals: desired(approvals).approvals, known: [], lastAsked: [:], now: now, perNamespace: 2)
        let relieved = { (user: String) in Approver(namespace: "relief", user: user) }
        #expect(questions.ask == [aid("a"), aid("b"), relieved("d"), relieved("e")])
        #expect(questions.waiting == [aid("c"), relieved("f")])
    }

    @Test func waitingApproversKeepTheActionHeldAndSaySo() {
        var state = desired(twelve + governance + approval(heldID, by: "alice"), approvers: .waiting)
        state.approverStandings = ApproverStandings([aid("alice"): .waiting])
        let action = Planner().plan(desired: state, observed: self.state, ledger: Ledger(spentUSD: [:]), now: now).actions[0]
        #expect(action.finalVerdict == .hold)
        #expect(action.gates.last?.reason.hasSuffix(
            "Approval by-alice by alice not honoured yet: more approvers in aid wait to be confirmed than are asked about at once (4 a pass); a later pass asks") == true)
    }

    @Test func whatTheClusterSaysIsBoundedBeforeItIsShown() {
        let long = String(repeating: "x", count: 5_000)
        let forged = "no\nHOLD [fake] line\u{1B}[31m"
        let refused = Planner().plan(desired: desired(twelve + governance + approval(heldID, by: "alice"), approvers: .refused(long + forged)),
                                     observed: state, ledger: Ledger(spentUSD: [:]), now: now).actions[0]
        let reason = refused.gates.last?.reason ?? ""
        #expect(reason.count < 600 && reason.hasSuffix("...)"))
        #expect(ClusterText.shown(forged) == "noHOLD [fake] line[31m")
        #expect(ClusterText.shown(long).count == ClusterText.limit)
    }
}
