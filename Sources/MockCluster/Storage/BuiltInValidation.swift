import JSON

extension MockCluster {
    /// What happens to a decoded object before it is stored, in the apiserver's order: defaults,
    /// validation, then etcd's size limit.
    mutating func prepareForStorage(_ object: JSONValue, type: ResourceType, previous: JSONValue?) throws(APIError) -> JSONValue {
        let object = try applyDefaults(to: object, type: type, previous: previous)
        try validateBuiltIn(object, type: type, previous: previous)
        try StorageLimits.checkStored(object)
        return object
    }

    /// Validates a built-in object after defaulting, as the apiserver's strategies do, and refuses
    /// it with every problem found (422 `Invalid`).
    func validateBuiltIn(_ object: JSONValue, type: ResourceType, previous: JSONValue?) throws(APIError) {
        guard type.isBuiltIn else { return }
        var errors = MetadataValidation.errors(object, typeID: type.id)
        switch type.id {
        case BuiltInTypes.deployments.id:
            errors += WorkloadValidation.deploymentErrors(object)
            if let previous { errors += WorkloadValidation.immutableSelectorErrors(object, previous: previous) }
        case BuiltInTypes.jobs.id:
            errors += WorkloadValidation.jobErrors(object)
            if let previous { errors += JobUpdateValidation.errors(object, previous: previous) }
        case BuiltInTypes.pods.id: errors += PodValidation.specErrors(object["spec"], at: "spec")
        case BuiltInTypes.services.id: errors += ServiceValidation.errors(object)
        case BuiltInTypes.configMaps.id: errors += configMapErrors(object)
        default: break
        }
        guard errors.isEmpty else {
            throw .invalid(type, object[path: ["metadata", "name"]]?.stringValue ?? "", errors)
        }
    }

    /// Keys must be config keys; all values together at most 1 MiB, as for Secrets.
    private func configMapErrors(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        var total = 0
        for field in ["data", "binaryData"] {
            for (key, value) in (object[field]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                errors += NameRules.configMapKey(key).map { FieldError(.invalid, "\(field)[\(key)]", .json(.string(key)), $0) }
                total += value.stringValue?.utf8.count ?? 0
            }
        }
        if total > 1024 * 1024 { errors.append(FieldError(.tooLong, "data", .omitted, "may not be more than \(1024 * 1024) bytes")) }
        return errors
    }
}
