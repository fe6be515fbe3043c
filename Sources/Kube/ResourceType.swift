import Model

/// A kind of object the API serves, with what its REST path needs: group, version, plural and
/// whether it lives in a namespace.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1`, `apps/v1`: the `apiVersion` of its objects.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `/api/v1` or `/apis/GROUP/VERSION`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// `deployments.apps`, as kubectl and Status details name it.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The collection (no name) or one object, optionally a subresource of it. A namespaced
    /// resource without a namespace is the all-namespaces collection, valid for list and watch.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersionPath
        if namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(PathEncoding.segment(namespace))"
        }
        path += "/\(plural)"
        if let name {
            path += "/\(PathEncoding.segment(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    /// Why `path(namespace:name:)` must not be requested: a namespace that is not a DNS label, or
    /// a name that is not a DNS subdomain (every kind this client names is), else nil.
    public func pathProblem(namespace: String?, name: String?) -> String? {
        if namespaced, let namespace, !namespace.isEmpty, let problem = Names.dns1123LabelProblem(namespace) {
            return "namespace \(problem)"
        }
        if let name, let problem = Names.dns1123SubdomainProblem(name) { return "\(kind) \(problem)" }
        return nil
    }
}

extension ResourceType {
    public static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let nodes = ResourceType(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)
    public static let pods = ResourceType(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let services = ResourceType(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let events = ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let deployments = ResourceType(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    public static let jobs = ResourceType(group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true)
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let podMetrics = ResourceType(group: "metrics.k8s.io", version: "v1beta1", plural: "pods", kind: "PodMetrics", namespaced: true)
    public static let customResourceDefinitions = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)

    /// One of our own kinds (`ops.hms.gov/v1alpha1`), all namespaced.
    public static func of(_ type: any Resource.Type) -> ResourceType {
        ResourceType(group: API.group, version: API.version, plural: type.plural, kind: type.kind, namespaced: true)
    }
}

/// Percent-encoding for paths and queries, byte by byte: only unreserved characters stay as they are.
enum PathEncoding {
    static func segment(_ text: String) -> String { encode(text, keeping: unreserved) }
    static func queryValue(_ text: String) -> String { encode(text, keeping: unreserved) }

    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    private static func encode(_ text: String, keeping allowed: Set<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if allowed.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
