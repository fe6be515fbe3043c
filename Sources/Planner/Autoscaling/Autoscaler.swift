import Model

/// What an AutoscaleRule decides at one moment, and why.
public struct AutoscaleRecommendation: Sendable, Equatable {
    /// What the rule sets the target's replicas to now (equal to the current count when it
    /// leaves them alone).
    public var desiredReplicas: Int
    /// The combined metric proposal (the highest over the metrics that could be read) before
    /// stabilization, rate limits and min/max; nil when the metrics were not consulted. This is
    /// the value to keep in the rule's recommendation history.
    public var proposal: Int?
    /// How the decision was made, a line per step, for people.
    public var steps: [String]
    /// AbleToScale, ScalingActive and ScalingLimited as the HPA would set them in this pass
    /// (a condition the HPA leaves untouched in such a pass is absent).
    public var conditions: [Condition]
    /// Each metric's own proposal or failure, in the rule's order.
    public var metricProposals: [MetricProposal]

    /// The steps, then each condition as `Type: Reason` (`ScalingLimited: TooManyReplicas`).
    public var reasons: [String] {
        steps + conditions.map { "\($0.type): \($0.reason ?? "")" }
    }
}

/// The Kubernetes HPA's algorithm (autoscaling/v2, `pkg/controller/podautoscaler`), as a function
/// of one moment: the same inputs give the HPA's replica count.
public enum Autoscaler {
    /// Reading the target's scale succeeded, or there would be no moment to evaluate.
    static let gotScale = Condition(type: "AbleToScale", status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale")

    public static func recommend(_ moment: AutoscaleMoment) -> AutoscaleRecommendation {
        if let fixed = outsideBounds(moment) { return fixed }
        let current = moment.currentReplicas
        let tolerances = moment.tolerances
        let proposals = moment.metrics.map {
            MetricReplicaCalculator.propose($0, currentReplicas: current, statusReplicas: moment.statusReplicas, tolerances: tolerances)
        }
        var reasons = proposals.map(\.explanation)
        let failures = proposals.filter { $0.replicas == nil }
        let best = highest(proposals)
        let combined = best?.replicas

        // An unreadable metric might be the one asking for more: it blocks a scale-down (and a rule
        // with no readable metric does nothing), but never a scale-up the others ask for.
        let noneReadable = failures.count >= proposals.count
        if noneReadable || (!failures.isEmpty && (combined ?? 0) < current) {
            let activeCondition: Condition
            if case .failed(let reason, let message)? = failures.first?.outcome {
                activeCondition = Condition(type: "ScalingActive", status: "False", reason: reason, message: message)
            } else {
                activeCondition = Condition(type: "ScalingActive", status: "False", reason: "FailedComputeMetricsReplicas", message: "invalid metrics (0 invalid out of 0)")
            }
            if noneReadable {
                reasons.append("no metric could be read (\(failures.count) of \(proposals.count)): replicas stay at \(current)")
            } else {
                let unread = failures.count == 1 ? "1 metric" : "\(failures.count) metrics"
                reasons.append("scale-down to \(combined ?? 0) blocked: \(unread) of \(proposals.count) could not be read and might ask for more; replicas stay at \(current)")
            }
            return finish(desiredReplicas: current, proposal: combined, reasons: reasons, conditions: [gotScale, activeCondition], metricProposals: proposals)
        }

        let proposal = max(0, combined ?? 0)
        if proposals.count > 1, let best {
            reasons.append("proposal \(proposal) from \(best.metric), the highest of \(proposals.count - failures.count) \(proposals.count - failures.count == 1 ? "metric" : "metrics")")
        }
        if !failures.isEmpty {
            reasons.append("scale-up goes ahead although \(failures.count) \(failures.count == 1 ? "metric" : "metrics") could not be read")
        }
        let active = Condition(type: "ScalingActive", status: "True", reason: "ValidMetricFound", message: "the HPA was able to successfully calculate a replica count from \(best?.hpaDescription ?? "")")

        let normalized = normalize(moment, proposal: proposal)
        reasons += normalized.reasons
        let desired = normalized.desiredReplicas
        reasons.append(desired == current ? "replicas stay at \(current)" : "scale \(desired > current ? "up" : "down") from \(current) to \(desired)")
        return finish(
            desiredReplicas: desired, proposal: proposal, reasons: reasons,
            conditions: [normalized.ableToScale, active, normalized.scalingLimited], metricProposals: proposals)
    }

    /// A target outside the rule's bounds (or at zero without `minReplicas: 0`) is set without
    /// consulting the metrics, as the HPA does.
    static func outsideBounds(_ moment: AutoscaleMoment) -> AutoscaleRecommendation? {
        let current = moment.currentReplicas
        let minReplicas = moment.minReplicas
        let maxReplicas = moment.maxReplicas
        if current == 0 && minReplicas != 0 {
            return finish(
                desiredReplicas: 0, proposal: nil,
                reasons: ["scaling is disabled: the target has 0 replicas and minReplicas is \(minReplicas) (only minReplicas 0 scales up from zero)"],
                conditions: [gotScale, Condition(type: "ScalingActive", status: "False", reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero")])
        }
        if current > maxReplicas {
            return finish(
                desiredReplicas: maxReplicas, proposal: nil,
                reasons: ["current replicas \(current) above maxReplicas \(maxReplicas): set to \(maxReplicas) without consulting the metrics"],
                conditions: [gotScale])
        }
        if current < minReplicas {
            return finish(
                desiredReplicas: minReplicas, proposal: nil,
                reasons: ["current replicas \(current) below minReplicas \(minReplicas): set to \(minReplicas) without consulting the metrics"],
                conditions: [gotScale])
        }
        return nil
    }

    /// computeReplicasForMetrics: the first highest proposal names the metric.
    static func highest(_ proposals: [MetricProposal]) -> MetricProposal? {
        var best: MetricProposal?
        for proposal in proposals {
            guard let replicas = proposal.replicas else { continue }
            if let leader = best?.replicas, replicas <= leader { continue }
            best = proposal
        }
        return best
    }

    /// The proposal bounded by the rule's behavior (rate policies and stabilization), or by the
    /// HPA's legacy rules without one.
    static func normalize(_ moment: AutoscaleMoment, proposal: Int) -> NormalizedReplicas {
        if let behavior = moment.behavior {
            return BehaviorReplicaNormalization.normalize(
                currentReplicas: moment.currentReplicas, proposal: proposal, minReplicas: moment.minReplicas, maxReplicas: moment.maxReplicas,
                scaleUp: .scaleUp(behavior.scaleUp), scaleDown: .scaleDown(behavior.scaleDown),
                history: moment.recommendationHistory, scaleUpEvents: moment.scaleUpEvents, scaleDownEvents: moment.scaleDownEvents)
        }
        return LegacyReplicaNormalization.normalize(
            currentReplicas: moment.currentReplicas, proposal: proposal, minReplicas: moment.minReplicas, maxReplicas: moment.maxReplicas,
            history: moment.recommendationHistory)
    }

    private static func finish(desiredReplicas: Int, proposal: Int?, reasons: [String], conditions: [Condition], metricProposals: [MetricProposal] = []) -> AutoscaleRecommendation {
        AutoscaleRecommendation(desiredReplicas: desiredReplicas, proposal: proposal, steps: reasons, conditions: conditions, metricProposals: metricProposals)
    }
}
