import JSON

/// How the elements of a list combine when two versions meet, as the type declares it
/// (`x-kubernetes-list-type`, or `+listType` on the built-in Go types).
enum ListType: Equatable {
    /// The list is one value: whoever sets it sets all of it.
    case atomic
    /// Scalars, each owned on its own (`v:"value"`).
    case set
    /// Maps, each identified by its key fields (`k:{"name":"web"}`); a key an element omits takes
    /// its declared default (a port's `protocol` is `TCP`).
    case map(keys: [String], defaults: [String: JSONValue])
}

/// What merging needs to know of a type's schema: list types, and maps that are one value. Paths
/// are field names from the object's root, list levels left out (`spec.template.spec.containers.ports`).
struct MergeSchema {
    /// The CRD's `openAPIV3Schema`; nil for built-in types, described by `BuiltInMergeTable`.
    var customSchema: JSONValue?

    static let builtIn = MergeSchema(customSchema: nil)

    func listType(at path: [String]) -> ListType {
        guard let customSchema, path.first != "metadata" else { return BuiltInMergeTable.listType(at: path) }
        guard let node = Self.node(customSchema, at: path) else { return .atomic }
        switch node["x-kubernetes-list-type"]?.stringValue {
        case "set": return .set
        case "map":
            let keys = (node["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
            var defaults: [String: JSONValue] = [:]
            for key in keys { defaults[key] = node[path: ["items", "properties", key, "default"]] }
            return .map(keys: keys, defaults: defaults)
        default: return .atomic
        }
    }

    /// A map or struct set as a whole (`x-kubernetes-map-type: atomic`, a LabelSelector).
    func isAtomicMap(at path: [String]) -> Bool {
        guard let customSchema, path.first != "metadata" else { return BuiltInMergeTable.isAtomicMap(at: path) }
        return Self.node(customSchema, at: path)?["x-kubernetes-map-type"]?.stringValue == "atomic"
    }

    /// The schema of the value at `path`: through `items` of arrays, then `properties` or
    /// `additionalProperties`.
    private static func node(_ schema: JSONValue, at path: [String]) -> JSONValue? {
        var node = schema
        for name in path {
            while node["type"] == "array", let items = node["items"] { node = items }
            if let property = node[path: ["properties", name]] {
                node = property
            } else if let additional = node["additionalProperties"], additional.objectValue != nil {
                node = additional
            } else {
                return nil
            }
        }
        return node
    }
}

/// The list and map types of the built-in kinds, in one place: server-side apply merges lists by
/// these keys, and strategic merge patches by the first of them (its `patchMergeKey`).
enum BuiltInMergeTable {
    private static let containerLists: Set<String> = ["containers", "initContainers", "ephemeralContainers"]
    private static let tcp: [String: JSONValue] = ["protocol": "TCP"]

    static func listType(at path: [String]) -> ListType {
        switch path.last {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets",
            "resourceClaims", "schedulingGates":
            return .map(keys: ["name"], defaults: [:])
        case "ports":
            // Container ports are keyed by containerPort and protocol, a Service's by port and protocol.
            if path.dropLast().contains(where: containerLists.contains) {
                return .map(keys: ["containerPort", "protocol"], defaults: tcp)
            }
            return path == ["spec", "ports"] ? .map(keys: ["port", "protocol"], defaults: tcp) : .atomic
        case "volumeMounts": return .map(keys: ["mountPath"], defaults: [:])
        case "volumeDevices": return .map(keys: ["devicePath"], defaults: [:])
        case "conditions": return .map(keys: ["type"], defaults: [:])
        case "hostAliases": return .map(keys: ["ip"], defaults: [:])
        case "topologySpreadConstraints": return .map(keys: ["topologyKey", "whenUnsatisfiable"], defaults: [:])
        case "ownerReferences": return .map(keys: ["uid"], defaults: [:])
        case "resizePolicy": return .map(keys: ["resourceName"], defaults: [:])
        case "finalizers": return path.dropLast().last == "metadata" ? .set : .atomic
        default: return .atomic
        }
    }

    /// LabelSelectors (`+structType=atomic`), a Service's selector and a pod's nodeSelector (`+mapType=atomic`).
    static func isAtomicMap(at path: [String]) -> Bool {
        ["selector", "nodeSelector", "labelSelector", "namespaceSelector"].contains(path.last ?? "")
    }

    /// The structs a new typed Go object always has (non-pointer fields), so a create does not
    /// count them as added: `f:spec` of a created Deployment has no `.` of its own, a custom resource's has.
    static let structsOfNewObjects: Set<[String]> = {
        let template: [[String]] = [["template"], ["template", "metadata"], ["template", "spec"]]
        var paths: [[String]] = [["metadata"], ["spec"], ["status"], ["spec", "strategy"], ["spec", "updateStrategy"], ["status", "loadBalancer"]]
        paths += template.map { ["spec"] + $0 }
        paths += [["spec", "jobTemplate"], ["spec", "jobTemplate", "metadata"], ["spec", "jobTemplate", "spec"]]
        paths += template.map { ["spec", "jobTemplate", "spec"] + $0 }
        return Set(paths)
    }()

    /// The key strategic merge patches merge the list at `path` by.
    static func patchMergeKey(at path: [String]) -> String? {
        if case .map(let keys, _) = listType(at: path) { return keys.first }
        return nil
    }
}
