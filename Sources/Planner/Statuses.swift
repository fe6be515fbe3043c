import Foundation
import Model

/// The statuses our kinds show, computed from values: what a pass observed and did, and now. The
/// controller writes what these return when it differs from what is stored.
public enum Statuses {
    /// The replicas a service runs after this pass: what a done scale or deploy set, else what the
    /// Deployment asks; nil when neither says (no Deployment yet).
    public static func replicas(of service: ServiceSpec, live: ObservedDeployment?, outcomes: [ActionOutcome]) -> Int? {
        let deployment = ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)
        return outcomes.last { $0.action.target == deployment && $0.replicasSet != nil }?.replicasSet ?? live?.replicas
    }

    /// A ServiceSpec's status: replicas, readiness, cost, last action, and the conditions Ready,
    /// Progressing and Degraded (most pods failing at once is the service's state, shown before
    /// any action's failure). `outcomes` are this service's.
    public static func service(_ service: ServiceSpec, budgets: [Budget], live: ObservedDeployment?, outcomes: [ActionOutcome],
                               health: ServiceHealth?, now: Date) -> ServiceSpec.Status {
        let replicas = replicas(of: service, live: live, outcomes: outcomes) ?? 0
        let ready = live?.readyReplicas ?? 0
        let previous = service.status ?? ServiceSpec.Status()
        var status = previous
        status.observedGeneration = service.metadata.generation
        status.replicas = replicas
        status.readyReplicas = ready
        if let budget = CostModel.budget(for: service, in: budgets) {
            status.costUSDPerHour = (Double(replicas) * CostModel.replicaHourUSD(service, pricing: budget.spec.pricing) * 10_000).rounded() / 10_000
        }
        if let last = outcomes.last {
            status.lastAction = "\(last.action.verb.rawValue) \(last.action.change.fromText) → \(last.action.change.toText): \(last.journalText) (\(last.action.id))"
        }
        let failed = outcomes.contains { if case .failed = $0.result { true } else { false } }
        let denied = outcomes.contains { $0.result == .notCarriedOut(.deny) }
        let progressing = outcomes.contains { $0.result == .done } || ready != replicas
        let degraded: Condition =
            if let health, health.degraded {
                condition("Degraded", true, ServiceHealth.degradedReason, health.message, previous: previous.conditions, now: now)
            } else {
                condition("Degraded", failed || denied, failed ? "ActionFailed" : denied ? "ActionDenied" : "AsExpected",
                          failed ? "an action failed; see the Events" : denied ? "an action was denied by a gate" : "no failed or denied action",
                          previous: previous.conditions, now: now)
            }
        status.conditions = [
            condition("Ready", ready == replicas && live != nil, ready == replicas ? "ReplicasReady" : "ReplicasNotReady",
                      "\(ready) of \(replicas) replicas ready", previous: previous.conditions, now: now),
            condition("Progressing", progressing, progressing ? "Reconciling" : "Reconciled",
                      progressing ? "changes are being rolled out" : "the cluster matches the spec", previous: previous.conditions, now: now),
            degraded,
            replicasContested(service, live: live, previous: previous.conditions, now: now),
        ]
        return status
    }

    /// How long `ReplicasContested` stays True after the pass that saw another manager's count,
    /// so that a scaler writing every few seconds shows as contesting, not as a flapping condition.
    public static let contestHold: TimeInterval = 300

    /// True when a field manager other than ours owns the Deployment's `spec.replicas` although the
    /// controller sets it: an HPA, KEDA or `kubectl scale` is fighting it, and the fix is theirs to
    /// stop or `spec.scaling: external`. The controller keeps its count; it does not flap silently.
    static func replicasContested(_ service: ServiceSpec, live: ObservedDeployment?, previous: [Condition]?, now: Date) -> Condition {
        let others = service.spec.isScaledExternally ? [] : (live?.replicaManagers ?? []).filter { !Rendering.ownFieldManagers.contains($0) }
        if !others.isEmpty {
            let names = others.map { "\"\($0)\"" }.joined(separator: ", ")
            return condition("ReplicasContested", true, "OtherManager",
                             "spec.replicas of the Deployment is also written by \(names); the controller sets it back to the count it decides (set spec.scaling: external to hand it over)",
                             previous: previous, now: now)
        }
        if let held = previous?.first(where: { $0.type == "ReplicasContested" && $0.status == "True" }),
            let since = held.lastTransitionTime.flatMap(RFC3339.date(from:)),
            // A stamp from the future (the status is anyone's to write) holds nothing.
            (0..<contestHold).contains(now.timeIntervalSince(since))
        {
            return held
        }
        return condition("ReplicasContested", false, service.spec.isScaledExternally ? "ScaledExternally" : "OnlyOurs",
                         service.spec.isScaledExternally ? "spec.scaling is external: the replica count is another scaler's"
                             : "only the controller writes spec.replicas", previous: previous, now: now)
    }

    /// A Budget's spend, integrated: the hourly cost stored at the last update times the hours
    /// since, the projection to month end at the new hourly cost. nil when there is nothing worth
    /// writing: the same month, the same hourly cost, and less than five minutes since the last
    /// update (spend is kept in the status, so it survives restarts, without a write every pass).
    public static func budget(_ budget: Budget, hourlyUSD hourly: Double, now: Date) -> Budget.Status? {
        let month = Ledger.month(of: now)
        let previous = budget.status
        let sameMonth = previous?.month == month
        let last = previous?.lastUpdated.flatMap(RFC3339.date(from:))
        let elapsedHours = sameMonth ? max(0, now.timeIntervalSince(last ?? now) / 3600) : 0
        let spent = (sameMonth ? previous?.spentUSD ?? 0 : 0) + (previous?.costUSDPerHour ?? 0) * elapsedHours
        let roundedHourly = (hourly * 10_000).rounded() / 10_000
        guard !sameMonth || roundedHourly != previous?.costUSDPerHour || elapsedHours >= 300.0 / 3600 else { return nil }
        let projected = spent + hourly * Ledger.hoursLeftInMonth(now)
        var status = previous ?? Budget.Status()
        status.month = month
        status.spentUSD = (spent * 100).rounded() / 100
        status.projectedUSD = (projected * 100).rounded() / 100
        status.costUSDPerHour = roundedHourly
        status.lastUpdated = RFC3339.string(from: now)
        return status
    }

    /// What a Budget's services cost an hour after this pass.
    public static func hourlyUSD(of budget: Budget, services: [ServiceSpec], budgets: [Budget], deployments: [ObjectRef: ObservedDeployment],
                                 outcomes: [ActionOutcome]) -> Double {
        var hourly = 0.0
        for service in services where CostModel.budget(for: service, in: budgets)?.ref == budget.ref {
            let live = deployments[ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)]
            hourly += Double(replicas(of: service, live: live, outcomes: outcomes) ?? 0) * CostModel.replicaHourUSD(service, pricing: budget.spec.pricing)
        }
        return hourly
    }

    /// An AutoscaleRule's status once this pass's scale of its service is done: the scale event
    /// the rate policies look back on, and the replicas it set.
    public static func rule(_ status: AutoscaleRule.Status, service: ObjectRef, outcomes: [ActionOutcome], now: Date) -> AutoscaleRule.Status {
        guard let scaled = outcomes.first(where: { $0.action.source == service && $0.action.verb == .scale && $0.result == .done }),
            case .replicas(let replicas) = scaled.action.change, let from = replicas.from
        else { return status }
        let to = replicas.to
        var next = status
        next.scaleEvents = (next.scaleEvents ?? []) + [.init(time: RFC3339.string(from: now), change: to - from)]
        next.lastScaleTime = RFC3339.string(from: now)
        next.desiredReplicas = to
        return next
    }

    /// A condition keeps its transition time while its status stays the same.
    public static func condition(_ type: String, _ isTrue: Bool, _ reason: String, _ message: String, previous: [Condition]?, now: Date) -> Condition {
        let status = isTrue ? "True" : "False"
        let old = previous?.first { $0.type == type }
        let time = old?.status == status ? old?.lastTransitionTime : RFC3339.string(from: now)
        return Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: time)
    }
}
