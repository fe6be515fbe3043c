import JSON
import Model

/// What an update changes in a Service we made: the fields we render (ports with their
/// targetPort, name and protocol, the selector, labels, type, the ownerReference) whose live
/// value differs, compared through field ownership as a Deployment's are (`TemplateDiff`), so
/// that the server's defaults (clusterIP, sessionAffinity, ipFamilies...) are no change and a
/// field another manager changed is drift, set back and reported.
public struct ServiceDiff: Sendable, Equatable {
    /// The port the live Service serves first (nil: none, or a named one) and the spec's.
    public var fromPort: Int?
    public var toPort: Int
    /// The paths that differ, as the apiserver prints them (`.spec.ports[port=8080,protocol="TCP"].targetPort`).
    public var fields: [String]
    /// Fields another manager changed that this update sets back (`DriftReverted`).
    public var drift: [FieldDrift]

    public init(fromPort: Int?, toPort: Int, fields: [String], drift: [FieldDrift] = []) {
        self.fromPort = fromPort
        self.toPort = toPort
        self.fields = fields
        self.drift = drift
    }

    /// The Service we would apply for the ServiceSpec compared with the live one; nil when
    /// nothing differs or the spec has no port (then it has no Service of ours to follow).
    init?(live: ObservedService, service: ServiceSpec, fromManifests: Bool = false) {
        guard let port = service.spec.port else { return nil }
        let differences = Self.differences(live: live, service: service, fromManifests: fromManifests)
        guard !differences.isEmpty else { return nil }
        self.init(fromPort: live.port, toPort: port, fields: differences.map(\.pathText))
        drift = differences.flatMap { difference in difference.changedBy.map { FieldDrift(path: difference.pathText, manager: $0) } }
    }

    /// The differences an update would write, as `hmsctl diff` prints them too. The source
    /// annotation is added, never removed for its own sake (as a Deployment's).
    public static func differences(live: ObservedService, service: ServiceSpec, fromManifests: Bool) -> [OwnedFieldComparison.Difference] {
        guard let desired = Rendering.service(service, fromManifests: fromManifests) else { return [] }
        let source: [PathElement] = [.field("metadata"), .field("annotations"), .field(Rendering.sourceKey)]
        return OwnedFieldComparison.differences(desired: desired, live: live.object, applier: Rendering.workloadFieldManager, ours: Rendering.ownFieldManagers)
            .filter { $0.desired != nil || !$0.path.starts(with: source) }
    }

    /// The plan's reason: `changed: .spec.ports[port=8080,protocol="TCP"].targetPort`, or the port moved.
    public var reason: String {
        let moved = fromPort == toPort ? "" : "spec.port changed: the Service serves \(toPort), not \(fromPort.map(String.init) ?? "another port"); "
        return moved + "changed: " + fields.joined(separator: ", ")
    }
}
