import JSON

/// `ValidatePodSpec` for the fields the mock's clients write: containers (names, images, ports,
/// env, pull and termination policies, probes), restart and DNS policies.
enum PodValidation {
    static func specErrors(_ spec: JSONValue?, at path: String) -> [FieldError] {
        let spec = spec ?? [:]
        var errors: [FieldError] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { errors.append(FieldError(.required, "\(path).containers", .omitted)) }
        var names: Set<String> = []
        for (group, list) in [("initContainers", spec["initContainers"]?.arrayValue ?? []), ("containers", containers)] {
            for (index, container) in list.enumerated() {
                let containerPath = "\(path).\(group)[\(index)]"
                errors += containerErrors(container, at: containerPath, names: &names)
                // Port names are unique within a container.
                var portNames: Set<String> = []
                errors += portErrors(container["ports"], at: "\(containerPath).ports", names: &portNames)
            }
        }
        if let policy = spec["restartPolicy"]?.stringValue, !["Always", "Never", "OnFailure"].contains(policy) {
            errors.append(FieldError(.notSupported, "\(path).restartPolicy", .json(.string(policy)), FieldError.supportedValues(["Always", "Never", "OnFailure"])))
        }
        let dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
        if let policy = spec["dnsPolicy"]?.stringValue, !dnsPolicies.contains(policy) {
            errors.append(FieldError(.notSupported, "\(path).dnsPolicy", .json(.string(policy)), FieldError.supportedValues(dnsPolicies)))
        }
        errors += MetadataValidation.nonNegative(spec["terminationGracePeriodSeconds"], at: "\(path).terminationGracePeriodSeconds")
        errors += MetadataValidation.nonNegative(spec["activeDeadlineSeconds"], at: "\(path).activeDeadlineSeconds")
        return errors
    }

    static func templateErrors(_ template: JSONValue?, at path: String) -> [FieldError] {
        MetadataValidation.labels(template?[path: ["metadata", "labels"]], at: "\(path).metadata.labels")
            + MetadataValidation.annotations(template?[path: ["metadata", "annotations"]], at: "\(path).metadata.annotations")
            + specErrors(template?["spec"], at: "\(path).spec")
    }

    private static func containerErrors(_ container: JSONValue, at path: String, names: inout Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        let name = container["name"]?.stringValue ?? ""
        if name.isEmpty {
            errors.append(FieldError(.required, "\(path).name", .omitted))
        } else {
            errors += NameRules.dns1123Label(name).map { FieldError(.invalid, "\(path).name", .json(.string(name)), $0) }
            if !names.insert(name).inserted { errors.append(FieldError(.duplicate, "\(path).name", .json(.string(name)))) }
        }
        if (container["image"]?.stringValue ?? "").isEmpty { errors.append(FieldError(.required, "\(path).image", .omitted)) }
        for (index, variable) in (container["env"]?.arrayValue ?? []).enumerated() {
            let variableName = variable["name"]?.stringValue ?? ""
            if variableName.isEmpty {
                errors.append(FieldError(.required, "\(path).env[\(index)].name", .omitted))
            } else {
                errors += NameRules.environmentVariableName(variableName).map { FieldError(.invalid, "\(path).env[\(index)].name", .json(.string(variableName)), $0) }
            }
        }
        let pullPolicies = ["Always", "IfNotPresent", "Never"]
        if let policy = container["imagePullPolicy"]?.stringValue, !pullPolicies.contains(policy) {
            errors.append(FieldError(.notSupported, "\(path).imagePullPolicy", .json(.string(policy)), FieldError.supportedValues(pullPolicies)))
        }
        if let policy = container["terminationMessagePolicy"]?.stringValue, !["FallbackToLogsOnError", "File"].contains(policy) {
            errors.append(FieldError(.notSupported, "\(path).terminationMessagePolicy", .json(.string(policy)), FieldError.supportedValues(["FallbackToLogsOnError", "File"])))
        }
        errors += ResourceValidation.errors(container["resources"], at: "\(path).resources")
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            errors += probeErrors(container[probe], at: "\(path).\(probe)", kind: probe)
        }
        return errors
    }

    private static func portErrors(_ ports: JSONValue?, at path: String, names: inout Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, port) in (ports?.arrayValue ?? []).enumerated() {
            let portPath = "\(path)[\(index)]"
            if let name = port["name"]?.stringValue, !name.isEmpty {
                errors += NameRules.portName(name).map { FieldError(.invalid, "\(portPath).name", .json(.string(name)), $0) }
                if !names.insert(name).inserted { errors.append(FieldError(.duplicate, "\(portPath).name", .json(.string(name)))) }
            }
            let number = port["containerPort"]?.intValue ?? 0
            if number == 0 {
                errors.append(FieldError(.required, "\(portPath).containerPort", .omitted))
            } else {
                errors += NameRules.portNumber(number).map { FieldError(.invalid, "\(portPath).containerPort", .json(.int(number)), $0) }
            }
            if let host = port["hostPort"]?.intValue, host != 0 {
                errors += NameRules.portNumber(host).map { FieldError(.invalid, "\(portPath).hostPort", .json(.int(host)), $0) }
            }
            errors += protocolErrors(port["protocol"], at: "\(portPath).protocol")
        }
        return errors
    }

    static func protocolErrors(_ value: JSONValue?, at path: String) -> [FieldError] {
        let name = value?.stringValue ?? ""
        if name.isEmpty { return [FieldError(.required, path, .omitted)] }
        return ["SCTP", "TCP", "UDP"].contains(name) ? [] : [FieldError(.notSupported, path, .json(.string(name)), FieldError.supportedValues(["SCTP", "TCP", "UDP"]))]
    }

    private static func probeErrors(_ probe: JSONValue?, at path: String, kind: String) -> [FieldError] {
        guard let probe else { return [] }
        var errors: [FieldError] = []
        for field in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            errors += MetadataValidation.nonNegative(probe[field], at: "\(path).\(field)")
        }
        if kind != "readinessProbe", let threshold = probe["successThreshold"]?.intValue, threshold != 1 {
            errors.append(FieldError(.invalid, "\(path).successThreshold", .json(.int(threshold)), "must be 1"))
        }
        let handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter { probe[$0] != nil }
        if handlers.isEmpty { errors.append(FieldError(.required, path, .omitted, "must specify a handler type")) }
        if let port = probe[path: ["httpGet", "port"]] { errors += targetPortErrors(port, at: "\(path).httpGet.port") }
        return errors
    }

    /// A port given by number (1-65535) or by a container port's name.
    static func targetPortErrors(_ port: JSONValue, at path: String) -> [FieldError] {
        if let number = port.intValue { return NameRules.portNumber(number).map { FieldError(.invalid, path, .json(.int(number)), $0) } }
        let name = port.stringValue ?? ""
        return NameRules.portName(name).map { FieldError(.invalid, path, .json(.string(name)), $0) }
    }
}
