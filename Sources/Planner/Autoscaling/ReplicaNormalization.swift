import Model

/// What stabilization and the rate limits made of a proposal, with the two conditions the HPA
/// sets at this stage.
struct NormalizedReplicas {
    var desiredReplicas: Int
    var stabilizedRecommendation: Int
    var ableToScale: Condition
    var scalingLimited: Condition
    var reasons: [String]
}

enum AutoscaleConditionText {
    static let readyForNewScale = "recommended size matches current size"
    static let scaleUpStabilized = "recent recommendations were lower than current one, applying the lowest recent recommendation"
    static let scaleDownStabilized = "recent recommendations were higher than current one, applying the highest recent recommendation"
    static let scaleUpLimit = "the desired replica count is increasing faster than the maximum scale rate"
    static let scaleDownLimit = "the desired replica count is decreasing faster than the maximum scale rate"
    static let tooManyReplicas = "the desired replica count is more than the maximum replica count"
    static let tooFewReplicas = "the desired replica count is less than the minimum replica count"
    static let desiredWithinRange = "the desired count is within the acceptable range"

    static func scalingLimited(_ limited: Bool, _ reason: String, _ message: String) -> Condition {
        Condition(type: "ScalingLimited", status: limited ? "True" : "False", reason: reason, message: message)
    }

    static func ableToScale(_ reason: String, _ message: String) -> Condition {
        Condition(type: "AbleToScale", status: "True", reason: reason, message: message)
    }
}

/// Without `behavior`: the highest recommendation of the last 300 s, then minReplicas,
/// maxReplicas and the scale-up limit max(2 × current, 4) (`normalizeDesiredReplicas`,
/// `convertDesiredReplicasWithRules`).
enum LegacyReplicaNormalization {
    static let downscaleStabilizationSeconds = 300.0
    static let scaleUpLimitFactor = 2.0
    static let scaleUpLimitMinimum = 4.0

    static func normalize(currentReplicas: Int, proposal: Int, minReplicas: Int, maxReplicas: Int, history: [PastRecommendation]) -> NormalizedReplicas {
        var reasons: [String] = []
        var stabilized = proposal
        // Upstream drops samples *before* the cutoff, so one exactly 300 s old still counts.
        for past in history where past.secondsAgo <= downscaleStabilizationSeconds {
            stabilized = max(stabilized, past.replicas)
        }
        let ableToScale: Condition
        if stabilized != proposal {
            ableToScale = AutoscaleConditionText.ableToScale("ScaleDownStabilized", AutoscaleConditionText.scaleDownStabilized)
            reasons.append("scale-down stabilized at \(stabilized): the highest recommendation of the last \(Int(downscaleStabilizationSeconds))s (no behavior given)")
        } else {
            ableToScale = AutoscaleConditionText.ableToScale("ReadyForNewScale", AutoscaleConditionText.readyForNewScale)
        }

        let scaleUpLimit = scaleUpLimit(currentReplicas: currentReplicas)
        let maximumAllowed: Int
        let upperReason: String, upperMessage: String
        if maxReplicas > scaleUpLimit {
            maximumAllowed = scaleUpLimit
            (upperReason, upperMessage) = ("ScaleUpLimit", AutoscaleConditionText.scaleUpLimit)
        } else {
            maximumAllowed = maxReplicas
            (upperReason, upperMessage) = ("TooManyReplicas", AutoscaleConditionText.tooManyReplicas)
        }

        let desired: Int
        let limited: Condition
        if stabilized < minReplicas {
            desired = minReplicas
            limited = AutoscaleConditionText.scalingLimited(true, "TooFewReplicas", AutoscaleConditionText.tooFewReplicas)
            reasons.append("raised to minReplicas \(minReplicas)")
        } else if stabilized > maximumAllowed {
            desired = maximumAllowed
            limited = AutoscaleConditionText.scalingLimited(true, upperReason, upperMessage)
            reasons.append(upperReason == "ScaleUpLimit"
                ? "scale-up limited to \(maximumAllowed) by max(2 × \(currentReplicas) current, 4) (no behavior given)"
                : "limited to maxReplicas \(maxReplicas)")
        } else {
            desired = stabilized
            limited = AutoscaleConditionText.scalingLimited(false, "DesiredWithinRange", AutoscaleConditionText.desiredWithinRange)
        }
        return NormalizedReplicas(desiredReplicas: desired, stabilizedRecommendation: stabilized, ableToScale: ableToScale, scalingLimited: limited, reasons: reasons)
    }

    /// `calculateScaleUpLimit`: int32(max(2 × current, 4)).
    static func scaleUpLimit(currentReplicas: Int) -> Int {
        ReplicaArithmetic.truncateToReplicas(max(scaleUpLimitFactor * Double(currentReplicas), scaleUpLimitMinimum))
    }
}

/// With `behavior`: stabilization windows per direction, then the rate policies over their
/// periods, then minReplicas and maxReplicas (`normalizeDesiredReplicasWithBehaviors`,
/// `stabilizeRecommendationWithBehaviors`, `convertDesiredReplicasWithBehaviorRate`).
enum BehaviorReplicaNormalization {
    static func normalize(
        currentReplicas: Int, proposal: Int, minReplicas: Int, maxReplicas: Int,
        scaleUp: ScalingRulesInEffect, scaleDown: ScalingRulesInEffect,
        history: [PastRecommendation], scaleUpEvents: [PastScaleChange], scaleDownEvents: [PastScaleChange]
    ) -> NormalizedReplicas {
        var reasons: [String] = []
        let upWindow = Double(scaleUp.stabilizationWindowSeconds)
        let downWindow = Double(scaleDown.stabilizationWindowSeconds)
        // The lowest recent recommendation bounds a scale-up, the highest a scale-down. Upstream
        // keeps samples strictly *after* the cutoff: one exactly a window old is out.
        var upBound = proposal
        var downBound = proposal
        for past in history {
            if past.secondsAgo < upWindow { upBound = min(upBound, past.replicas) }
            if past.secondsAgo < downWindow { downBound = max(downBound, past.replicas) }
        }
        var stabilized = currentReplicas
        if stabilized < upBound { stabilized = upBound }
        if stabilized > downBound { stabilized = downBound }

        let ableToScale: Condition
        if stabilized == proposal {
            ableToScale = AutoscaleConditionText.ableToScale("ReadyForNewScale", AutoscaleConditionText.readyForNewScale)
        } else if proposal >= currentReplicas {
            ableToScale = AutoscaleConditionText.ableToScale("ScaleUpStabilized", AutoscaleConditionText.scaleUpStabilized)
            reasons.append("scale-up stabilized at \(stabilized): the lowest recommendation within the \(scaleUp.stabilizationWindowSeconds)s scale-up window")
        } else {
            ableToScale = AutoscaleConditionText.ableToScale("ScaleDownStabilized", AutoscaleConditionText.scaleDownStabilized)
            reasons.append("scale-down stabilized at \(stabilized): the highest recommendation within the \(scaleDown.stabilizationWindowSeconds)s scale-down window")
        }

        let rate = limitRate(
            currentReplicas: currentReplicas, desired: stabilized, minReplicas: minReplicas, maxReplicas: maxReplicas,
            scaleUp: scaleUp, scaleDown: scaleDown, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents)
        reasons += rate.reasons
        let limited = AutoscaleConditionText.scalingLimited(rate.desired != stabilized, rate.reason, rate.message)
        return NormalizedReplicas(desiredReplicas: rate.desired, stabilizedRecommendation: stabilized, ableToScale: ableToScale, scalingLimited: limited, reasons: reasons)
    }

    struct RateLimited {
        var desired: Int
        var reason: String
        var message: String
        var reasons: [String] = []
    }

    static func limitRate(
        currentReplicas: Int, desired: Int, minReplicas: Int, maxReplicas: Int,
        scaleUp: ScalingRulesInEffect, scaleDown: ScalingRulesInEffect,
        scaleUpEvents: [PastScaleChange], scaleDownEvents: [PastScaleChange]
    ) -> RateLimited {
        if desired > currentReplicas {
            let policyLimit = scaleUpLimit(currentReplicas: currentReplicas, rules: scaleUp, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents)
            // Policies already spent in their periods: hold, do not shrink.
            let limit = max(policyLimit.replicas, currentReplicas)
            if maxReplicas > limit {
                if desired > limit {
                    return RateLimited(desired: limit, reason: "ScaleUpLimit", message: AutoscaleConditionText.scaleUpLimit,
                                       reasons: [rateReason("scale-up", limit: limit, policyLimit, currentReplicas: currentReplicas, selectPolicy: scaleUp.selectPolicy)])
                }
            } else if desired > maxReplicas {
                return RateLimited(desired: maxReplicas, reason: "TooManyReplicas", message: AutoscaleConditionText.tooManyReplicas,
                                   reasons: ["limited to maxReplicas \(maxReplicas)"])
            }
        } else if desired < currentReplicas {
            let policyLimit = scaleDownLimit(currentReplicas: currentReplicas, rules: scaleDown, scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents)
            let limit = min(policyLimit.replicas, currentReplicas)
            if minReplicas < limit {
                if desired < limit {
                    return RateLimited(desired: limit, reason: "ScaleDownLimit", message: AutoscaleConditionText.scaleDownLimit,
                                       reasons: [rateReason("scale-down", limit: limit, policyLimit, currentReplicas: currentReplicas, selectPolicy: scaleDown.selectPolicy)])
                }
            } else if desired < minReplicas {
                return RateLimited(desired: minReplicas, reason: "TooFewReplicas", message: AutoscaleConditionText.tooFewReplicas,
                                   reasons: ["raised to minReplicas \(minReplicas)"])
            }
        }
        return RateLimited(desired: desired, reason: "DesiredWithinRange", message: AutoscaleConditionText.desiredWithinRange)
    }

    private static func rateReason(_ direction: String, limit: Int, _ policyLimit: PolicyLimit, currentReplicas: Int, selectPolicy: ScalingRulesInEffect.SelectPolicy) -> String {
        if selectPolicy == .disabled {
            return "\(direction) disabled (selectPolicy: Disabled): stays at \(currentReplicas)"
        }
        guard let policy = policyLimit.policy, limit == policyLimit.replicas else {
            return "\(direction) held at \(currentReplicas): the policies' allowance for their periods is used up"
        }
        let start = policyLimit.periodStartReplicas == currentReplicas ? "" : " (\(policyLimit.periodStartReplicas) at the start of its period)"
        return "\(direction) limited to \(limit) by policy \(policy)\(start)"
    }

    /// A limit and the policy that set it.
    struct PolicyLimit {
        var replicas: Int
        var policy: ScalingRulesInEffect.Policy?
        var periodStartReplicas: Int
    }

    /// `calculateScaleUpLimitWithScalingRules`: each policy counts from the replicas at the start
    /// of its period (changes inside the period undone); Max takes the most permissive, Min the
    /// least.
    static func scaleUpLimit(currentReplicas: Int, rules: ScalingRulesInEffect, scaleUpEvents: [PastScaleChange], scaleDownEvents: [PastScaleChange]) -> PolicyLimit {
        selectLimit(rules, currentReplicas: currentReplicas, preferHigher: rules.selectPolicy != .min) { policy in
            let start = currentReplicas - change(within: policy.periodSeconds, scaleUpEvents) + change(within: policy.periodSeconds, scaleDownEvents)
            switch policy.kind {
            case .pods: return (start + policy.value, start)
            // Rounded up, or a small percent of a small count would never add a pod.
            case .percent: return (ReplicaArithmetic.ceilToReplicas(Double(start) * (1 + Double(policy.value) / 100)), start)
            }
        }
    }

    /// `calculateScaleDownLimitWithBehaviors`: Max takes the lowest floor (the biggest change),
    /// Min the highest.
    static func scaleDownLimit(currentReplicas: Int, rules: ScalingRulesInEffect, scaleUpEvents: [PastScaleChange], scaleDownEvents: [PastScaleChange]) -> PolicyLimit {
        selectLimit(rules, currentReplicas: currentReplicas, preferHigher: rules.selectPolicy == .min) { policy in
            let start = currentReplicas - change(within: policy.periodSeconds, scaleUpEvents) + change(within: policy.periodSeconds, scaleDownEvents)
            switch policy.kind {
            case .pods: return (start - policy.value, start)
            // Truncated toward zero, as Go's int32 conversion.
            case .percent: return (ReplicaArithmetic.truncateToReplicas(Double(start) * (1 - Double(policy.value) / 100)), start)
            }
        }
    }

    private static func selectLimit(
        _ rules: ScalingRulesInEffect, currentReplicas: Int, preferHigher: Bool,
        proposal: (ScalingRulesInEffect.Policy) -> (replicas: Int, periodStart: Int)
    ) -> PolicyLimit {
        if rules.selectPolicy == .disabled {
            return PolicyLimit(replicas: currentReplicas, policy: nil, periodStartReplicas: currentReplicas)
        }
        // With no policy at all, the starting value stands, as upstream's MinInt32/MaxInt32.
        var best = PolicyLimit(replicas: preferHigher ? Int(Int32.min) : Int(Int32.max), policy: nil, periodStartReplicas: currentReplicas)
        for policy in rules.policies {
            let proposed = proposal(policy)
            if preferHigher ? proposed.replicas > best.replicas : proposed.replicas < best.replicas {
                best = PolicyLimit(replicas: proposed.replicas, policy: policy, periodStartReplicas: proposed.periodStart)
            }
        }
        return best
    }

    /// `getReplicasChangePerPeriod`: events strictly younger than the period.
    static func change(within periodSeconds: Int, _ events: [PastScaleChange]) -> Int {
        events.filter { $0.secondsAgo < Double(periodSeconds) }.reduce(0) { $0 + $1.change }
    }
}
