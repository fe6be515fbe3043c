import Foundation
import JSON
import Kube
import Logging
import Model
import Planner

/// Which invalid objects are news: each is reported (log line, Warning Event, condition) once per
/// generation, however many passes see it; one fixed, deleted or edited again is forgotten, so
/// that a later breakage is reported anew. Pure: the controller holds one and asks it each pass.
public struct InvalidObjectReports: Sendable {
    struct Identity: Hashable {
        var ref: ObjectRef
        var uid: String?
        var generation: Int?
    }

    private var reported: Set<Identity> = []

    public init() {}

    /// The objects of `current` not reported yet; the rest of what was reported is forgotten.
    public mutating func news(_ current: [InvalidObject]) -> [InvalidObject] {
        let identities = current.map(Self.identity)
        let fresh = zip(current, identities).filter { !reported.contains($0.1) }.map(\.0)
        reported = Set(identities)
        return fresh.sorted { $0.ref < $1.ref }
    }

    static func identity(_ object: InvalidObject) -> Identity {
        Identity(ref: object.ref, uid: object.uid, generation: object.generation)
    }

    /// How many invalid objects of each of our kinds, every kind present (zero too), for the
    /// `hms_invalid_objects{kind}` gauge.
    public static func counts(_ objects: [InvalidObject]) -> [(kind: String, count: Int)] {
        AnyResource.kinds.map { kind in (kind.kind, objects.count { $0.kind == kind.kind }) }
    }

    /// The merge patch that puts `Ready=False` (reason `InvalidSpec`) in the object's status, for
    /// kinds whose status has conditions; nil for the others.
    public static func statusPatch(_ object: InvalidObject, now: Date) -> [UInt8]? {
        guard object.kind != Directive.kind else { return nil }
        var condition: JSONValue = [
            "type": "Ready", "status": "False", "reason": "InvalidSpec", "message": .string(object.summary()),
            "lastTransitionTime": .string(RFC3339.string(from: now)),
        ]
        if let generation = object.generation { condition["observedGeneration"] = .int(generation) }
        return JSONValue.object(["status": ["conditions": [condition]]]).jsonBytes
    }

    /// The Event's name: the object's, then the generation, so that each generation is recorded
    /// once even across restarts. Cut so that it stays a valid name.
    public static func eventName(_ object: InvalidObject) -> String {
        PlannedEvent.name(object.name, "invalid.\(object.generation ?? 0)")
    }
}

extension InvalidObject {
    public var ref: ObjectRef { ObjectRef(kind: ObjectKind(kind), namespace: namespace, name: name) }
}

extension ControllerLoop {
    /// Reports what became invalid since the last pass: a log line, a Warning Event `InvalidSpec`
    /// naming the field paths, and `Ready=False` where the status can be written. The gauge is
    /// set every pass.
    func reportInvalidObjects(now: Date) async {
        let current = cache.invalidObjects
        for (kind, count) in InvalidObjectReports.counts(current) { ControllerMetrics.invalidObjects(kind: kind, count: count) }
        let fresh = invalidReports.withLock { $0.news(current) }
        let cluster = cluster
        for object in fresh {
            logger.warning("invalid object skipped", metadata: [
                "hms.kind": "\(object.kind)", "hms.namespace": "\(object.namespace)", "hms.name": "\(object.name)",
                "hms.generation": "\(object.generation ?? 0)", "hms.issues": "\(object.summary(limit: 512))",
            ])
        }
        let events = reconciler.events
        _ = await concurrentMap(fresh) { object in
            // Once per generation: a fact about that generation, not a repeated decision.
            await events.record(.init(
                about: object.ref, uid: object.uid, name: InvalidObjectReports.eventName(object), type: "Warning", reason: "InvalidSpec",
                message: "skipped by hms-controller until fixed: \(object.summary())", countsRepeats: false), cluster: cluster, now: now)
            guard let patch = InvalidObjectReports.statusPatch(object, now: now), let kind = AnyResource.kind(named: object.kind) else { return }
            _ = try? await cluster.patchStatus(.of(kind), namespace: object.namespace, name: object.name, body: patch)
        }
    }
}
