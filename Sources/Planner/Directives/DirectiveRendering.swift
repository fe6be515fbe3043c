import Foundation
import JSON
import Model

/// The batch/v1 Job that runs one attempt of one job of a Directive's run.
public enum DirectiveRendering {
    /// Environment variables the controller sets; the template's own are kept, except these names.
    public static let payloadVariable = "HMS_PAYLOAD"
    static let reservedVariables: Set<String> = [payloadVariable, "HMS_DIRECTIVE", "HMS_RUN_ID", "HMS_JOB_ID", "HMS_ATTEMPT", "HMS_SCHEDULED_TIME"]

    /// - `backoffLimit: 0`: the controller retries, as new attempts with their own names and
    ///   backoff, so the Job itself never runs a second pod.
    /// - `activeDeadlineSeconds: maxRuntimeSeconds`: the cluster stops a job that runs too long
    ///   (reason `DeadlineExceeded`: TIMED_OUT).
    /// - No `ttlSecondsAfterFinished`: the cluster's TTL controller would delete a finished Job
    ///   of a run still open, and the run would start it again; the controller applies the
    ///   Directive's `ttlSecondsAfterFinished` once the run is complete (`expiringJobs`).
    /// - The payload as JSON in `HMS_PAYLOAD` (`{}` when the job has none), with the run and
    ///   attempt beside it so a worker can make its effects idempotent.
    public static func job(_ directive: Directive, _ start: JobAttempt, name: String) -> JSONValue {
        let spec = directive.spec
        let namespace = directive.ref.namespace
        let payload = spec.jobs.first { $0.id == start.job }?.payload ?? .object([:])
        let labels: JSONValue = [
            Rendering.managedByKey: .string(Rendering.managedByValue),
            DirectiveNaming.directiveLabel: .string(DirectiveNaming.labelValue(directive.metadata.name)),
            DirectiveNaming.runLabel: .string(start.run),
            DirectiveNaming.jobLabel: .string(start.job),
            DirectiveNaming.attemptLabel: .string(String(start.attempt)),
        ]
        let scheduled = RFC3339.string(from: start.runTime)
        var metadata: JSONValue = [
            "name": .string(name), "namespace": .string(namespace), "labels": labels,
            "annotations": [
                DirectiveNaming.directiveAnnotation: .string(directive.metadata.name),
                DirectiveNaming.scheduledTimeAnnotation: .string(scheduled),
                DirectiveNaming.triggerAnnotation: .string(start.trigger.rawValue),
            ],
        ]
        // Deleting the Directive deletes its Jobs (when it is stored and so has a uid).
        if let uid = directive.metadata.uid {
            metadata["ownerReferences"] = [[
                "apiVersion": .string(API.apiVersion), "kind": .string(Directive.kind), "name": .string(directive.metadata.name),
                "uid": .string(uid), "controller": true, "blockOwnerDeletion": false,
            ]]
        }

        var env: [JSONValue] = (spec.template.env ?? []).filter { !reservedVariables.contains($0.name) }.map { variable in
            var entry: JSONValue = ["name": .string(variable.name)]
            if let value = variable.value { entry["value"] = .string(value) }
            return entry
        }
        let ours: [(String, String)] = [
            (payloadVariable, payload.jsonText), ("HMS_DIRECTIVE", directive.metadata.name), ("HMS_RUN_ID", start.run),
            ("HMS_JOB_ID", start.job), ("HMS_ATTEMPT", String(start.attempt)), ("HMS_SCHEDULED_TIME", scheduled),
        ]
        env += ours.map { ["name": .string($0.0), "value": .string($0.1)] }

        var container: JSONValue = ["name": .string(start.job), "image": .string(spec.template.image), "env": .array(env)]
        if let command = spec.template.command { container["command"] = .array(command.map(JSONValue.string)) }
        if let args = spec.template.args { container["args"] = .array(args.map(JSONValue.string)) }
        var requests: JSONValue = [:]
        if let cpu = spec.template.resources?.cpu { requests["cpu"] = .string(cpu.text) }
        if let memory = spec.template.resources?.memory { requests["memory"] = .string(memory.text) }
        if requests != [:] { container["resources"] = ["requests": requests] }

        var jobSpec: JSONValue = [
            "backoffLimit": 0,
            "template": ["metadata": ["labels": labels], "spec": ["restartPolicy": "Never", "containers": [container]]],
        ]
        if let runtime = spec.maxRuntimeSeconds { jobSpec["activeDeadlineSeconds"] = .int(runtime) }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": jobSpec]
    }
}
