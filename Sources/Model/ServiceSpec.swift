/// A service that should run: deployed as an apps/v1 Deployment of the same name.
public struct ServiceSpec: Resource {
    public static let kind = "ServiceSpec"
    public static let plural = "servicespecs"
    public static let shortNames = ["svcspec", "ss"]
    public static let schema = OpenAPISchema.resource(ServiceSpec.self)

    /// Who sets the Deployment's replica count.
    public enum Scaling: String, WireEnum {
        /// The controller: `replicas`, or the AutoscaleRule targeting the service (the default).
        case controller
        /// Someone else (an HPA, KEDA, `kubectl scale`): the controller never writes `replicas`.
        case external
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var image: String
        /// Baseline when no AutoscaleRule targets the service (default 1).
        public var replicas: Int?
        /// `external` hands the replica count to another scaler (default `controller`).
        public var scaling: Scaling?
        public var port: Int?
        public var resources: ResourceRequests?
        public var env: [EnvVar]?
        public var healthCheck: HealthCheck?
        /// True: observe and plan, never act.
        public var paused: Bool?
        /// A changed value (RFC 3339 time) asks for a rolling restart.
        public var restartedAt: String?

        public init(image: String, replicas: Int? = nil, scaling: Scaling? = nil, port: Int? = nil, resources: ResourceRequests? = nil, env: [EnvVar]? = nil, healthCheck: HealthCheck? = nil, paused: Bool? = nil, restartedAt: String? = nil) {
            self.image = image
            self.replicas = replicas
            self.scaling = scaling
            self.port = port
            self.resources = resources
            self.env = env
            self.healthCheck = healthCheck
            self.paused = paused
            self.restartedAt = restartedAt
        }
    }

    /// An HTTP health check, deployed as readiness and liveness probes.
    public struct HealthCheck: Codable, Sendable, Equatable {
        public var path: String
        /// Defaults to the service's port.
        public var port: Int?
        public var periodSeconds: Int?
        public var failureThreshold: Int?
        public var initialDelaySeconds: Int?

        public init(path: String, port: Int? = nil, periodSeconds: Int? = nil, failureThreshold: Int? = nil, initialDelaySeconds: Int? = nil) {
            self.path = path
            self.port = port
            self.periodSeconds = periodSeconds
            self.failureThreshold = failureThreshold
            self.initialDelaySeconds = initialDelaySeconds
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var observedGeneration: Int?
        public var replicas: Int?
        public var readyReplicas: Int?
        public var costUSDPerHour: Double?
        public var lastAction: String?
        public var conditions: [Condition]?

        public init(observedGeneration: Int? = nil, replicas: Int? = nil, readyReplicas: Int? = nil, costUSDPerHour: Double? = nil, lastAction: String? = nil, conditions: [Condition]? = nil) {
            self.observedGeneration = observedGeneration
            self.replicas = replicas
            self.readyReplicas = readyReplicas
            self.costUSDPerHour = costUSDPerHour
            self.lastAction = lastAction
            self.conditions = conditions
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public func ruleIssues() -> [FieldIssue] {
        var issues = validateMetadata()
        // The name also names a Service when `port` is set, and Services need DNS-1035 labels.
        if issues.isEmpty, let problem = Names.dns1035LabelProblem(metadata.name) {
            issues.append(FieldIssue("metadata.name", problem))
        }
        if ImageReference(parsing: spec.image) == nil {
            issues.append(FieldIssue("spec.image", "\"\(spec.image)\" is not a valid image reference"))
        }
        issues += validateEnv(spec.env, at: FieldPath("spec.env"))
        if spec.isScaledExternally, spec.replicas != nil {
            issues.append(FieldIssue("spec.replicas", ServiceSpec.Spec.externalReplicasMessage))
        }
        if let check = spec.healthCheck {
            if !check.path.hasPrefix("/") {
                issues.append(FieldIssue("spec.healthCheck.path", "must start with \"/\", found \"\(check.path)\""))
            }
            if check.port == nil, spec.port == nil {
                issues.append(FieldIssue("spec.healthCheck", "a health check needs a port: set spec.port or spec.healthCheck.port"))
            }
        }
        if let restartedAt = spec.restartedAt, RFC3339.date(from: restartedAt) == nil {
            issues.append(FieldIssue("spec.restartedAt", "\"\(restartedAt)\" is not an RFC 3339 time like 2026-11-26T05:00:00Z"))
        }
        return issues
    }
}

extension ServiceSpec.Spec {
    /// Another scaler owns the replica count: the controller neither sets nor corrects it.
    public var isScaledExternally: Bool { scaling == .external }

    static let externalReplicasMessage = "must not be set when spec.scaling is external: the external scaler owns the replica count"
}
