import JSON

/// What the apiserver fills in for built-in types, so that a GET answers what a real cluster
/// answers and strict clients (the Python client's models) find every required field. The
/// per-kind defaults live in Storage/ (PodDefaults, WorkloadDefaults, ServiceDefaults).
extension MockCluster {
    mutating func applyDefaults(to object: JSONValue, type: ResourceType, previous: JSONValue?) throws(APIError) -> JSONValue {
        var object = object
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        switch type.id {
        case BuiltInTypes.deployments.id: object = WorkloadDefaults.deployment(object)
        case BuiltInTypes.pods.id:
            object["spec"] = PodDefaults.pod(PodDefaults.spec(object["spec"] ?? [:]))
            setDefault(&object, ["spec", "nodeName"], .string(settings.nodeName))
            setDefault(&object, ["status"], ["phase": "Pending", "qosClass": "Burstable"])
        case BuiltInTypes.jobs.id: object = WorkloadDefaults.job(object, name: name, isNew: previous == nil)
        case BuiltInTypes.services.id: serviceDefaults(&object, previous: previous)
        case BuiltInTypes.namespaces.id:
            setDefault(&object, ["spec", "finalizers"], ["kubernetes"])
            setDefault(&object, ["status", "phase"], "Active")
            setDefault(&object, ["metadata", "labels", "kubernetes.io/metadata.name"], .string(name))
        case BuiltInTypes.events.id:
            guard object["involvedObject"]?.objectValue != nil else {
                throw .invalid(type, name, field: "involvedObject", "Required value")
            }
            try canonicalizeMicroTime(&object, ["eventTime"], type: type)
        case BuiltInTypes.leases.id:
            try canonicalizeMicroTime(&object, ["spec", "acquireTime"], type: type)
            try canonicalizeMicroTime(&object, ["spec", "renewTime"], type: type)
        case BuiltInTypes.customResourceDefinitions.id: try establish(&object, type: type, name: name)
        default:
            break
        }
        return object
    }

    /// A CustomResourceDefinition is named plural.group, and is established at once: its names
    /// accepted, its storage versions recorded.
    private func establish(_ object: inout JSONValue, type: ResourceType, name: String) throws(APIError) {
        let names = object[path: ["spec", "names"]] ?? [:]
        guard let group = object[path: ["spec", "group"]]?.stringValue, let plural = names["plural"]?.stringValue,
            names["kind"]?.stringValue != nil, name == "\(plural).\(group)"
        else {
            throw .invalid(type, name, field: "metadata.name", "must be spec.names.plural+\".\"+spec.group")
        }
        object["status"] = [
            "acceptedNames": names,
            "storedVersions": .array((object[path: ["spec", "versions"]]?.arrayValue ?? []).filter { $0["storage"] == true }.compactMap { $0["name"] }),
            "conditions": [
                ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"],
                ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"],
            ],
        ]
    }

    /// A MicroTime field as the apiserver decodes it: null or absent stays so, an exact RFC 3339
    /// time with microseconds is stored in UTC, anything else fails to decode (400).
    private func canonicalizeMicroTime(_ object: inout JSONValue, _ path: [String], type: ResourceType) throws(APIError) {
        guard let value = object[path: path], value != .null else { return }
        guard let text = value.stringValue, let canonical = canonicalMicroTimestamp(text) else {
            throw .badRequest(
                "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): \(path.joined(separator: ".")): "
                    + "parsing time \(value.jsonText) as \"2006-01-02T15:04:05.000000Z07:00\": it needs exactly six fractional digits and a zone")
        }
        object[path: path] = .string(canonical)
    }
}
