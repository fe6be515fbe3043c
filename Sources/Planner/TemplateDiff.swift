import JSON
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
        /// The restart stamp the spec no longer has, removed with this update's rollout.
        case restartStampRemoved
        /// Any other field we set (a label, the selector), by its path.
        case other(String)

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
            case .restartStampRemoved: "restartedAt removed"
            case .other(let path): path
            }
        }
    }

    /// The live container's image ("" without one) and the ServiceSpec's: what the plan shows.
    public var fromImage: String
    public var toImage: String
    public var fields: [Field]
    /// Fields another manager changed that this update sets back (`DriftReverted`).
    public var drift: [FieldDrift] = []

    public init(fromImage: String, toImage: String, fields: [Field], drift: [FieldDrift] = []) {
        self.fromImage = fromImage
        self.toImage = toImage
        self.fields = fields
        self.drift = drift
    }

    /// The Deployment we would apply for the ServiceSpec compared with the live one through field
    /// ownership (`differences`, when the caller has them); nil when nothing differs.
    init?(live: ObservedDeployment, service: ServiceSpec, fromManifests: Bool = false, differences: [OwnedFieldComparison.Difference]? = nil) {
        let differences = differences ?? Self.differences(live: live, service: service, fromManifests: fromManifests)
        guard !differences.isEmpty else { return nil }
        var fields: [Field] = []
        for difference in differences {
            let field = Self.field(difference.path, service: service, live: live)
            if !fields.contains(field) { fields.append(field) }
        }
        self.init(fromImage: live.ownContainer(for: service)?.image ?? "", toImage: service.spec.image, fields: fields)
        drift = differences.flatMap { difference in difference.changedBy.map { FieldDrift(path: difference.pathText, manager: $0) } }
    }

    /// The differences an update would write, as `hmsctl diff` prints them too, so that diff and
    /// plan never disagree.
    public static func differences(live: ObservedDeployment, service: ServiceSpec, fromManifests: Bool) -> [OwnedFieldComparison.Difference] {
        var rendered = desired(live: live, service: service, fromManifests: fromManifests)
        return differences(live: live, service: service, remembering: &rendered)
    }

    /// The Deployment an update applies: the ServiceSpec's with the live replica count (scales
    /// are actions of their own) and the restart stamp it keeps (`keptRestartStamp`); `earlier`
    /// when it was rendered from the same inputs.
    static func desired(live: ObservedDeployment, service: ServiceSpec, fromManifests: Bool, reusing earlier: RenderedDeployment? = nil) -> RenderedDeployment {
        rendering(live: live, service: service, restartedAt: keptRestartStamp(live: live, service: service), fromManifests: fromManifests, reusing: earlier)
    }

    /// The differences `desired` has with `live`, remembered in `desired` by the live version:
    /// what a rendering found against one version it finds again (a live object without a
    /// version is compared every time).
    ///
    /// The restart stamp: removing a pod-template annotation rolls every pod, so a stamp the spec
    /// dropped is never removed for its own sake. While nothing else of the pod template is due
    /// (a label of the Deployment's own is no rollout), ours is rendered as it is; once another
    /// change of the template is due, the update leaves it out and it goes in that same rollout.
    static func differences(live: ObservedDeployment, service: ServiceSpec, remembering desired: inout RenderedDeployment) -> [OwnedFieldComparison.Difference] {
        let kept: [OwnedFieldComparison.Difference]
        if let done = desired.comparison, done.uid == live.uid, done.resourceVersion == live.resourceVersion {
            kept = done.differences
        } else {
            kept = differences(live: live, desired: desired)
            if let uid = live.uid, let version = live.resourceVersion {
                desired.comparison = RenderedDeployment.Comparison(uid: uid, resourceVersion: version, differences: kept)
            }
        }
        let template: [PathElement] = [.field("spec"), .field("template")]
        guard service.spec.restartedAt == nil, ourRestartStamp(live) != nil, kept.contains(where: { $0.path.starts(with: template) }) else { return kept }
        let unstamped = rendering(live: live, service: service, restartedAt: nil, fromManifests: desired.inputs.fromManifests, reusing: nil)
        return differences(live: live, desired: unstamped)
    }

    /// The restart stamp a rendering keeps: the live one while the spec has a stamp (a new one
    /// is a restart of its own); without one, ours as it is (see `differences`).
    private static func keptRestartStamp(live: ObservedDeployment, service: ServiceSpec) -> String? {
        service.spec.restartedAt != nil ? live.restartedAt : ourRestartStamp(live)
    }

    /// The restart stamp a template update writes: as rendered, or none when the update removes
    /// ours (see `differences`).
    func restartStamp(live: ObservedDeployment, service: ServiceSpec) -> String? {
        fields.contains(.restartStampRemoved) ? nil : Self.keptRestartStamp(live: live, service: service)
    }

    /// The live template's restart stamp when one of our field managers holds it (or the object
    /// carries no managedFields to say otherwise); one another manager wrote is not ours to keep.
    static func ourRestartStamp(_ live: ObservedDeployment) -> String? {
        guard let stamp = live.restartedAt else { return nil }
        let entries = (live.object[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap(ManagedFieldsEntry.init)
        guard !entries.isEmpty else { return stamp }
        let path: [PathElement] = [.field("spec"), .field("template"), .field("metadata"), .field("annotations"), .field(Rendering.restartedAtKey)]
        return entries.contains { Rendering.ownFieldManagers.contains($0.manager) && $0.holds(path, orBelow: false) } ? stamp : nil
    }

    private static func rendering(live: ObservedDeployment, service: ServiceSpec, restartedAt: String?, fromManifests: Bool,
                                  reusing earlier: RenderedDeployment?) -> RenderedDeployment {
        var rendered = service
        rendered.spec.restartedAt = restartedAt
        return RenderedDeployment(rendered, replicas: service.spec.isScaledExternally ? nil : live.replicas, fromManifests: fromManifests, reusing: earlier)
    }

    /// `desired` compared with `live` by the fields our apply owns (decoded once per live
    /// version: `ObservedDeployment.appliedFields`). The source annotation is added, never
    /// removed for its own sake (a manifests-mode prune must know what it made).
    static func differences(live: ObservedDeployment, desired: RenderedDeployment) -> [OwnedFieldComparison.Difference] {
        let source: [PathElement] = [.field("metadata"), .field("annotations"), .field(Rendering.sourceKey)]
        return OwnedFieldComparison.differences(desired: desired.object, live: live.object, applied: live.appliedFields ?? [],
                                                applier: Rendering.workloadFieldManager, ours: Rendering.ownFieldManagers)
            .filter { $0.desired != nil || !$0.path.starts(with: source) }
    }

    /// What a difference at `path` is, as the plan names it.
    static func field(_ path: [PathElement], service: ServiceSpec, live: ObservedDeployment) -> Field {
        let spec = service.spec
        switch Array(path.prefix(2)) {
        case [.field("metadata"), .field("ownerReferences")]:
            if let uid = service.metadata.uid { return .ownerReference(ServiceSpecOwner(name: service.metadata.name, uid: uid)) }
        case [.field("metadata"), .field("annotations")]:
            return .sourceAnnotation
        default: break
        }
        if path == [.field("spec"), .field("template"), .field("metadata"), .field("annotations"), .field(Rendering.restartedAtKey)] {
            return .restartStampRemoved
        }
        let container: [PathElement] = [.field("spec"), .field("template"), .field("spec"), .field("containers")]
        guard path.starts(with: container), path.count > container.count else { return .other(path.fieldPathText) }
        guard path.count > container.count + 1, let ours = live.ownContainer(for: service) else {
            return .containers(port: spec.port, env: spec.env ?? [], resources: spec.resources, healthCheck: spec.healthCheck)
        }
        switch path[container.count + 1] {
        case .field("image"): return .image(from: ours.image, to: spec.image)
        case .field("ports"): return .ports(spec.port)
        case .field("env"): return .env(spec.env ?? [])
        case .field("resources"): return .resources(spec.resources)
        case .field("readinessProbe"), .field("livenessProbe"): return .healthCheck(spec.healthCheck)
        default: return .other(path.fieldPathText)
        }
    }

    /// The plan's reason: `changed: image a → b, env`.
    public var reason: String { "changed: " + fields.map(\.summary).joined(separator: ", ") }
}

/// A field we set that another field manager changed: the path as the apiserver prints it
/// (`.spec.template.spec.containers[name="web"].image`) and that manager.
public struct FieldDrift: Sendable, Equatable, Hashable {
    public var path: String
    public var manager: String

    public init(path: String, manager: String) {
        self.path = path
        self.manager = manager
    }

    /// As the plan, the Event and `hmsctl diff` say it.
    public var text: String { "\(path) changed by \(manager)" }
}
