import JSON

/// `ValidateService` for the fields the mock's clients write: ports, type, session affinity and
/// the selector's labels.
enum ServiceValidation {
    static let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    static func errors(_ object: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? [:]
        var errors: [FieldError] = []
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        if !types.contains(type) { errors.append(FieldError(.notSupported, "spec.type", .json(.string(type)), FieldError.supportedValues(types))) }
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty, spec["clusterIP"] != "None", type != "ExternalName" { errors.append(FieldError(.required, "spec.ports", .omitted)) }
        var names: Set<String> = []
        for (index, port) in ports.enumerated() {
            errors += portErrors(port, at: "spec.ports[\(index)]", requireName: ports.count > 1, names: &names)
        }
        if let affinity = spec["sessionAffinity"]?.stringValue, !["ClientIP", "None"].contains(affinity) {
            errors.append(FieldError(.notSupported, "spec.sessionAffinity", .json(.string(affinity)), FieldError.supportedValues(["ClientIP", "None"])))
        }
        errors += MetadataValidation.labels(spec["selector"], at: "spec.selector")
        return errors
    }

    private static func portErrors(_ port: JSONValue, at path: String, requireName: Bool, names: inout Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        let name = port["name"]?.stringValue ?? ""
        if name.isEmpty {
            if requireName { errors.append(FieldError(.required, "\(path).name", .omitted)) }
        } else {
            errors += NameRules.dns1123Label(name).map { FieldError(.invalid, "\(path).name", .json(.string(name)), $0) }
            if !names.insert(name).inserted { errors.append(FieldError(.duplicate, "\(path).name", .json(.string(name)))) }
        }
        let number = port["port"]?.intValue ?? 0
        errors += NameRules.portNumber(number).map { FieldError(.invalid, "\(path).port", .json(.int(number)), $0) }
        errors += PodValidation.protocolErrors(port["protocol"], at: "\(path).protocol")
        if let target = port["targetPort"] { errors += PodValidation.targetPortErrors(target, at: "\(path).targetPort") }
        if let nodePort = port["nodePort"]?.intValue, nodePort != 0 {
            errors += NameRules.portNumber(nodePort).map { FieldError(.invalid, "\(path).nodePort", .json(.int(nodePort)), $0) }
        }
        return errors
    }
}
