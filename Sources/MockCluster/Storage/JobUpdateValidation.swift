import JSON

/// `ValidateJobSpecUpdate` (batch/validation): what a Job fixes at creation. Its selector,
/// completion mode, pod failure policy, backoff limit per index, managedBy and success policy never
/// change; its completions change only for an Indexed Job and in step with parallelism (elastic
/// Indexed Jobs, GA in 1.31); its pod template never changes, except that a Job suspended since
/// it was created (never started) may change its template's labels, annotations, node selector,
/// tolerations, scheduling gates and node affinity.
enum JobUpdateValidation {
    static func errors(_ object: JSONValue, previous: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        let old = previous["spec"] ?? [:]
        var errors = completionsErrors(spec, old)
        errors += immutable(spec, old, "selector") { .text(WorkloadValidation.goLabelSelector($0)) }
        errors += templateErrors(spec, old, previous: previous)
        errors += immutable(spec, old, "completionMode") { .json($0) }
        for field in ["podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] {
            errors += immutable(spec, old, field) { $0.stringValue == nil && $0.intValue == nil ? .text($0.jsonText) : .json($0) }
        }
        return errors
    }

    /// `ValidateImmutableField`: an error showing the new value (a missing one as the string
    /// "null", as the apiserver prints a nil pointer).
    private static func immutable(
        _ spec: JSONValue, _ old: JSONValue, _ field: String, shown: (JSONValue) -> FieldError.Value
    ) -> [FieldError] {
        guard spec[field] != old[field] else { return [] }
        return [FieldError(.invalid, "spec.\(field)", spec[field].map(shown) ?? .json("null"), "field is immutable")]
    }

    private static func completionsErrors(_ spec: JSONValue, _ old: JSONValue) -> [FieldError] {
        guard spec["completionMode"] == "Indexed" else {
            return immutable(spec, old, "completions") { .json($0) }
        }
        guard let completions = spec["completions"], completions != old["completions"] else { return [] }
        if completions == spec["parallelism"] { return [] }
        return [FieldError(.invalid, "spec.completions", .json(completions), "can only be modified in tandem with spec.parallelism")]
    }

    /// The template, after taking over from the new one what a never-started suspended Job may
    /// change. The apiserver prints the whole internal `core.PodTemplateSpec` with Go's `%#v`; the
    /// mock shows the template's JSON instead.
    private static func templateErrors(_ spec: JSONValue, _ old: JSONValue, previous: JSONValue) -> [FieldError] {
        let template = spec["template"] ?? [:]
        var oldTemplate = old["template"] ?? [:]
        let suspended = old["suspend"] == true
        let notStarted = previous[path: ["status", "startTime"]] == nil
        if suspended, notStarted {
            for path in [["metadata", "labels"], ["metadata", "annotations"], ["spec", "nodeSelector"], ["spec", "tolerations"],
                         ["spec", "schedulingGates"], ["spec", "affinity", "nodeAffinity"]]
            {
                if oldTemplate[path: path] != template[path: path] { oldTemplate[path: path] = template[path: path] }
            }
            // An affinity left with nothing but an emptied node affinity is no affinity.
            if oldTemplate[path: ["spec", "affinity"]] == [:] { oldTemplate[path: ["spec", "affinity"]] = nil }
            if oldTemplate[path: ["metadata"]] == [:], template["metadata"] == nil { oldTemplate["metadata"] = nil }
        }
        guard template != oldTemplate else { return [] }
        return [FieldError(.invalid, "spec.template", .text(template.jsonText), "field is immutable")]
    }
}
