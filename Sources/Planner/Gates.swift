import Foundation
import Model

/// The gates every action passes, in order: pause, budget, governance, then approvals release
/// what was held. Actions are judged in plan order, and each one that proceeds counts against the
/// budget of those after it.
struct Gates {
    let index: DesiredIndex
    let observed: ObservedState
    let ledger: Ledger
    let now: Date

    func judge(_ actions: [Action]) -> [Action] {
        var budgets = BudgetGate(index: index, observed: observed, ledger: ledger, now: now)
        var governance = GovernanceGate(policiesByNamespace: index.policiesByNamespace, now: now)
        let approvals = Approvals(byAction: index.approvalsByAction, standings: index.desired.approverStandings, now: now)
        return actions.map { action in
            var action = action
            let service = index.service(action.source)
            // A Directive's job is judged by the Directive's labels, its template's image and its
            // price; a delete of one of its Jobs by its labels.
            let directive = action.change.isDirectiveJob ? index.directives[action.source] : nil
            let jobStart = action.verb == .startJob ? directive : nil
            if let reason = index.unjudgeable(action) {
                action.gates.append(GateVerdict(gate: "governance", verdict: .defer, reason: reason))
            }
            if service?.spec.paused == true {
                action.gates.append(GateVerdict(gate: "pause", verdict: .defer, reason: "[paused] spec.paused is true: planned, not carried out"))
            }
            if let directive = jobStart {
                budgets.judgeJob(&action, directive: directive)
            } else {
                budgets.judge(&action, service: service)
            }
            governance.judge(&action, labels: service?.metadata.labels ?? directive?.metadata.labels ?? [:],
                             image: service?.spec.image ?? directive?.spec.template.image)
            approvals.release(&action)
            if let directive = jobStart {
                budgets.commitJob(action, directive: directive)
            } else {
                budgets.commit(action, service: service)
            }
            return action
        }
    }
}

// MARK: - Invalid gate inputs

extension DesiredIndex {
    /// Why a change cannot be judged now, if it cannot: a GovernancePolicy or Budget in its
    /// namespace exists but is invalid, so the rules it holds are unknown. Changes it could have
    /// refused (deploys, updates, scale-ups, job starts) wait until it is fixed; scale-downs,
    /// restarts and deletes, which no rule refuses, go on.
    func unjudgeable(_ action: Action) -> String? {
        guard let broken = invalidGateInputs[action.source.namespace]?.first else { return nil }
        switch action.verb {
        case .deploy, .update, .startJob: break
        case .scale: guard action.change.scalesUp else { return nil }
        case .restart, .delete: return nil
        }
        return "[invalid-gate-input] \(broken.kind) \(broken.name) is invalid (\(broken.summary(limit: 200))): changes it could govern wait until it is fixed"
    }
}

// MARK: - Budget

struct BudgetGate {
    let index: DesiredIndex
    let ledger: Ledger
    let hoursLeft: Double
    /// The hourly cost of what runs now, per Budget, as actions proceed.
    var hourly: [ObjectRef: Double] = [:]
    /// The most the jobs started in this plan can cost, per Budget: a one-off sum, not an hourly rate.
    var jobs: [ObjectRef: Double] = [:]

    init(index: DesiredIndex, observed: ObservedState, ledger: Ledger, now: Date) {
        self.index = index
        self.ledger = ledger
        self.hoursLeft = Ledger.hoursLeftInMonth(now)
        for service in index.desired.services {
            guard let budget = index.budgets[service.ref] else { continue }
            let ref = ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)
            let replicas = observed.deployments[ref]?.replicas ?? 0
            hourly[budget.ref, default: 0] += Double(replicas) * CostModel.replicaHourUSD(service, pricing: budget.spec.pricing)
        }
    }

    func projection(_ budget: Budget, hourly: Double) -> Double {
        (ledger.spentUSD[budget.ref] ?? 0) + hourly * hoursLeft + (jobs[budget.ref] ?? 0)
    }

    /// A job is priced once, at its most: the template's requests for `maxRuntimeSeconds`. It goes
    /// ahead when the month's projection with it stays within the limit (above the soft limit it
    /// needs approval); a job cannot be made smaller, so otherwise it is denied.
    mutating func judgeJob(_ action: inout Action, directive: Directive) {
        guard let budget = index.directiveBudgets[directive.ref] else {
            action.gates.append(GateVerdict(gate: "budget", verdict: .allow, reason: "[budget] no Budget covers \(action.source.namespace)/\(action.source.name)"))
            return
        }
        let pricing = budget.spec.pricing
        action.costDeltaUSDPerHour = CostModel.jobHourUSD(directive, pricing: pricing)
        let cost = CostModel.jobCostUSD(directive, pricing: pricing)
        let limit = budget.spec.monthlyLimitUSD
        let name = "Budget \(budget.metadata.name)"
        let runtime = directive.spec.maxRuntimeSeconds.map { "maxRuntimeSeconds \($0)" } ?? "an hour assumed: no maxRuntimeSeconds"
        let projected = projection(budget, hourly: hourly[budget.ref] ?? 0) + cost
        let price = "the job costs at most \(usd(cost)) (\(usd(action.costDeltaUSDPerHour))/h, \(runtime)); projected \(usd(projected)) of \(usd(limit))"
        if projected <= limit || cost <= 0 {
            let soft = budget.spec.softLimitPercent ?? 100
            if cost > 0, projected > limit * soft / 100, budget.spec.enforcement != .warn {
                action.gates.append(GateVerdict(
                    gate: "budget", verdict: .hold,
                    reason: "[budget-soft-limit] \(name): \(price) (\(percent(projected / limit))), above the soft limit of \(percent(soft / 100)): needs approval"))
            } else {
                action.gates.append(GateVerdict(gate: "budget", verdict: .allow, reason: "[budget] \(name): \(price)"))
            }
        } else if budget.spec.enforcement == .warn {
            action.gates.append(GateVerdict(gate: "budget", verdict: .allow, reason: "[budget] \(name) (warn only): \(price), over the limit"))
        } else {
            action.gates.append(GateVerdict(gate: "budget", verdict: .deny, reason: "[budget] \(name): \(price), over the limit"))
        }
    }

    mutating func commitJob(_ action: Action, directive: Directive) {
        guard action.finalVerdict.proceeds, let budget = index.directiveBudgets[directive.ref] else { return }
        jobs[budget.ref, default: 0] += CostModel.jobCostUSD(directive, pricing: budget.spec.pricing)
    }

    mutating func judge(_ action: inout Action, service: ServiceSpec?) {
        guard let service, let budget = index.budgets[service.ref] else {
            action.gates.append(GateVerdict(gate: "budget", verdict: .allow, reason: "[budget] no Budget covers \(action.source.namespace)/\(action.source.name)"))
            return
        }
        let perReplica = CostModel.replicaHourUSD(service, pricing: budget.spec.pricing)
        // Counts from the cluster may be anything; within Int32 (as the HPA's) the sums below cannot overflow.
        let counts = action.change.replicaCounts ?? (0, 0)
        let from = clampedCount(Double(counts.from))
        let to = clampedCount(Double(counts.to))
        let isScaleUp = action.change.scalesUp && to > from
        let isScaleDown = (action.verb == .scale && to < from) || action.verb == .delete
        action.costDeltaUSDPerHour = isScaleUp || isScaleDown ? Double(to - from) * perReplica : 0
        let current = hourly[budget.ref] ?? 0
        let limit = budget.spec.monthlyLimitUSD
        let name = "Budget \(budget.metadata.name)"
        guard isScaleUp, perReplica > 0 else {
            let saving = isScaleDown ? "; saves \(usd(-action.costDeltaUSDPerHour))/h" : ""
            action.gates.append(GateVerdict(gate: "budget", verdict: .allow,
                                            reason: "[budget] \(name): projected \(usd(projection(budget, hourly: current))) of \(usd(limit))\(saving)"))
            return
        }
        let projected = projection(budget, hourly: current + action.costDeltaUSDPerHour)
        if projected <= limit {
            let soft = budget.spec.softLimitPercent ?? 100
            if projected > limit * soft / 100, budget.spec.enforcement != .warn {
                action.gates.append(GateVerdict(
                    gate: "budget", verdict: .hold,
                    reason: "[budget-soft-limit] \(name): \(to) replicas project \(usd(projected)) of \(usd(limit)) (\(percent(projected / limit))), above the soft limit of \(percent(soft / 100)): needs approval"))
            } else {
                action.gates.append(GateVerdict(gate: "budget", verdict: .allow,
                                                reason: "[budget] \(name): \(to) replicas project \(usd(projected)) of \(usd(limit))"))
            }
            return
        }
        if budget.spec.enforcement == .warn {
            action.gates.append(GateVerdict(gate: "budget", verdict: .allow,
                                            reason: "[budget] \(name) (warn only): \(to) replicas project \(usd(projected)), over the limit of \(usd(limit))"))
            return
        }
        clampOrDeny(&action, budget: budget, from: from, to: to, perReplica: perReplica, current: current, projected: projected)
    }

    /// A scale-up over the limit: clamped to the largest count above the current one whose
    /// projection still fits, or denied when none does.
    mutating func clampOrDeny(_ action: inout Action, budget: Budget, from: Int, to: Int, perReplica: Double, current: Double, projected: Double) {
        let limit = budget.spec.monthlyLimitUSD
        let name = "Budget \(budget.metadata.name)"
        let room = (limit - (ledger.spentUSD[budget.ref] ?? 0) - (jobs[budget.ref] ?? 0)) / max(hoursLeft, 1e-9) - current
        let fitting = from + clampedCount((room / perReplica).rounded(.down) + 1e-9)
        if fitting > from, case .replicas(let asked) = action.change {
            let clamped = min(fitting, to - 1)
            action.change = .replicas(ReplicaChange(from: asked.from, to: clamped, requested: asked.to))
            action.costDeltaUSDPerHour = Double(clamped - from) * perReplica
            let clampedProjection = projection(budget, hourly: current + action.costDeltaUSDPerHour)
            action.gates.append(GateVerdict(
                gate: "budget", verdict: .clamp,
                reason: "[budget] \(name): \(to) replicas would project \(usd(projected)) of \(usd(limit)); clamped to \(clamped) (\(usd(clampedProjection)))"))
        } else {
            action.gates.append(GateVerdict(
                gate: "budget", verdict: .deny,
                reason: "[budget] \(name): \(to) replicas would project \(usd(projected)) of \(usd(limit)); no count above \(from) fits"))
        }
    }

    /// What proceeds is spent from then on.
    mutating func commit(_ action: Action, service: ServiceSpec?) {
        guard action.finalVerdict.proceeds, let service, let budget = index.budgets[service.ref] else { return }
        hourly[budget.ref, default: 0] += action.costDeltaUSDPerHour
    }
}

// MARK: - Governance

struct GovernanceGate {
    let policiesByNamespace: [String: [GovernancePolicy]]
    let now: Date
    /// When each open window closes (nil: closed now), computed once per window and plan.
    var openUntil: [GovernancePolicy.FreezeWindow: Date?] = [:]

    init(policiesByNamespace: [String: [GovernancePolicy]], now: Date) {
        self.policiesByNamespace = policiesByNamespace
        self.now = now
    }

    mutating func judge(_ action: inout Action, labels: [String: String], image: String?) {
        if case .foreignContainers(let found) = action.change { return judgeFindings(&action, found, labels: labels) }
        let applying = (policiesByNamespace[action.source.namespace] ?? [])
            .filter { $0.spec.selector?.matches(labels) ?? true }
            .sorted { $0.metadata.name < $1.metadata.name }
        guard !applying.isEmpty else {
            action.gates.append(GateVerdict(gate: "governance", verdict: .allow, reason: "[governance] no GovernancePolicy applies"))
            return
        }
        var verdicts: [GateVerdict] = []
        for policy in applying {
            let name = "GovernancePolicy \(policy.metadata.name)"
            if let maximum = policy.spec.maxReplicasWithoutApproval, case .replicas(let replicas) = action.change,
                replicas.to > maximum, action.change.scalesUp
            {
                verdicts.append(GateVerdict(gate: "governance", verdict: .hold,
                                            reason: "[max-replicas] \(replicas.to) replicas need approval above \(maximum) (\(name))"))
            }
            if let registries = policy.spec.allowedRegistries, let image,
                [.deploy, .update, .startJob].contains(action.verb), !Self.allowed(image, by: registries)
            {
                verdicts.append(GateVerdict(
                    gate: "governance", verdict: .deny,
                    reason: "[registry] image \(image) is not from an allowed registry (\(registries.joined(separator: ", "))) (\(name))"))
            }
            for window in policy.spec.freezeWindows ?? [] where window.blocks.contains(actionClass(action)) {
                if openUntil[window] == nil { openUntil[window] = .some(activeUntil(window)) }
                guard let end = openUntil[window] ?? nil else { continue }
                verdicts.append(GateVerdict(
                    gate: "governance", verdict: .defer,
                    reason: "[freeze] the window \"\(window.schedule)\" blocks \(actionClass(action).rawValue) until \(RFC3339.string(from: end)) (\(name))"))
            }
        }
        if verdicts.isEmpty {
            verdicts.append(GateVerdict(gate: "governance", verdict: .allow,
                                        reason: "[governance] allowed by \(applying.map { $0.metadata.name }.joined(separator: ", "))"))
        }
        action.gates += verdicts
    }

    /// Matched on the parsed reference at a path boundary, never by string prefix: `registry.gov`
    /// does not allow `registry.gov.attacker.io/x`. An image that does not parse is allowed by no list.
    static func allowed(_ image: String, by registries: [String]) -> Bool {
        guard let reference = ImageReference(parsing: image) else { return false }
        return registries.contains { RegistryPrefix(parsing: $0)?.contains(reference) ?? false }
    }

    func actionClass(_ action: Action) -> GovernancePolicy.ActionClass {
        switch action.verb {
        case .deploy: .deploy
        case .update: .update
        case .scale: action.change.scalesUp ? .scaleUp : .scaleDown
        case .restart: .restart
        case .delete: .delete
        case .startJob: .startJob
        }
    }

    /// When the window is open now, the moment it closes. A window is open when it started less
    /// than its duration ago, that is, when its first start after (now - duration) is not later than now.
    func activeUntil(_ window: GovernancePolicy.FreezeWindow) -> Date? {
        // Validation bounds the minutes; an object straight from the cluster may not be validated.
        let duration = TimeInterval(max(0, min(window.durationMinutes, 60 * 24 * 366))) * 60
        let zone = window.timeZone.flatMap { TimeZone(identifier: $0.identifier) } ?? TimeZone(identifier: "UTC") ?? .current
        guard let start = window.schedule.nextRun(after: now.addingTimeInterval(-duration), in: zone), start <= now else { return nil }
        return start.addingTimeInterval(duration)
    }
}

// MARK: - Approvals

struct Approvals {
    let byAction: [String: [Approval]]
    let standings: ApproverStandings
    let now: Date

    /// An approval naming the action's id, unexpired, whose approver the cluster still authorizes,
    /// releases what the gates held; such a rejection denies it. One whose approver is not
    /// confirmed releases nothing, and the held verdict says why.
    func release(_ action: inout Action) {
        guard action.gates.contains(where: { $0.verdict == .hold }) else { return }
        let matching = (byAction[action.id] ?? []).filter {
            $0.ref.namespace == action.source.namespace && ($0.expiry.map { $0 > now } ?? false)
        }
        let confirmed = matching.filter { standings[Approver(of: $0)] == .authorized }
        if let rejection = confirmed.first(where: { $0.spec.decision == .reject }) {
            action.gates.append(GateVerdict(gate: "approval", verdict: .deny, reason: "[rejected] by \(rejection.spec.approvedBy) (Approval \(rejection.metadata.name))"))
        } else if let approval = confirmed.first {
            action.gates = action.gates.map { gate in
                guard gate.verdict == .hold else { return gate }
                return GateVerdict(gate: gate.gate, verdict: .allow, reason: gate.reason + "; approved by \(approval.spec.approvedBy) (Approval \(approval.metadata.name))")
            }
        } else if let unconfirmed = matching.first {
            action.gates = action.gates.map { gate in
                guard gate.verdict == .hold else { return gate }
                return GateVerdict(gate: gate.gate, verdict: .hold, reason: gate.reason + "; " + Self.notHonoured(unconfirmed, standings[Approver(of: unconfirmed)]))
            }
        }
    }

    /// Why an Approval naming the action does not release it.
    static func notHonoured(_ approval: Approval, _ standing: ApproverStanding) -> String {
        let subject = "Approval \(approval.metadata.name) by \(approval.spec.approvedBy) not honoured"
        switch standing {
        case .authorized: return subject
        case .refused(let reason):
            return "\(subject): the cluster no longer lets \(approval.spec.approvedBy) approve approvals.ops.hms.gov in \(approval.ref.namespace)"
                + (reason.isEmpty ? "" : " (\(ClusterText.shown(reason)))")
        case .unknown(let error):
            return "\(subject): could not confirm that \(approval.spec.approvedBy) may approve in \(approval.ref.namespace) (\(ClusterText.shown(error)))"
        case .waiting:
            return "\(subject) yet: more approvers in \(approval.ref.namespace) wait to be confirmed than are asked about at once "
                + "(\(ApproverQuestions.perNamespace) a pass); a later pass asks"
        }
    }
}

// MARK: - Formatting

/// A count from a Double that may be anything (NaN, huge): the nearest Int within the replica
/// bound's reach, never a trap.
func clampedCount(_ value: Double) -> Int {
    guard value.isFinite else { return value > 0 ? Int(Int32.max) : 0 }
    return Int(max(min(value, Double(Int32.max)), Double(Int32.min)))
}

/// Dollars with cents and thousands separators: $12,400.00, the one format of plans, gate reasons
/// and the console. Amounts no budget can reach (above a quadrillion, infinite, NaN) are written in
/// scientific notation rather than trapping.
public func usd(_ amount: Double) -> String {
    guard amount.isFinite else { return amount.isNaN ? "$NaN" : (amount < 0 ? "-$inf" : "$inf") }
    guard abs(amount) < 1e15 else { return (amount < 0 ? "-" : "") + "$" + String(format: "%.3e", abs(amount)) }
    let cents = Int((abs(amount) * 100).rounded())
    var whole = String(cents / 100)
    var groups: [String] = []
    while whole.count > 3 {
        groups.insert(String(whole.suffix(3)), at: 0)
        whole = String(whole.dropLast(3))
    }
    groups.insert(whole, at: 0)
    let fraction = cents % 100
    return (amount < 0 ? "-" : "") + "$" + groups.joined(separator: ",") + "." + (fraction < 10 ? "0" : "") + String(fraction)
}

func percent(_ fraction: Double) -> String {
    let value = fraction * 100
    guard value.isFinite, abs(value) < 1e15 else { return value.isNaN ? "NaN%" : String(format: "%.3e%%", value) }
    return value.rounded() == value ? "\(Int(value))%" : String(format: "%.1f%%", value)
}
