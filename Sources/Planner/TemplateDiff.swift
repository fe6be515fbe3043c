import Model

/// What an update changes in a Deployment we made: each field we set that differs from the
/// ServiceSpec, with the value it is set to.
public struct TemplateDiff: Sendable, Equatable {
    public enum Field: Sendable, Equatable {
        /// The controller ownerReference, to this ServiceSpec: the Deployment was made before
        /// ownerReferences, or for an earlier ServiceSpec of that name.
        case ownerReference(ServiceSpecOwner)
        /// The manifests-source annotation, added (never removed: a manifests-mode prune must
        /// know what it made).
        case sourceAnnotation
        /// The live Deployment has no container: the whole container is written, with the image
        /// and these.
        case containers(port: Int?, env: [EnvVar], resources: ResourceRequests?, healthCheck: ServiceSpec.HealthCheck?)
        case image(from: String?, to: String)
        case ports(Int?)
        case env([EnvVar])
        case resources(ResourceRequests?)
        case healthCheck(ServiceSpec.HealthCheck?)

        /// As the plan's reason names it.
        public var summary: String {
            switch self {
            case .ownerReference: "owner reference"
            case .sourceAnnotation: "source annotation"
            case .containers: "containers"
            case .image(let from, let to): "image \(from ?? "none") → \(to)"
            case .ports: "ports"
            case .env: "env"
            case .resources: "resources"
            case .healthCheck: "health check"
            }
        }
    }

    /// The live container's image ("" without one) and the ServiceSpec's: what the plan shows.
    public var fromImage: String
    public var toImage: String
    public var fields: [Field]

    public init(fromImage: String, toImage: String, fields: [Field]) {
        self.fromImage = fromImage
        self.toImage = toImage
        self.fields = fields
    }

    /// The fields of a live Deployment that we set, compared with the ServiceSpec; nil when none
    /// differs. It reads the live object and the spec directly, without rendering, because every
    /// pass runs it for every service.
    init?(live: ObservedDeployment, service: ServiceSpec, fromManifests: Bool = false) {
        var fields: [Field] = []
        if let uid = service.metadata.uid, live.owner != ServiceSpecOwner(name: service.metadata.name, uid: uid) {
            fields.append(.ownerReference(ServiceSpecOwner(name: service.metadata.name, uid: uid)))
        }
        if fromManifests, !live.fromManifests { fields.append(.sourceAnnotation) }
        let spec = service.spec
        if let container = live.container {
            fields += Self.differences(container, spec)
        } else {
            fields.append(.containers(port: spec.port, env: spec.env ?? [], resources: spec.resources, healthCheck: spec.healthCheck))
        }
        guard !fields.isEmpty else { return nil }
        self.init(fromImage: live.container?.image ?? "", toImage: spec.image, fields: fields)
    }

    static func differences(_ container: ObservedContainer, _ spec: ServiceSpec.Spec) -> [Field] {
        var fields: [Field] = []
        if container.image != spec.image { fields.append(.image(from: container.image, to: spec.image)) }
        if container.port != spec.port { fields.append(.ports(spec.port)) }
        if container.env != spec.env ?? [] { fields.append(.env(spec.env ?? [])) }
        // Quantities compare by value: the apiserver may write 0.5 back as 500m.
        func differs(_ text: String?, _ wanted: Quantity?) -> Bool {
            if text == wanted?.text { return false }
            return text.flatMap { try? Quantity(parsing: $0) } != wanted
        }
        if differs(container.cpu, spec.resources?.cpu) || differs(container.memory, spec.resources?.memory) {
            fields.append(.resources(spec.resources))
        }
        if healthCheckDiffers(container, spec) { fields.append(.healthCheck(spec.healthCheck)) }
        return fields
    }

    /// Only the probe settings we set count: a server may fill in the others.
    static func healthCheckDiffers(_ container: ObservedContainer, _ spec: ServiceSpec.Spec) -> Bool {
        guard let check = spec.healthCheck else { return container.probe != nil }
        let probe = container.probe
        let settings: [(live: Int?, wanted: Int?)] = [
            (probe?.periodSeconds, check.periodSeconds), (probe?.failureThreshold, check.failureThreshold),
            (probe?.initialDelaySeconds, check.initialDelaySeconds),
        ]
        return probe?.path != check.path || probe?.port != check.port ?? spec.port
            || settings.contains(where: { $0.wanted != nil && $0.live != $0.wanted })
            || container.liveness?.failureThreshold != Rendering.livenessFailureThreshold(check)
    }

    /// The plan's reason: `changed: image a → b, env`.
    public var reason: String { "changed: " + fields.map(\.summary).joined(separator: ", ") }
}
