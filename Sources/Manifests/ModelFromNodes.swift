import Model

// How each model type reads from a manifest. Field lists are the Codable keys, in the same order; a
// test decodes every field of every kind both ways (here and through JSON) and compares.

/// The kinds a manifest may hold.
let manifestKinds: [any ManifestKind.Type] = [
    GovernancePolicy.self, Budget.self, ServiceSpec.self, AutoscaleRule.self, Directive.self, Approval.self,
]

/// A resource kind: the envelope around a spec and a status.
protocol ManifestKind: Resource, NodeObject where Field == EnvelopeField, Spec: NodeDecodable, Status: NodeDecodable {
    /// `AnyResource(self)` without the trip through an existential.
    var wrapped: AnyResource { get }
}

enum EnvelopeField: String, FieldName { case apiVersion, kind, metadata, spec, status }

extension ManifestKind {
    /// `apiVersion` and `kind` chose this type before decoding began; they are not read again.
    init(from object: ObjectReader<EnvelopeField>) throws(NodeError) {
        try self.init(metadata: object.required(.metadata), spec: object.required(.spec), status: object.optional(.status))
    }
}

extension ServiceSpec: ManifestKind { var wrapped: AnyResource { .serviceSpec(self) } }
extension AutoscaleRule: ManifestKind { var wrapped: AnyResource { .autoscaleRule(self) } }
extension Budget: ManifestKind { var wrapped: AnyResource { .budget(self) } }
extension Directive: ManifestKind { var wrapped: AnyResource { .directive(self) } }
extension GovernancePolicy: ManifestKind { var wrapped: AnyResource { .governancePolicy(self) } }
extension Approval: ManifestKind { var wrapped: AnyResource { .approval(self) } }

extension CronSchedule: NodeDecodable {}
extension ClockTime: NodeDecodable {}
extension TimeZoneID: NodeDecodable {}

extension LabelSelector.Requirement.Operator: NodeDecodable {}
extension AutoscaleRule.Mode: NodeDecodable {}
extension AutoscaleRule.Metric.Source: NodeDecodable {}
extension AutoscaleRule.ScalingRules.SelectPolicy: NodeDecodable {}
extension AutoscaleRule.ScalingPolicy.Kind: NodeDecodable {}
extension Budget.Enforcement: NodeDecodable {}
extension Directive.CatchUp: NodeDecodable {}
extension Directive.JobState: NodeDecodable {}
extension Directive.Trigger: NodeDecodable {}
extension GovernancePolicy.ActionClass: NodeDecodable {}
extension Approval.Decision: NodeDecodable {}

extension ObjectMeta: NodeObject {
    enum Field: String, FieldName { case name, namespace, labels, annotations, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, finalizers }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            name: object.required(.name),
            namespace: object.optional(.namespace),
            labels: object.optional(.labels),
            annotations: object.optional(.annotations),
            uid: object.optional(.uid),
            resourceVersion: object.optional(.resourceVersion),
            generation: object.optional(.generation),
            creationTimestamp: object.optional(.creationTimestamp),
            deletionTimestamp: object.optional(.deletionTimestamp),
            finalizers: object.optional(.finalizers))
    }
}

extension Condition: NodeObject {
    enum Field: String, FieldName { case type, status, reason, message, lastTransitionTime, observedGeneration }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            type: object.required(.type),
            status: object.required(.status),
            reason: object.optional(.reason),
            message: object.optional(.message),
            lastTransitionTime: object.optional(.lastTransitionTime),
            observedGeneration: object.optional(.observedGeneration))
    }
}

extension LabelSelector: NodeObject {
    enum Field: String, FieldName { case matchLabels, matchExpressions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            matchLabels: object.optional(.matchLabels),
            matchExpressions: object.optional(.matchExpressions))
    }
}

extension LabelSelector.Requirement: NodeObject {
    enum Field: String, FieldName { case key, `operator`, values }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            key: object.required(.key),
            operator: object.required(.operator),
            values: object.optional(.values))
    }
}

extension EnvVar: NodeObject {
    enum Field: String, FieldName { case name, value }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            name: object.required(.name),
            value: object.optional(.value))
    }
}

extension ResourceRequests: NodeObject {
    enum Field: String, FieldName { case cpu, memory }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            cpu: object.optional(.cpu),
            memory: object.optional(.memory))
    }
}

extension ServiceSpec.Spec: NodeObject {
    enum Field: String, FieldName { case image, replicas, port, resources, env, healthCheck, paused, restartedAt }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            image: object.required(.image),
            replicas: object.optional(.replicas),
            port: object.optional(.port),
            resources: object.optional(.resources),
            env: object.optional(.env),
            healthCheck: object.optional(.healthCheck),
            paused: object.optional(.paused),
            restartedAt: object.optional(.restartedAt))
    }
}

extension ServiceSpec.HealthCheck: NodeObject {
    enum Field: String, FieldName { case path, port, periodSeconds, failureThreshold, initialDelaySeconds }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            path: object.required(.path),
            port: object.optional(.port),
            periodSeconds: object.optional(.periodSeconds),
            failureThreshold: object.optional(.failureThreshold),
            initialDelaySeconds: object.optional(.initialDelaySeconds))
    }
}

extension ServiceSpec.Status: NodeObject {
    enum Field: String, FieldName { case observedGeneration, replicas, readyReplicas, costUSDPerHour, lastAction, conditions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            observedGeneration: object.optional(.observedGeneration),
            replicas: object.optional(.replicas),
            readyReplicas: object.optional(.readyReplicas),
            costUSDPerHour: object.optional(.costUSDPerHour),
            lastAction: object.optional(.lastAction),
            conditions: object.optional(.conditions))
    }
}

extension AutoscaleRule.Spec: NodeObject {
    enum Field: String, FieldName { case target, minReplicas, maxReplicas, metrics, tolerance, behavior, mode, syncPeriodSeconds }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            target: object.required(.target),
            minReplicas: object.optional(.minReplicas),
            maxReplicas: object.required(.maxReplicas),
            metrics: object.required(.metrics),
            tolerance: object.optional(.tolerance),
            behavior: object.optional(.behavior),
            mode: object.optional(.mode),
            syncPeriodSeconds: object.optional(.syncPeriodSeconds))
    }
}

extension AutoscaleRule.Metric: NodeObject {
    enum Field: String, FieldName { case type, name, targetUtilization, targetAverageValue, targetValue, selector, describedObject }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            type: object.required(.type),
            name: object.optional(.name),
            targetUtilization: object.optional(.targetUtilization),
            targetAverageValue: object.optional(.targetAverageValue),
            targetValue: object.optional(.targetValue),
            selector: object.optional(.selector),
            describedObject: object.optional(.describedObject))
    }
}

extension AutoscaleRule.ObjectReference: NodeObject {
    enum Field: String, FieldName { case apiVersion, kind, name }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            apiVersion: object.optional(.apiVersion),
            kind: object.required(.kind),
            name: object.required(.name))
    }
}

extension AutoscaleRule.Behavior: NodeObject {
    enum Field: String, FieldName { case scaleUp, scaleDown }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            scaleUp: object.optional(.scaleUp),
            scaleDown: object.optional(.scaleDown))
    }
}

extension AutoscaleRule.ScalingRules: NodeObject {
    enum Field: String, FieldName { case stabilizationWindowSeconds, selectPolicy, policies, tolerance }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            stabilizationWindowSeconds: object.optional(.stabilizationWindowSeconds),
            selectPolicy: object.optional(.selectPolicy),
            policies: object.optional(.policies),
            tolerance: object.optional(.tolerance))
    }
}

extension AutoscaleRule.ScalingPolicy: NodeObject {
    enum Field: String, FieldName { case type, value, periodSeconds }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            type: object.required(.type),
            value: object.required(.value),
            periodSeconds: object.required(.periodSeconds))
    }
}

extension AutoscaleRule.Status: NodeObject {
    enum Field: String, FieldName { case observedGeneration, currentReplicas, desiredReplicas, recommendedReplicas, currentMetrics, lastScaleTime, recommendations, scaleEvents, conditions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            observedGeneration: object.optional(.observedGeneration),
            currentReplicas: object.optional(.currentReplicas),
            desiredReplicas: object.optional(.desiredReplicas),
            recommendedReplicas: object.optional(.recommendedReplicas),
            currentMetrics: object.optional(.currentMetrics),
            lastScaleTime: object.optional(.lastScaleTime),
            recommendations: object.optional(.recommendations),
            scaleEvents: object.optional(.scaleEvents),
            conditions: object.optional(.conditions))
    }
}

extension AutoscaleRule.Status.Recommendation: NodeObject {
    enum Field: String, FieldName { case time, replicas }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            time: object.required(.time),
            replicas: object.required(.replicas))
    }
}

extension AutoscaleRule.Status.ScaleEvent: NodeObject {
    enum Field: String, FieldName { case time, change }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            time: object.required(.time),
            change: object.required(.change))
    }
}

extension AutoscaleRule.Status.MetricValue: NodeObject {
    enum Field: String, FieldName { case name, current, target }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            name: object.required(.name),
            current: object.optional(.current),
            target: object.required(.target))
    }
}

extension Budget.Spec: NodeObject {
    enum Field: String, FieldName { case selector, monthlyLimitUSD, pricing, softLimitPercent, alertPercents, enforcement }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            selector: object.required(.selector),
            monthlyLimitUSD: object.required(.monthlyLimitUSD),
            pricing: object.required(.pricing),
            softLimitPercent: object.optional(.softLimitPercent),
            alertPercents: object.optional(.alertPercents),
            enforcement: object.optional(.enforcement))
    }
}

extension Budget.Pricing: NodeObject {
    enum Field: String, FieldName { case cpuCoreHourUSD, memoryGiBHourUSD }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            cpuCoreHourUSD: object.required(.cpuCoreHourUSD),
            memoryGiBHourUSD: object.required(.memoryGiBHourUSD))
    }
}

extension Budget.Status: NodeObject {
    enum Field: String, FieldName { case month, spentUSD, projectedUSD, costUSDPerHour, lastUpdated, alertsRaised, conditions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            month: object.optional(.month),
            spentUSD: object.optional(.spentUSD),
            projectedUSD: object.optional(.projectedUSD),
            costUSDPerHour: object.optional(.costUSDPerHour),
            lastUpdated: object.optional(.lastUpdated),
            alertsRaised: object.optional(.alertsRaised),
            conditions: object.optional(.conditions))
    }
}

extension Directive.Spec: NodeObject {
    enum Field: String, FieldName { case schedule, timeZone, template, jobs, retry, maxRuntimeSeconds, slo, catchUp, suspend }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            schedule: object.required(.schedule),
            timeZone: object.optional(.timeZone),
            template: object.required(.template),
            jobs: object.required(.jobs),
            retry: object.optional(.retry),
            maxRuntimeSeconds: object.optional(.maxRuntimeSeconds),
            slo: object.optional(.slo),
            catchUp: object.optional(.catchUp),
            suspend: object.optional(.suspend))
    }
}

extension Directive.JobTemplate: NodeObject {
    enum Field: String, FieldName { case image, command, args, env, resources }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            image: object.required(.image),
            command: object.optional(.command),
            args: object.optional(.args),
            env: object.optional(.env),
            resources: object.optional(.resources))
    }
}

extension Directive.Job: NodeObject {
    enum Field: String, FieldName { case id, payload }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            id: object.required(.id),
            payload: object.optional(.payload))
    }
}

extension Directive.RetryPolicy: NodeObject {
    enum Field: String, FieldName { case maxAttempts, backoffSeconds, backoffMultiplier }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            maxAttempts: object.required(.maxAttempts),
            backoffSeconds: object.optional(.backoffSeconds),
            backoffMultiplier: object.optional(.backoffMultiplier))
    }
}

extension Directive.SLO: NodeObject {
    enum Field: String, FieldName { case finishBefore }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            finishBefore: object.required(.finishBefore))
    }
}

extension Directive.Status: NodeObject {
    enum Field: String, FieldName { case observedGeneration, lastScheduleTime, nextRunTime, lastHandledRunRequest, runs, conditions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            observedGeneration: object.optional(.observedGeneration),
            lastScheduleTime: object.optional(.lastScheduleTime),
            nextRunTime: object.optional(.nextRunTime),
            lastHandledRunRequest: object.optional(.lastHandledRunRequest),
            runs: object.optional(.runs),
            conditions: object.optional(.conditions))
    }
}

extension Directive.Status.Run: NodeObject {
    enum Field: String, FieldName { case scheduledTime, date, trigger, sloDeadline, sloOk, sloAtRisk, completionTime, jobs }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            scheduledTime: object.required(.scheduledTime),
            date: object.required(.date),
            trigger: object.optional(.trigger),
            sloDeadline: object.optional(.sloDeadline),
            sloOk: object.optional(.sloOk),
            sloAtRisk: object.optional(.sloAtRisk),
            completionTime: object.optional(.completionTime),
            jobs: object.required(.jobs))
    }
}

extension Directive.Status.JobStatus: NodeObject {
    enum Field: String, FieldName { case id, state, attempts, jobName, startTime, completionTime, message }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            id: object.required(.id),
            state: object.required(.state),
            attempts: object.optional(.attempts),
            jobName: object.optional(.jobName),
            startTime: object.optional(.startTime),
            completionTime: object.optional(.completionTime),
            message: object.optional(.message))
    }
}

extension GovernancePolicy.Spec: NodeObject {
    enum Field: String, FieldName { case selector, maxReplicasWithoutApproval, allowedRegistries, freezeWindows }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            selector: object.optional(.selector),
            maxReplicasWithoutApproval: object.optional(.maxReplicasWithoutApproval),
            allowedRegistries: object.optional(.allowedRegistries),
            freezeWindows: object.optional(.freezeWindows))
    }
}

extension GovernancePolicy.FreezeWindow: NodeObject {
    enum Field: String, FieldName { case schedule, durationMinutes, timeZone, blocks }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            schedule: object.required(.schedule),
            durationMinutes: object.required(.durationMinutes),
            timeZone: object.optional(.timeZone),
            blocks: object.required(.blocks))
    }
}

extension GovernancePolicy.Status: NodeObject {
    enum Field: String, FieldName { case observedGeneration, activeFreezeWindow, conditions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            observedGeneration: object.optional(.observedGeneration),
            activeFreezeWindow: object.optional(.activeFreezeWindow),
            conditions: object.optional(.conditions))
    }
}

extension Approval.Spec: NodeObject {
    enum Field: String, FieldName { case action, approvedBy, expiresAt, decision, comment }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        try self.init(
            action: object.required(.action),
            approvedBy: object.required(.approvedBy),
            expiresAt: object.required(.expiresAt),
            decision: object.optional(.decision),
            comment: object.optional(.comment))
    }
}

extension Approval.Status: NodeObject {
    enum Field: String, FieldName { case usedAt, conditions }

    init(from object: ObjectReader<Field>) throws(NodeError) {
        self.init(
            usedAt: object.optional(.usedAt),
            conditions: object.optional(.conditions))
    }
}
