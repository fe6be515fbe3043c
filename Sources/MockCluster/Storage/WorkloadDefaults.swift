import JSON

/// The defaults of apps/v1 and batch/v1 (`SetDefaults_Deployment`, `SetDefaults_Job`) and what the
/// Job strategy adds to a new Job (the selector and labels keyed on its uid).
enum WorkloadDefaults {
    static func deployment(_ object: JSONValue) -> JSONValue {
        var object = object
        setDefault(&object, ["spec", "replicas"], 1)
        setDefault(&object, ["spec", "revisionHistoryLimit"], 10)
        setDefault(&object, ["spec", "progressDeadlineSeconds"], 600)
        setDefault(&object, ["spec", "strategy", "type"], "RollingUpdate")
        if object[path: ["spec", "strategy", "type"]] == "RollingUpdate" {
            setDefault(&object, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
            setDefault(&object, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
        }
        object[path: ["spec", "template"]] = PodDefaults.template(object[path: ["spec", "template"]] ?? [:])
        setDefault(&object, ["status"], ["observedGeneration": 0, "replicas": 0])
        return object
    }

    static func job(_ object: JSONValue, name: String, isNew: Bool) -> JSONValue {
        var object = object
        if object[path: ["spec", "completions"]] == nil, object[path: ["spec", "parallelism"]] == nil {
            object[path: ["spec", "completions"]] = 1
        }
        setDefault(&object, ["spec", "parallelism"], 1)
        setDefault(&object, ["spec", "backoffLimit"], object[path: ["spec", "backoffLimitPerIndex"]] == nil ? 6 : .int(Int(Int32.max)))
        setDefault(&object, ["spec", "completionMode"], "NonIndexed")
        setDefault(&object, ["spec", "suspend"], false)
        setDefault(&object, ["spec", "podReplacementPolicy"], object[path: ["spec", "podFailurePolicy"]] == nil ? "TerminatingOrFailed" : "Failed")
        // A Job without labels takes its pod template's, when decoded and again when read back.
        copyTemplateLabels(&object)
        if isNew, let uid = object[path: ["metadata", "uid"]], object[path: ["spec", "manualSelector"]] != true {
            let jobLabels: [String: JSONValue] = [
                "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": .string(name),
                "controller-uid": uid, "job-name": .string(name),
            ]
            setDefault(&object, ["spec", "selector"], ["matchLabels": ["batch.kubernetes.io/controller-uid": uid]])
            var labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
            labels.merge(jobLabels) { current, _ in current }
            object[path: ["spec", "template", "metadata", "labels"]] = .object(labels)
            copyTemplateLabels(&object)
        }
        // Pod specs default to `Always`, which a Job refuses: a Job must say `Never` or `OnFailure`.
        object[path: ["spec", "template"]] = PodDefaults.template(object[path: ["spec", "template"]] ?? [:])
        setDefault(&object, ["status"], [:])
        return object
    }

    private static func copyTemplateLabels(_ object: inout JSONValue) {
        if (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).isEmpty,
            let labels = object[path: ["spec", "template", "metadata", "labels"]], !(labels.objectValue ?? [:]).isEmpty
        {
            object[path: ["metadata", "labels"]] = labels
        }
    }
}
