import JSON

/// What the apiserver fills in and insists on for built-in types, so that strict clients (the Python
/// client's models) find every required field.
extension MockCluster {
    mutating func applyDefaults(to object: JSONValue, type: ResourceType, isNew: Bool) throws(APIError) -> JSONValue {
        var object = object
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        switch type.id {
        case BuiltInTypes.deployments.id: try deploymentDefaults(&object, type: type, name: name)
        case BuiltInTypes.pods.id:
            try requireContainers(object["spec"], type: type, name: name, field: "spec.containers")
            object = podTemplateDefaults(object, restartPolicy: "Always")
            setDefault(&object, ["spec", "nodeName"], .string(settings.nodeName))
            setDefault(&object, ["status"], ["phase": "Pending", "qosClass": "Burstable"])
        case BuiltInTypes.jobs.id: try jobDefaults(&object, type: type, name: name, isNew: isNew)
        case BuiltInTypes.services.id: serviceDefaults(&object)
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

    private func deploymentDefaults(_ object: inout JSONValue, type: ResourceType, name: String) throws(APIError) {
        guard let selector = object[path: ["spec", "selector"]], selector.objectValue != nil else {
            throw .invalid(type, name, field: "spec.selector", "Required value")
        }
        let labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        guard LabelSelector(object: selector).matches(labels), !LabelSelector(object: selector).requirements.isEmpty else {
            throw .invalid(type, name, field: "spec.template.metadata.labels", "`selector` does not match template `labels`")
        }
        try requireContainers(object[path: ["spec", "template", "spec"]], type: type, name: name, field: "spec.template.spec.containers")
        setDefault(&object, ["spec", "replicas"], 1)
        setDefault(&object, ["spec", "revisionHistoryLimit"], 10)
        setDefault(&object, ["spec", "progressDeadlineSeconds"], 600)
        setDefault(&object, ["spec", "strategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        object[path: ["spec", "template"]] = podTemplateDefaults(object[path: ["spec", "template"]] ?? [:], restartPolicy: "Always")
        setDefault(&object, ["status"], ["observedGeneration": 0, "replicas": 0])
    }

    /// A new Job gets the selector and pod labels the Job controller keys on (its uid).
    private func jobDefaults(_ object: inout JSONValue, type: ResourceType, name: String, isNew: Bool) throws(APIError) {
        guard object[path: ["spec", "template"]]?.objectValue != nil else {
            throw .invalid(type, name, field: "spec.template", "Required value")
        }
        try requireContainers(object[path: ["spec", "template", "spec"]], type: type, name: name, field: "spec.template.spec.containers")
        setDefault(&object, ["spec", "completions"], 1)
        setDefault(&object, ["spec", "parallelism"], 1)
        setDefault(&object, ["spec", "backoffLimit"], 6)
        setDefault(&object, ["spec", "completionMode"], "NonIndexed")
        setDefault(&object, ["spec", "suspend"], false)
        if isNew, let uid = object[path: ["metadata", "uid"]] {
            let jobLabels: JSONValue = ["batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": .string(name),
                                        "controller-uid": uid, "job-name": .string(name)]
            setDefault(&object, ["spec", "selector"], ["matchLabels": ["batch.kubernetes.io/controller-uid": uid]])
            var labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
            labels.merge(jobLabels.objectValue ?? [:]) { current, _ in current }
            object[path: ["spec", "template", "metadata", "labels"]] = .object(labels)
        }
        let template = podTemplateDefaults(object[path: ["spec", "template"]] ?? [:], restartPolicy: "Never")
        if template[path: ["spec", "restartPolicy"]] == "Always" {
            throw .invalid(type, name, field: "spec.template.spec.restartPolicy", "\"Always\": supported values: \"OnFailure\", \"Never\"")
        }
        object[path: ["spec", "template"]] = template
        setDefault(&object, ["status"], [:])
    }

    private mutating func serviceDefaults(_ object: inout JSONValue) {
        setDefault(&object, ["spec", "type"], "ClusterIP")
        if object[path: ["spec", "clusterIP"]] == nil {
            object[path: ["spec", "clusterIP"]] = .string("10.96.\(random.next() % 250 + 1).\(random.next() % 250 + 1)")
        }
        setDefault(&object, ["spec", "sessionAffinity"], "None")
        if let ports = object[path: ["spec", "ports"]]?.arrayValue {
            object[path: ["spec", "ports"]] = .array(ports.map { port in
                var port = port
                setDefault(&port, ["protocol"], "TCP")
                setDefault(&port, ["targetPort"], port["port"] ?? 80)
                return port
            })
        }
        setDefault(&object, ["status"], ["loadBalancer": [:]])
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

    private func requireContainers(_ podSpec: JSONValue?, type: ResourceType, name: String, field: String) throws(APIError) {
        let containers = podSpec?["containers"]?.arrayValue ?? []
        guard !containers.isEmpty else { throw .invalid(type, name, field: field, "Required value") }
        for (index, container) in containers.enumerated() where (container["name"]?.stringValue ?? "").isEmpty {
            throw .invalid(type, name, field: "\(field)[\(index)].name", "Required value")
        }
    }

    private func podTemplateDefaults(_ template: JSONValue, restartPolicy: String) -> JSONValue {
        var template = template
        setDefault(&template, ["metadata"], [:])
        setDefault(&template, ["spec", "restartPolicy"], .string(restartPolicy))
        setDefault(&template, ["spec", "dnsPolicy"], "ClusterFirst")
        setDefault(&template, ["spec", "schedulerName"], "default-scheduler")
        setDefault(&template, ["spec", "terminationGracePeriodSeconds"], 30)
        setDefault(&template, ["spec", "securityContext"], [:])
        if let containers = template[path: ["spec", "containers"]]?.arrayValue {
            template[path: ["spec", "containers"]] = .array(containers.map { container in
                var container = container
                let image = container["image"]?.stringValue ?? ""
                setDefault(&container, ["imagePullPolicy"], image.hasSuffix(":latest") || !image.contains(":") ? "Always" : "IfNotPresent")
                setDefault(&container, ["terminationMessagePath"], "/dev/termination-log")
                setDefault(&container, ["terminationMessagePolicy"], "File")
                setDefault(&container, ["resources"], [:])
                return container
            })
        }
        return template
    }
}

func setDefault(_ object: inout JSONValue, _ path: [String], _ value: JSONValue) {
    if object[path: path] == nil { object[path: path] = value }
}
