import Foundation
import HTTP
import JSON
import Kube
import Manifests
import Model
import Planner

/// Our resources as a list read them: the valid ones, and findings about the others.
public struct ClusterResources: Sendable {
    public var valid: [AnyResource] = []
    public var invalid: [InvalidObject] = []

    public init() {}
}

/// The cluster calls reconciling needs, over the Kube client, in JSON values.
public struct ClusterAccess: Sendable {
    public let client: KubeClient
    /// Who writes: the field manager of server-side applies and the source of Events.
    public let fieldManager: String
    /// Hears the server's answer to each write (apply, create, status patch): the controller
    /// keeps its caches current with it.
    public var written: (@Sendable (ResourceType, JSONValue) -> Void)?
    /// Hears each object this client deleted (kind, namespace, name): the controller drops it
    /// from its caches at once, so that a pass before the watch event does not delete it again.
    public var deleted: (@Sendable (ResourceType, String, String) -> Void)?

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

    /// Server-side apply: creates or updates the fields we own, idempotently. `manager`: another
    /// field manager than this client's (the workloads' one, `Rendering.workloadFieldManager`).
    public func apply(_ object: JSONValue, _ type: ResourceType, dryRun: Bool = false, manager: String? = nil) async throws(KubeError) {
        let response = try await send(applyRequest(object, type, dryRun: dryRun, manager: manager))
        if !dryRun { try heard(type, response) }
    }

    /// Server-side apply of `resource` (as `object`), and the resource as the cluster now stores
    /// it: what was sent, plus what the server sets (identity, generation, status) and anything
    /// another field manager or an admission webhook added. When the stored spec, labels and
    /// annotations are the ones sent, as they nearly always are, the sent resource is completed
    /// with the server's metadata; otherwise the whole answer is decoded.
    public func applied<R: Resource>(_ resource: R, as object: JSONValue) async throws(KubeError) -> R {
        let type = ResourceType.of(R.self)
        let response = try await send(applyRequest(object, type, dryRun: false))
        try heard(type, response)
        do {
            let answer = try JSONValue(parsing: response.body)
            return try Self.completed(resource, sent: object, answer: answer) ?? JSONValueDecoder().decode(R.self, from: answer)
        } catch {
            throw .decoding("\(R.kind) \(resource.metadata.name) as stored does not decode: \(error)")
        }
    }

    /// `resource` with the server's part of `answer`, or nil when the answer differs in what the
    /// client wrote.
    public static func completed<R: Resource>(_ resource: R, sent: JSONValue, answer: JSONValue) throws -> R? {
        for path in [["spec"], ["metadata", "labels"], ["metadata", "annotations"]] where answer[path: path] != sent[path: path] {
            return nil
        }
        guard let metadata = answer["metadata"] else { return nil }
        var stored = resource
        stored.metadata.namespace = metadata["namespace"]?.stringValue ?? stored.metadata.namespace
        stored.metadata.uid = metadata["uid"]?.stringValue
        stored.metadata.resourceVersion = metadata["resourceVersion"]?.stringValue
        stored.metadata.generation = metadata["generation"]?.intValue
        stored.metadata.creationTimestamp = metadata["creationTimestamp"]?.stringValue
        stored.metadata.deletionTimestamp = metadata["deletionTimestamp"]?.stringValue
        stored.metadata.finalizers = metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue)
        stored.status = try answer["status"].map { try JSONValueDecoder().decode(R.Status.self, from: $0) }
        return stored
    }

    private func applyRequest(_ object: JSONValue, _ type: ResourceType, dryRun: Bool, manager: String? = nil) -> KubeRequest {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        return .patch(type, namespace: namespace, name: name, type: .apply(fieldManager: manager ?? fieldManager, force: true),
                      body: object.jsonBytes, options: WriteOptions(dryRun: dryRun))
    }

    /// A merge patch of the object, by our field manager: the fields it names and nothing else.
    public func mergePatch(_ type: ResourceType, namespace: String, name: String, body: [UInt8], manager: String? = nil) async throws(KubeError) {
        try heard(type, try await send(.patch(type, namespace: namespace, name: name, type: .merge, body: body,
                                               options: WriteOptions(fieldManager: manager ?? fieldManager))))
    }

    /// A merge patch of the status subresource: no resourceVersion precondition, nothing else touched.
    public func patchStatus(_ type: ResourceType, namespace: String, name: String, body: [UInt8]) async throws(KubeError) {
        try heard(type, try await send(.patchStatus(type, namespace: namespace, name: name, type: .merge, body: body)))
    }

    /// Creates the object; an object of that name that exists already is an error (`alreadyExists`).
    /// `named`: the caller named it and takes that error as done (see `KubeRequest.create`).
    public func create(_ object: JSONValue, _ type: ResourceType, named: Bool = false) async throws(KubeError) {
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        try heard(type, try await send(.create(type, namespace: namespace, body: object.jsonBytes, named: named)))
    }

    /// Hands the server's answer to a write to whoever listens (`written`). The answer is parsed for
    /// them only: a one-shot `hmsctl` has no caches to keep and skips the work.
    private func heard(_ type: ResourceType, _ response: HTTPResponse) throws(KubeError) {
        guard let written else { return }
        do {
            written(type, try JSONValue(parsing: response.body))
        } catch {
            throw .decoding("the answer to a write of \(type.plural): \(error.description)")
        }
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

    /// `uid`: delete only that object (a precondition; 409 Conflict when another of that name is there now).
    public func delete(_ type: ResourceType, namespace: String, name: String, uid: String? = nil) async throws(KubeError) {
        let preconditions = uid.map { DeleteOptions.Preconditions(uid: $0) }
        try await client.delete(type, name: name, namespace: namespace, options: DeleteOptions(propagationPolicy: "Background", preconditions: preconditions))
        deleted?(type, namespace, name)
    }

    /// Our resources of the given kinds (every kind unless told), as the API stores them, each
    /// admitted on its own: one that does not decode or validate is returned as a finding, and
    /// the others are read all the same. One list per kind, all at once.
    public func resources(namespace: String?, kinds: [any Resource.Type] = AnyResource.kinds) async throws(KubeError) -> ClusterResources {
        let lists = await concurrentMap(Array(kinds.indices)) { index in
            await attempt { () async throws(KubeError) in try await admitted(kinds[index], namespace: namespace) }
        }
        var resources = ClusterResources()
        for list in lists {
            let list = try list.get()
            resources.valid += list.valid
            resources.invalid += list.invalid
        }
        return resources
    }

    private func admitted<R: Resource>(_ kind: R.Type, namespace: String?) async throws(KubeError) -> ClusterResources {
        var resources = ClusterResources()
        for object in try await list(kind, namespace: namespace) {
            switch object {
            case .valid(let resource): resources.valid.append(AnyResource(resource))
            case .invalid(let finding): resources.invalid.append(finding)
            }
        }
        return resources
    }

    /// One kind's objects, each decoded and validated on its own.
    public func list<R: Resource>(_ kind: R.Type, namespace: String?) async throws(KubeError) -> [Admitted<R>] {
        let body = try await send(.list(.of(kind), namespace: namespace, options: ListOptions())).body
        do {
            return try JSONValue(parsing: body)["items"]?.arrayValue?.map(Admitted<R>.admit) ?? []
        } catch {
            throw .decoding("the list of \(kind.plural) is not JSON: \(error)")
        }
    }

    /// Any of our values as JSON.
    public static func encoded(_ value: some Encodable) -> JSONValue {
        do {
            return try JSONValueEncoder().encode(value)
        } catch {
            return .null  // our own types always encode; unreachable in practice
        }
    }

    /// A resource as JSON, for storing it with server-side apply.
    public static func json(of resource: any Resource) -> JSONValue {
        encoded(resource)
    }
}

extension ObjectKind {
    /// Where objects of this kind live in the API: the built-in kinds we write, and ours.
    var resourceType: ResourceType? {
        switch self {
        case .deployment: .deployments
        case .service: .services
        case .pod: .pods
        case .job: .jobs
        default: AnyResource.kind(named: name).map { ResourceType.of($0) }
        }
    }
}
