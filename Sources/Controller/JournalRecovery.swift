import Foundation
import JSON
import Kube
import Model
import Planner

/// On start: the intents a crash left without a result (the action was sent, or about to be, when
/// the process died) are looked up in the cluster, and each gets the decision line it lacks, with
/// what the cluster shows as its result.
public enum JournalRecovery {
    /// An intent's result, from its target as the cluster holds it now (nil: not found): `done`
    /// when the object shows the change, else `unknown: ...` saying what it shows.
    public static func result(verb: Action.Verb, to: String, object: JSONValue?) -> String {
        guard let object else {
            switch verb {
            case .delete, .restart: return "done"  // a restart of a pod deletes it
            default: return "unknown: not found"
            }
        }
        if object[path: ["metadata", "deletionTimestamp"]] != nil, verb == .delete || verb == .restart { return "done" }
        switch verb {
        case .deploy, .startJob:
            return "done"
        case .scale:
            let replicas = object[path: ["spec", "replicas"]]?.intValue
            return replicas.map(String.init) == to ? "done" : "unknown: \(replicas.map(String.init) ?? "no") replicas, not \(to)"
        case .update:
            let images = (object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
            return images.contains(to) ? "done" : "unknown: image \(images.first ?? "none"), not \(to)"
        case .restart:
            let annotations = object[path: ["spec", "template", "metadata", "annotations"]]?.objectValue ?? [:]
            return annotations.values.contains(.string(to)) ? "done" : "unknown: not restarted at \(to)"
        case .delete:
            return "unknown: still there"
        }
    }

    /// Completes the journal's unfinished intents; returns how many. An intent whose target cannot
    /// be looked up (a kind it does not know, or the cluster does not answer) is left for the next start.
    public static func recover(_ journal: Journal, cluster: ClusterAccess, actor: String, now: Date) async throws -> Int {
        let pending = Journal.unfinishedIntents(try journal.readTail())
        var entries: [Journal.Entry] = []
        for intent in pending {
            guard let verb = intent["intent"]?.stringValue.flatMap(Action.Verb.init(rawValue:)),
                let kind = intent[path: ["target", "kind"]]?.stringValue,
                let namespace = intent[path: ["target", "namespace"]]?.stringValue,
                let name = intent[path: ["target", "name"]]?.stringValue,
                let type = ObjectKind(kind).resourceType
            else { continue }
            let object: JSONValue?
            do throws(KubeError) {
                object = try await cluster.getIfPresent(type, namespace: namespace, name: name)
            } catch {
                continue
            }
            let shown = Self.result(verb: verb, to: intent["to"]?.stringValue ?? "", object: object)
            entries.append(Journal.recovered(intent: intent, result: shown, recoveredBy: actor, time: RFC3339.string(from: now)))
        }
        try journal.append(entries)
        return entries.count
    }
}
