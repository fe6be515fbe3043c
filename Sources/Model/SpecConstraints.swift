// The bounds of every spec field, by type: what `validate()` checks and the CRDs carry. The
// numbers and their reasons are in FieldConstraints.swift; what is only a sane limit on size
// (names, lists, free text) is here.

extension ServiceSpec {
    /// The name also names a Service, which needs a DNS-1035 label.
    public static let metadataRules = [
        CELRule("self.metadata.name.size() <= 63 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
                message: "the name also names a Service: a DNS-1035 label (lower case letters, digits and '-', starting with a letter, at most 63 characters)"),
    ]
}

extension ServiceSpec.Spec: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "image": FieldConstraint(maxLength: 1_024, pattern: #"^[^\s]+$"#),
        "replicas": .replicas,
        "port": .port,
        "env": .list(max: 256),
        "restartedAt": .rfc3339,
    ]

    public static let crossFieldRules = [
        CELRule("!has(self.scaling) || self.scaling != 'external' || !has(self.replicas)",
                message: "spec.replicas \(externalReplicasMessage)"),
    ]
}

extension ServiceSpec.HealthCheck: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "path": FieldConstraint(maxLength: 1_024, pattern: "^/"),
        "port": .port,
        // An hour between probes, 100 failures, an hour's grace: beyond that a probe means nothing.
        "periodSeconds": .range(1...3_600),
        "failureThreshold": .range(1...100),
        "initialDelaySeconds": .range(0...3_600),
    ]
}

extension ResourceRequests: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = ["cpu": .cpu, "memory": .memory]
}

extension EnvVar: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = ["name": .text(max: 256), "value": .text(max: 32_768)]
}

extension AutoscaleRule.Spec: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "target": .dns1035Label,
        "minReplicas": .replicas,
        "maxReplicas": .range(1...Bounds.maxReplicas),
        "metrics": .list(max: 16, min: 1, tooFew: "needs at least one metric"),
        "tolerance": .tolerance,
        // A day between evaluations is already no autoscaling.
        "syncPeriodSeconds": .range(1...86_400),
    ]

    public static let crossFieldRules = [
        CELRule("!has(self.minReplicas) || self.minReplicas <= self.maxReplicas", message: "minReplicas must not be greater than maxReplicas"),
        CELRule("!has(self.minReplicas) || self.minReplicas != 0 || self.metrics.exists(m, m.type == 'object' || m.type == 'external')",
                message: "scaling to zero needs an object or external metric"),
    ]
}

extension AutoscaleRule.Metric: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "name": .name,
        // A percent of the request; the HPA allows above 100, not without end.
        "targetUtilization": .range(1...10_000, noun: "a percent"),
        "targetAverageValue": .metricTarget,
        "targetValue": .metricTarget,
    ]

    /// Which fields each type of metric takes: one target, and a name where it names a series.
    public static let crossFieldRules = [
        CELRule("!(self.type in ['cpu', 'memory']) || (!has(self.name) && !has(self.targetValue) && (has(self.targetUtilization) != has(self.targetAverageValue)))",
                message: "a cpu or memory metric takes one of targetUtilization and targetAverageValue, and no name or targetValue"),
        CELRule("self.type != 'pods' || (has(self.name) && has(self.targetAverageValue) && !has(self.targetUtilization) && !has(self.targetValue))",
                message: "a pods metric needs a name and targetAverageValue, and takes no other target"),
        CELRule("!(self.type in ['object', 'external']) || (has(self.name) && !has(self.targetUtilization) && (has(self.targetValue) != has(self.targetAverageValue)))",
                message: "an object or external metric needs a name and one of targetValue and targetAverageValue"),
        CELRule("self.type != 'object' || has(self.describedObject)", message: "an object metric needs describedObject"),
    ]
}

extension AutoscaleRule.ScalingRules: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "stabilizationWindowSeconds": .range(0...3_600, unit: "seconds"),
        "policies": .list(max: 16),
        "tolerance": .tolerance,
    ]
}

extension AutoscaleRule.ScalingPolicy: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        // Pods or percent per period; no step is larger than the replica bound.
        "value": .range(1...Bounds.maxReplicas),
        "periodSeconds": .range(1...1_800, unit: "seconds"),
    ]
}

extension AutoscaleRule.ObjectReference: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = ["apiVersion": .name, "kind": .text(max: 63), "name": .name]
}

extension Budget.Spec: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "monthlyLimitUSD": .monthlyUSD,
        "softLimitPercent": FieldConstraint(minimum: 0, maximum: 100, noun: "a percent"),
        "alertPercents": .list(max: 20, items: FieldConstraint(minimum: 0, maximum: 100, exclusiveMinimum: true, noun: "a percent")),
    ]

    public static let crossFieldRules = [
        CELRule("(has(self.selector.matchLabels) && size(self.selector.matchLabels) > 0) || (has(self.selector.matchExpressions) && size(self.selector.matchExpressions) > 0)",
                message: "an empty selector would cover every service in the namespace; name the labels it covers"),
    ]
}

extension Budget.Pricing: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "cpuCoreHourUSD": .hourlyPriceUSD,
        "memoryGiBHourUSD": .hourlyPriceUSD,
    ]
}

extension Directive.Spec: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        // Unique ids as a list map: the API server checks it in linear time, where the CEL rule
        // `self.jobs.all(j, self.jobs.exists_one(k, k.id == j.id))` ran out of its cost limit
        // from about 400 jobs.
        "jobs": .list(max: 1_000, min: 1, tooFew: "needs at least one job", mapKeys: ["id"]),
        // A week: a job that runs longer is not a batch job.
        "maxRuntimeSeconds": .range(1...604_800),
        // A year: a run later than that is not the run that was scheduled.
        "startingDeadlineSeconds": .range(0...31_622_400),
        // Each kept run may hold 1,000 Jobs.
        "successfulRunsHistoryLimit": .range(0...100),
        "failedRunsHistoryLimit": .range(0...100),
        "ttlSecondsAfterFinished": .range(0...31_622_400),
    ]
}

extension Directive.JobTemplate: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "image": FieldConstraint(maxLength: 1_024, pattern: #"^[^\s]+$"#),
        "command": .list(max: 256),
        "args": .list(max: 1_024),
        "env": .list(max: 256),
    ]
}

extension Directive.Job: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = ["id": .dns1123Label]
}

extension Directive.RetryPolicy: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "maxAttempts": .range(1...100),
        // A day between attempts, and at most a tenfold growth, keep every backoff finite.
        "backoffSeconds": .range(0...86_400),
        "backoffMultiplier": FieldConstraint(minimum: 1, maximum: 10),
    ]
}

extension GovernancePolicy.Spec: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "maxReplicasWithoutApproval": .replicas,
        "allowedRegistries": .list(max: 64),
        "freezeWindows": .list(max: 64),
    ]
}

extension GovernancePolicy.FreezeWindow: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "durationMinutes": .range(1...(60 * 24 * 31), unit: "minutes"),
        "blocks": .list(max: 16, min: 1, tooFew: "needs at least one action class: \(GovernancePolicy.ActionClass.allowedValues)"),
    ]
}

extension Approval.Spec: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = [
        "action": FieldConstraint(maxLength: 256, minLength: 1),
        "approvedBy": FieldConstraint(maxLength: 256, minLength: 1),
        "approverGroups": .list(max: 64, items: .text(max: 256)),
        "expiresAt": .rfc3339,
        "comment": .text(max: 4_096),
    ]
}

extension LabelSelector.Requirement: FieldConstrained {
    public static let fieldConstraints: [String: FieldConstraint] = ["key": .text(max: 317)]

    public static let crossFieldRules = [
        CELRule("!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)", message: "operators In and NotIn need at least one value"),
        CELRule("!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0", message: "operators Exists and DoesNotExist take no values"),
    ]
}
