import Foundation
import Kube
import Model
import Planner
import Synchronization

/// Asks the cluster whether an Approval's author may still `approve` `approvals.ops.hms.gov` in
/// its namespace (a LocalSubjectAccessReview there, user = `spec.approvedBy`), and keeps the
/// answers a while, so that a controller passing every few seconds asks once a minute per
/// approver, not per pass. Only approvers whose Approval could release a held action are asked
/// (`ApproverQuestions`: a few per namespace and pass, a few at a time), after a first plan made
/// with the answers known; the gate then judges again with the new ones. A review that fails is
/// not kept, so a later pass asks again.
public final class ApproverReviews: Sendable {
    /// Reviews in flight at once: a pass waits for the slowest of a few, not for a queue of many.
    public static let inFlight = 4

    let client: KubeClient
    let answers: TimedCache<Approver, ApproverStanding>
    let perNamespace: Int
    /// When each approver worth asking was last asked: the least recent go first.
    private let lastAsked = Mutex<[Approver: Date]>([:])

    /// `seconds`: how long an answer holds; an approver whose right is taken away stops releasing
    /// actions within it. `perNamespace`: questions per namespace and pass.
    public init(client: KubeClient, seconds: Double = 60, perNamespace: Int = ApproverQuestions.perNamespace) {
        self.client = client
        answers = TimedCache(seconds: seconds, capacity: 10_000)
        self.perNamespace = perNamespace
    }

    /// The plan of `desired`, its approvers confirmed: `planning` (pure) runs with the answers
    /// known, and once more with the new answers when a held action's approver had to be asked.
    public func plan(_ desired: DesiredState, now: Date, planning: (DesiredState) -> Plan) async -> Plan {
        var desired = desired
        let approvers = ApproverStandings.approvers(of: desired.approvals, now: now)
        var standings = known(approvers, now: now)
        desired.approverStandings = ApproverStandings(standings)
        let first = planning(desired)
        let questions = ApproverQuestions.choose(
            plan: first, approvals: desired.approvals, known: Set(standings.keys), lastAsked: lastAsked.withLock { $0 }, now: now,
            perNamespace: perNamespace)
        guard !questions.isEmpty else { return first }
        remember(questions.ask, keeping: Set(approvers), now: now)
        standings.merge(await ask(questions.ask, now: now)) { _, new in new }
        for approver in questions.waiting { standings[approver] = .waiting }
        desired.approverStandings = ApproverStandings(standings)
        return planning(desired)
    }

    /// The answers still held for `approvers`.
    func known(_ approvers: [Approver], now: Date) -> [Approver: ApproverStanding] {
        var known: [Approver: ApproverStanding] = [:]
        for approver in approvers {
            if let standing = answers.get(approver, now: now) { known[approver] = standing }
        }
        return known
    }

    /// Notes who is asked now. Those whose Approvals are gone or expired are forgotten, so the
    /// table is never larger than the Approvals; the others keep their turn, so that an answer
    /// that expires does not put its approver ahead of those still waiting.
    private func remember(_ asked: [Approver], keeping current: Set<Approver>, now: Date) {
        lastAsked.withLock { table in
            table = table.filter { current.contains($0.key) }
            for approver in asked { table[approver] = now }
        }
    }

    /// Asks about each of `approvers`, at most `inFlight` at once.
    func ask(_ approvers: [Approver], now: Date) async -> [Approver: ApproverStanding] {
        await withTaskGroup(of: (Approver, ApproverStanding).self) { group in
            var pending = approvers[...]
            var answered: [Approver: ApproverStanding] = [:]
            for _ in 0..<Self.inFlight {
                guard let next = pending.popFirst() else { break }
                group.addTask { (next, await self.standing(of: next, now: now)) }
            }
            for await (approver, standing) in group {
                answered[approver] = standing
                if let next = pending.popFirst() { group.addTask { (next, await self.standing(of: next, now: now)) } }
            }
            return answered
        }
    }

    func standing(of approver: Approver, now: Date) async -> ApproverStanding {
        if let known = answers.get(approver, now: now) { return known }
        do {
            let status = try await client.localSubjectAccessReview(Self.review(of: approver), namespace: approver.namespace)
            let standing = Self.standing(from: status)
            answers.put(approver, standing, now: now)
            return standing
        } catch {
            return .unknown("LocalSubjectAccessReview failed: \(ClusterText.shown(error.description))")
        }
    }

    static func review(of approver: Approver) -> SubjectAccessReview.Spec {
        SubjectAccessReview.Spec(
            user: approver.user, groups: approver.groups.isEmpty ? nil : approver.groups,
            resourceAttributes: .init(group: API.group, resource: Approval.plural, verb: "approve", namespace: approver.namespace))
    }

    /// The cluster's answer; its reason, cluster text, bounded before it is kept or shown.
    static func standing(from status: SubjectAccessReview.Status) -> ApproverStanding {
        if status.allowed { return .authorized }
        return .refused(ClusterText.shown(status.reason ?? status.evaluationError ?? ""))
    }
}
