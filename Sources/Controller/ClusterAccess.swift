import Foundation
import HTTP
import JSON
import Kube
import Manifests
import Model
import Planner

/// The cluster calls reconciling needs, over the Kube client, in JSON values.
public struct ClusterAccess: Sendable {
    public let client: KubeClient
    /// Who writes: the field manager of server-side applies and the source of Events.
    public let fieldManager: String
    /// Hears the server's answer to each write (apply, create, status patch): the controller
    /// keeps its caches current with it.
    public var written: (@Sendable (ResourceType, JSONValue) -> Void)?

    public init(client: KubeClient, fieldManager: String, written: (@Sendable (ResourceType, JSONValue) -> Void)? = nil) {
        self.client = client
        self.fieldManager = fieldManager
        self.written = written
    }

    @discardableResult
    public func send(_ request: KubeRequest) async throws(KubeError) -> HTTPResponse {
        try await client.send(request)
    }

    public func json(_ request: KubeRequest) async throws(KubeError) -> JSONValue {
        let response = try await send(request)
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw .decoding("\(request.method) \(request.path): \(error.description)")
        }
    }

    public func list(_ type: ResourceType, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil) async throws(KubeError) -> [JSONValue] {
        let list = try await json(.list(type, namespace: namespace, options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector)))
        return list["items"]?.arrayValue ?? []
    }

    /// Server-side apply: creates or updates the fields we own, idempotently.
    @discardableResult
    public func apply(_ object: JSONValue, _ type: ResourceType, dryRun: Bool = false) async throws(KubeError) -> JSONValue {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        let stored = try await json(.patch(type, namespace: namespace, name: name, type: .apply(fieldManager: fieldManager, force: true),
                                           body: object.jsonBytes, options: WriteOptions(dryRun: dryRun)))
        if !dryRun { written?(type, stored) }
        return stored
    }

    /// A merge patch of the status subresource: no resourceVersion precondition, nothing else touched.
    @discardableResult
    public func patchStatus(_ type: ResourceType, namespace: String, name: String, body: [UInt8]) async throws(KubeError) -> JSONValue {
        let stored = try await json(.patchStatus(type, namespace: namespace, name: name, type: .merge, body: body))
        written?(type, stored)
        return stored
    }

    /// Creates the object; an object of that name that exists already is an error (`alreadyExists`).
    /// `named`: the caller named it and takes that error as done (see `KubeRequest.create`).
    @discardableResult
    public func create(_ object: JSONValue, _ type: ResourceType, named: Bool = false) async throws(KubeError) -> JSONValue {
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        let stored = try await json(.create(type, namespace: namespace, body: object.jsonBytes, named: named))
        written?(type, stored)
        return stored
    }

    /// The object, or nil when it does not exist.
    public func getIfPresent(_ type: ResourceType, namespace: String?, name: String) async throws(KubeError) -> JSONValue? {
        do {
            return try await json(.get(type, namespace: namespace, name: name))
        } catch {
            if error.reason == .notFound { return nil }
            throw error
        }
    }

    public func delete(_ type: ResourceType, namespace: String, name: String) async throws(KubeError) {
        try await client.delete(type, name: name, namespace: namespace, options: DeleteOptions(propagationPolicy: "Background"))
    }

    /// Our resources of every kind, as the API stores them.
    public func resources(namespace: String?) async throws(KubeError) -> [AnyResource] {
        var resources: [AnyResource] = []
        for kind in AnyResource.kinds {
            for item in try await list(.of(kind), namespace: namespace) {
                do {
                    resources.append(AnyResource(try JSONDecoder().decode(kind, from: Data(item.jsonBytes))))
                } catch {
                    let name = item[path: ["metadata", "name"]]?.stringValue ?? "?"
                    throw .decoding("\(kind.kind) \(name) in the cluster does not decode: \(error)")
                }
            }
        }
        return resources
    }

    /// Any of our values as JSON.
    public static func encoded(_ value: some Encodable) -> JSONValue {
        do {
            return try JSONValue(parsing: Array(JSONEncoder().encode(value)))
        } catch {
            return .null  // our own types always encode; unreachable in practice
        }
    }

    /// A resource as JSON, for storing it with server-side apply.
    public static func json(of resource: any Resource) -> JSONValue {
        do {
            return try JSONValue(parsing: Array(JSONEncoder().encode(resource)))
        } catch {
            return .null  // our own types always encode; unreachable in practice
        }
    }
}

extension ObjectRef {
    var resourceType: ResourceType? {
        switch kind {
        case "Deployment": .deployments
        case "Service": .services
        case "Pod": .pods
        case "Job": .jobs
        default: AnyResource.kind(named: kind).map { ResourceType.of($0) }
        }
    }
}
