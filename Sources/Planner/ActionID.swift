import Foundation
import Model

extension Action {
    /// `act-` and 16 hex digits hashing the verb, the target and every field of the change. What
    /// the plan shows (`from → to`) comes first, as `verb|kind|namespace|name|from|to`; each field
    /// the plan does not show follows, so that two changes that differ anywhere (a clamped count,
    /// a job's run, an env value, a prune's uid) have different ids.
    public static func id(target: ObjectRef, change: Change) -> String {
        var identity = ChangeIdentity()
        identity.text = "\(change.verb.rawValue)|\(target.kind.name)|\(target.namespace)|\(target.name)|\(change.fromText)|\(change.toText)"
        identity.addUnshownFields(of: change)
        let hex = String(StableHash.fnv1a(identity.text), radix: 16)
        return "act-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The text an action id hashes. Unshown fields are length-prefixed (`|5:value`, `|~` for none),
/// so no value can pass for two fields.
struct ChangeIdentity {
    var text = ""

    mutating func add(_ field: String?) {
        guard let field else {
            text += "|~"
            return
        }
        text += "|\(field.utf8.count):"
        text += field
    }

    mutating func add(_ number: Int?) { add(number.map(String.init)) }

    mutating func addUnshownFields(of change: Change) {
        switch change {
        case .replicas(let replicas):
            if let requested = replicas.requested { add(requested) }
        case .exposeService:
            break
        case .updateService(let diff):
            // A Service that moves from another port is another action than one made anew.
            add(diff.fromPort)
            for field in diff.fields { add(field) }
        case .rollingRestart, .replacePod:
            break
        case .template(let diff):
            // The image's change is what the plan shows.
            for field in diff.fields {
                if case .image = field { continue }
                add(field)
            }
        case .startJob(let attempt):
            add(attempt.run)
            add(RFC3339.string(from: attempt.runTime))
            add(attempt.trigger.rawValue)
        case .foreignContainers(let found):
            for container in found {
                add(container.role.rawValue)
                add(container.managers.joined(separator: ","))
            }
        case .deleteJob(let deletion):
            add(deletion.runID)
            add(deletion.jobID)
            add(deletion.attempt)
            add(deletion.uid)
        case .prune(_, let condition):
            add(condition.uid)
            switch condition.owner {
            case .serviceSpec(let owner): add("serviceSpec"); add(owner.name); add(owner.uid)
            case .serviceSpecNamed(let name): add("serviceSpecNamed"); add(name)
            case .createdFromManifests: add("createdFromManifests")
            }
        }
    }

    mutating func add(_ field: TemplateDiff.Field) {
        add(field.summary)
        switch field {
        case .ownerReference(let owner):
            add(owner.name)
            add(owner.uid)
        case .sourceAnnotation, .image, .restartStampRemoved:
            break
        case .containers(let port, let env, let resources, let healthCheck):
            add(port)
            add(env)
            add(resources)
            add(healthCheck)
        case .ports(let port): add(port)
        case .env(let env): add(env)
        case .resources(let resources): add(resources)
        case .healthCheck(let check): add(check)
        case .other(let path): add(path)
        }
    }

    mutating func add(_ env: [EnvVar]) {
        add(env.count)
        for variable in env {
            add(variable.name)
            add(variable.value)
        }
    }

    mutating func add(_ resources: ResourceRequests?) {
        add(resources?.cpu?.text)
        add(resources?.memory?.text)
    }

    mutating func add(_ check: ServiceSpec.HealthCheck?) {
        guard let check else { return add(nil as String?) }
        add(check.path)
        add(check.port)
        add(check.periodSeconds)
        add(check.failureThreshold)
        add(check.initialDelaySeconds)
    }
}

/// FNV-1a, 64 bits: stable across runs and machines, unlike `hashValue`.
enum StableHash {
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
