import Foundation
import Model

/// Which approvers one pass asks the cluster about. Only an Approval that could release something
/// is worth a question: one naming an action the gates hold, in that action's namespace, unexpired.
/// Whoever can write Approvals (with the admission policy off, or through an exempt account) could
/// otherwise make every pass send one review per made-up approver, and slow every namespace's
/// pass: so a namespace gets at most `perNamespace` questions a pass, the approvers asked least
/// recently first, and the rest wait for a later pass (their actions stay held, saying so).
public struct ApproverQuestions: Sendable, Equatable {
    /// Questions per namespace and pass; answers are kept a minute, so a namespace with many
    /// approvers is worked through over several passes.
    public static let perNamespace = 4

    /// To ask now, in order.
    public var ask: [Approver] = []
    /// Worth asking, but beyond their namespace's share this pass.
    public var waiting: [Approver] = []

    public var isEmpty: Bool { ask.isEmpty && waiting.isEmpty }

    /// `plan`: planned with the answers known already (`known`); `lastAsked`: when each approver
    /// was last asked about (never: first in line).
    public static func choose(
        plan: Plan, approvals: [Approval], known: Set<Approver>, lastAsked: [Approver: Date], now: Date,
        perNamespace: Int = perNamespace
    ) -> ApproverQuestions {
        let unknown = worthAsking(plan: plan, approvals: approvals, now: now).subtracting(known)
        let byNamespace = Dictionary(grouping: unknown, by: \.namespace)
        var questions = ApproverQuestions()
        for namespace in byNamespace.keys.sorted() {
            let line = (byNamespace[namespace] ?? []).sorted { first, second in
                switch (lastAsked[first], lastAsked[second]) {
                case (nil, nil): first < second
                case (nil, _): true
                case (_, nil): false
                case (let one?, let other?): one != other ? one < other : first < second
                }
            }
            questions.ask += line.prefix(max(0, perNamespace))
            questions.waiting += line.dropFirst(max(0, perNamespace))
        }
        return questions
    }

    /// The approvers of unexpired Approvals naming a held action of `plan`, in its namespace.
    static func worthAsking(plan: Plan, approvals: [Approval], now: Date) -> Set<Approver> {
        let held = Set(plan.actions.filter { action in action.gates.contains { $0.verdict == .hold } }
            .map { HeldAction(namespace: $0.source.namespace, id: $0.id) })
        guard !held.isEmpty else { return [] }
        return Set(approvals.filter { approval in
            held.contains(HeldAction(namespace: approval.ref.namespace, id: approval.spec.action)) && (approval.expiry.map { $0 > now } ?? false)
        }.map(Approver.init(of:)))
    }

    private struct HeldAction: Hashable {
        var namespace: String
        var id: String
    }
}
