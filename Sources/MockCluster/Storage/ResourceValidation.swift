import JSON

/// `ValidateContainerResourceRequirements` (core/validation): resource names a container may
/// ask for, quantities not negative, a request within its limit, and for resources that cannot
/// be overcommitted (extended resources, huge pages) a limit equal to the request. Go walks the
/// maps in random order; the mock walks them sorted, limits first as Go does.
enum ResourceValidation {
    static func errors(_ resources: JSONValue?, at path: String) -> [FieldError] {
        let limits = quantities(resources?["limits"])
        let requests = quantities(resources?["requests"])
        var errors: [FieldError] = []
        var hugePages = false
        var cpuOrMemory = false
        for (name, quantity) in limits {
            errors += nameErrors(name, at: "\(path).limits[\(name)]") + negativeErrors(quantity, at: "\(path).limits[\(name)]")
            hugePages = hugePages || name.hasPrefix("hugepages-")
            cpuOrMemory = cpuOrMemory || ["cpu", "memory"].contains(name)
        }
        for (name, quantity) in requests {
            errors += nameErrors(name, at: "\(path).requests[\(name)]") + negativeErrors(quantity, at: "\(path).requests[\(name)]")
            if let limit = limits.first(where: { $0.0 == name })?.1 {
                let order = Quantity.compare(quantity, limit)
                if order != 0, !overcommitAllowed(name) {
                    errors.append(FieldError(.invalid, "\(path).requests", .json(.string(quantity.storedText)),
                                             "must be equal to \(name) limit of \(limit.storedText)"))
                } else if order > 0 {
                    errors.append(FieldError(.invalid, "\(path).requests", .json(.string(quantity.storedText)),
                                             "must be less than or equal to \(name) limit of \(limit.storedText)"))
                }
            } else if !overcommitAllowed(name) {
                errors.append(FieldError(.required, "\(path).limits", .omitted, "Limit must be set for non overcommitable resources"))
            }
            hugePages = hugePages || name.hasPrefix("hugepages-")
            cpuOrMemory = cpuOrMemory || ["cpu", "memory"].contains(name)
        }
        if hugePages, !cpuOrMemory { errors.append(FieldError(.forbidden, path, .omitted, "HugePages require cpu or memory")) }
        return errors
    }

    /// The map's quantities, sorted by name; values that do not parse were refused at decoding.
    private static func quantities(_ map: JSONValue?) -> [(String, Quantity)] {
        (map?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, value in
            (try? Quantity(json: value)).map { (name, $0) }
        }
    }

    private static func negativeErrors(_ quantity: Quantity, at path: String) -> [FieldError] {
        guard quantity.negative, !quantity.isZero else { return [] }
        return [FieldError(.invalid, path, .json(.string(quantity.storedText)), "must be greater than or equal to 0")]
    }

    /// `validateContainerResourceName`: a qualified name; without a `/` a standard resource, and
    /// one a container may ask for; with one, a native (`kubernetes.io/`) or an extended resource.
    static func nameErrors(_ name: String, at path: String) -> [FieldError] {
        let qualified = NameRules.qualifiedName(name).map { FieldError(.invalid, path, .json(.string(name)), $0) }
        if !qualified.isEmpty { return qualified }
        guard name.contains("/") else {
            if !standardResources.contains(name), !name.hasPrefix("hugepages-"), !name.hasPrefix("requests.hugepages-") {
                return [FieldError(.invalid, path, .json(.string(name)), "must be a standard resource type or fully qualified"),
                        FieldError(.invalid, path, .json(.string(name)), "must be a standard resource for containers")]
            }
            if !["cpu", "memory", "ephemeral-storage"].contains(name), !name.hasPrefix("hugepages-") {
                return [FieldError(.invalid, path, .json(.string(name)), "must be a standard resource for containers")]
            }
            return []
        }
        if !isNative(name), !isExtended(name) {
            return [FieldError(.invalid, path, .json(.string(name)), "doesn't follow extended resource name standard")]
        }
        return []
    }

    private static func isNative(_ name: String) -> Bool { !name.contains("/") || name.contains("kubernetes.io/") }

    private static func isExtended(_ name: String) -> Bool {
        !isNative(name) && !name.hasPrefix("requests.") && NameRules.qualifiedName("requests." + name).isEmpty
    }

    private static func overcommitAllowed(_ name: String) -> Bool { isNative(name) && !name.hasPrefix("hugepages-") }

    private static let standardResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu",
        "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services", "replicationcontrollers", "secrets",
        "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers",
    ]
}
