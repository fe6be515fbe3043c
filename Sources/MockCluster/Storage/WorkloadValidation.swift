import JSON

/// `ValidateDeployment` (apps/validation) and `ValidateJob` (batch/validation) for the fields the
/// mock's clients write.
enum WorkloadValidation {
    static func deploymentErrors(_ object: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        var errors: [FieldError] = []
        for field in ["replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"] {
            errors += MetadataValidation.nonNegative(spec[field], at: "spec.\(field)")
        }
        if let deadline = spec["progressDeadlineSeconds"]?.intValue, deadline <= spec["minReadySeconds"]?.intValue ?? 0, deadline >= 0 {
            errors.append(FieldError(.invalid, "spec.progressDeadlineSeconds", .json(.int(deadline)), "must be greater than minReadySeconds"))
        }
        errors += selectorErrors(spec, emptyMessage: "empty selector is invalid for deployment")
        errors += PodValidation.templateErrors(spec["template"], at: "spec.template")
        if let policy = spec[path: ["template", "spec", "restartPolicy"]]?.stringValue, policy != "Always" {
            errors.append(FieldError(.notSupported, "spec.template.spec.restartPolicy", .json(.string(policy)), FieldError.supportedValues(["Always"])))
        }
        errors += strategyErrors(spec["strategy"])
        return errors
    }

    static func jobErrors(_ object: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        var errors: [FieldError] = []
        for field in ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"] {
            errors += MetadataValidation.nonNegative(spec[field], at: "spec.\(field)")
        }
        errors += selectorErrors(spec, emptyMessage: "empty selector is invalid for job")
        errors += PodValidation.templateErrors(spec["template"], at: "spec.template")
        if let policy = spec[path: ["template", "spec", "restartPolicy"]]?.stringValue, !["OnFailure", "Never"].contains(policy) {
            errors.append(FieldError(.notSupported, "spec.template.spec.restartPolicy", .json(.string(policy)), FieldError.supportedValues(["OnFailure", "Never"])))
        }
        if let mode = spec["completionMode"]?.stringValue, !["NonIndexed", "Indexed"].contains(mode) {
            errors.append(FieldError(.notSupported, "spec.completionMode", .json(.string(mode)), FieldError.supportedValues(["NonIndexed", "Indexed"])))
        }
        return errors
    }

    /// The selector is required, not empty, and matches the pod template's labels.
    private static func selectorErrors(_ spec: JSONValue, emptyMessage: String) -> [FieldError] {
        guard let selector = spec["selector"] else { return [FieldError(.required, "spec.selector", .omitted)] }
        let parsed = LabelSelector(object: selector)
        if parsed.requirements.isEmpty {
            return [FieldError(.invalid, "spec.selector", .text(goLabelSelector(selector)), emptyMessage)]
        }
        var errors = MetadataValidation.labels(selector["matchLabels"], at: "spec.selector.matchLabels")
        let labels = spec[path: ["template", "metadata", "labels"]]
        if !parsed.matches(labels?.objectValue ?? [:]) {
            errors.append(FieldError(.invalid, "spec.template.metadata.labels", .text(MetadataValidation.goMap(labels)), "`selector` does not match template `labels`"))
        }
        return errors
    }

    /// A Deployment's selector is fixed at creation (apps/v1).
    static func immutableSelectorErrors(_ object: JSONValue, previous: JSONValue) -> [FieldError] {
        let selector = object[path: ["spec", "selector"]]
        guard let selector, selector != previous[path: ["spec", "selector"]] else { return [] }
        return [FieldError(.invalid, "spec.selector", .text(goLabelSelector(selector)), "field is immutable")]
    }

    /// A selector as the apiserver shows it in a field error: Go's `%#v` of `metav1.LabelSelector`
    /// (its `String()` has a pointer receiver, so the error prints the struct).
    static func goLabelSelector(_ selector: JSONValue) -> String {
        let labels = selector["matchLabels"].map(MetadataValidation.goMap) ?? "map[string]string(nil)"
        let requirements = (selector["matchExpressions"]?.arrayValue ?? []).map { requirement in
            let values = (requirement["values"]?.arrayValue ?? []).compactMap(\.stringValue).map(goQuoted)
            let shownValues = values.isEmpty ? "[]string(nil)" : "[]string{" + values.joined(separator: ", ") + "}"
            return "v1.LabelSelectorRequirement{Key:\(goQuoted(requirement["key"]?.stringValue ?? "")), "
                + "Operator:\(goQuoted(requirement["operator"]?.stringValue ?? "")), Values:\(shownValues)}"
        }
        let expressions = requirements.isEmpty
            ? "[]v1.LabelSelectorRequirement(nil)" : "[]v1.LabelSelectorRequirement{" + requirements.joined(separator: ", ") + "}"
        return "v1.LabelSelector{MatchLabels:\(labels), MatchExpressions:\(expressions)}"
    }

    private static func strategyErrors(_ strategy: JSONValue?) -> [FieldError] {
        guard let strategy else { return [] }
        let type = strategy["type"]?.stringValue ?? ""
        switch type {
        case "Recreate":
            return strategy["rollingUpdate"] == nil
                ? [] : [FieldError(.forbidden, "spec.strategy.rollingUpdate", .omitted, "may not be specified when strategy `type` is 'Recreate'")]
        case "RollingUpdate":
            return rollingUpdateErrors(strategy["rollingUpdate"] ?? [:])
        default:
            return [type.isEmpty ? FieldError(.required, "spec.strategy.type", .omitted) : FieldError(.notSupported, "spec.strategy.type", .json(.string(type)), FieldError.supportedValues(["Recreate", "RollingUpdate"]))]
        }
    }

    private static func rollingUpdateErrors(_ rollingUpdate: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        var amounts: [String: Int] = [:]
        for field in ["maxUnavailable", "maxSurge"] {
            guard let value = rollingUpdate[field] else { continue }
            let path = "spec.strategy.rollingUpdate.\(field)"
            if let number = value.intValue {
                amounts[field] = number
                errors += MetadataValidation.nonNegative(value, at: path)
            } else if let text = value.stringValue, text.hasSuffix("%"), let percent = Int(text.dropLast()) {
                amounts[field] = percent
                if field == "maxUnavailable", percent > 100 { errors.append(FieldError(.invalid, path, .json(.string(text)), "must not be greater than 100%")) }
            } else {
                errors.append(FieldError(.invalid, path, value.stringValue != nil ? .json(value) : .text(value.jsonText), NameRules.regexError(
                    "a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", examples: ["1%", "93%"])))
            }
        }
        if amounts["maxUnavailable"] == 0, amounts["maxSurge"] == 0 {
            errors.append(FieldError(.invalid, "spec.strategy.rollingUpdate.maxUnavailable", .json(rollingUpdate["maxUnavailable"] ?? ""),
                                   "may not be 0 when `maxSurge` is 0"))
        }
        return errors
    }
}
