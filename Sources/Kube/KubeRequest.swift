import Foundation
import HTTP
import Model

/// A request to the API as a value: built by pure code, checked by tests without a network,
/// sent by `KubeClient`. The path is relative to the server URL.
public struct KubeRequest: Sendable, Equatable, CustomStringConvertible {
    public var method: HTTPMethod
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Whether sending it twice has the effect of sending it once, which is what allows a retry
    /// after a failure that may have reached the server. See `RetryPolicy`.
    public var isIdempotent: Bool
    /// nil: no limit (a watch, which the server ends by `timeoutSeconds`).
    public var timeout: Duration?
    /// Why this request must not be sent (a namespace or name that is not a Kubernetes name):
    /// the client throws `KubeError.invalidRequest` instead of sending it.
    public var refusal: String?

    public init(method: HTTPMethod, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = ["Accept": "application/json"], body: [UInt8]? = nil, isIdempotent: Bool? = nil, timeout: Duration? = .seconds(30)) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent ?? [.get, .head, .put, .delete].contains(method)
        self.timeout = timeout
    }

    /// Path and percent-encoded query.
    public var target: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(PathEncoding.queryValue($0.name))=\(PathEncoding.queryValue($0.value))" }.joined(separator: "&")
    }

    public var description: String { "\(method) \(target)" }

    public var bodyText: String? { body.map { String(decoding: $0, as: UTF8.self) } }

    public static func == (a: KubeRequest, b: KubeRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.query.map(\.name) == b.query.map(\.name) && a.query.map(\.value) == b.query.map(\.value)
            && a.headers == b.headers && a.body == b.body && a.isIdempotent == b.isIdempotent && a.timeout == b.timeout
            && a.refusal == b.refusal
    }
}

/// `?labelSelector=...&fieldSelector=...` and paging for lists.
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// `"0"`: any version the server has cached; nil: the latest (a quorum read).
    public var resourceVersion: String?
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil, resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { query.append(("continue", continueToken)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { query.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { query.append(("timeoutSeconds", String(timeoutSeconds))) }
        return query
    }
}

public struct WatchOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Where to start. nil: list first, then watch from the list's version (as `kubectl get -w`).
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    /// The server ends each watch after this long; the watcher then starts the next from where it was.
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = 300) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Query options every write takes.
public struct WriteOptions: Sendable, Equatable {
    /// Who makes the change, for managedFields; the server derives one from the User-Agent when absent.
    public var fieldManager: String?
    /// Validate and answer, store nothing (`dryRun=All`).
    public var dryRun: Bool
    /// `Strict`, `Warn` or `Ignore`: what the server does with unknown fields.
    public var fieldValidation: String?

    public init(fieldManager: String? = nil, dryRun: Bool = false, fieldValidation: String? = nil) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
    }

    var query: [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        if dryRun { query.append(("dryRun", "All")) }
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        if let fieldValidation { query.append(("fieldValidation", fieldValidation)) }
        return query
    }
}

/// The four patch formats the API accepts.
public enum PatchType: Sendable, Equatable {
    /// RFC 7386 JSON merge patch.
    case merge
    /// Kubernetes' strategic merge patch (built-in kinds only; CRDs answer 415).
    case strategicMerge
    /// RFC 6902 JSON patch: a list of operations.
    case json
    /// Server-side apply: the body is the whole intent (JSON is valid YAML), owned by `fieldManager`.
    case apply(fieldManager: String, force: Bool)

    public var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .strategicMerge: "application/strategic-merge-patch+json"
        case .json: "application/json-patch+json"
        case .apply: "application/apply-patch+yaml"
        }
    }
}

/// `DeleteOptions`, sent as the body of a DELETE.
public struct DeleteOptions: Sendable, Equatable, Encodable {
    public struct Preconditions: Sendable, Equatable, Encodable {
        public var uid: String?
        public var resourceVersion: String?

        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    /// `Foreground`, `Background` or `Orphan`.
    public var propagationPolicy: String?
    public var gracePeriodSeconds: Int?
    public var preconditions: Preconditions?
    public var dryRun: Bool

    public init(propagationPolicy: String? = nil, gracePeriodSeconds: Int? = nil, preconditions: Preconditions? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.dryRun = dryRun
    }

    var isEmpty: Bool { propagationPolicy == nil && gracePeriodSeconds == nil && preconditions == nil && !dryRun }

    private enum Keys: String, CodingKey { case kind, apiVersion, propagationPolicy, gracePeriodSeconds, preconditions, dryRun }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("DeleteOptions", forKey: .kind)
        try container.encode("v1", forKey: .apiVersion)
        try container.encodeIfPresent(propagationPolicy, forKey: .propagationPolicy)
        try container.encodeIfPresent(gracePeriodSeconds, forKey: .gracePeriodSeconds)
        try container.encodeIfPresent(preconditions, forKey: .preconditions)
        if dryRun { try container.encode(["All"], forKey: .dryRun) }
    }
}

/// The verbs, as pure functions from arguments to requests.
extension KubeRequest {
    static let json: HTTPHeaders = ["Accept": "application/json"]

    public static func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String? = nil) -> KubeRequest {
        KubeRequest(method: .get, path: resource.path(namespace: namespace, name: name, subresource: subresource))
            .checked(resource, namespace: namespace, name: name)
    }

    public static func list(_ resource: ResourceType, namespace: String?, options: ListOptions = ListOptions()) -> KubeRequest {
        KubeRequest(method: .get, path: resource.path(namespace: namespace), query: options.query).checked(resource, namespace: namespace)
    }

    /// Refused (see `refusal`) when the namespace or name is not a Kubernetes name: a name from a
    /// tenant's object can then never point the request somewhere else.
    func checked(_ resource: ResourceType, namespace: String?, name: String? = nil) -> KubeRequest {
        var request = self
        request.refusal = resource.pathProblem(namespace: namespace, name: name)
        return request
    }

    /// A per-pod custom metric of every pod of a namespace (custom.metrics.k8s.io): the metric's
    /// name is checked (`MetricName`) and encoded as one path segment.
    public static func podCustomMetric(namespace: String, metric: String, timeout: Duration) -> KubeRequest {
        var request = KubeRequest(
            method: .get, path: "/apis/custom.metrics.k8s.io/v1beta2/namespaces/\(PathEncoding.segment(namespace))/pods/*/\(PathEncoding.segment(metric))",
            timeout: timeout)
        request.refusal = Names.dns1123LabelProblem(namespace) ?? MetricName.problem(metric)
        return request
    }

    /// POST of a new object. `named`: the body names the object (no `generateName`) and the caller
    /// takes 409 AlreadyExists as done, so a replay cannot make a second object: it may be retried,
    /// and sent on a reused connection.
    public static func create(_ resource: ResourceType, namespace: String?, body: [UInt8], named: Bool = false, options: WriteOptions = WriteOptions()) -> KubeRequest {
        KubeRequest(method: .post, path: resource.path(namespace: namespace), query: options.query,
                    headers: ["Accept": "application/json", "Content-Type": "application/json"], body: body, isIdempotent: named)
            .checked(resource, namespace: namespace)
    }

    /// PUT of the whole object; its `metadata.resourceVersion` makes it conditional (409 when stale).
    public static func update(_ resource: ResourceType, namespace: String?, name: String, subresource: String? = nil, body: [UInt8], options: WriteOptions = WriteOptions()) -> KubeRequest {
        KubeRequest(method: .put, path: resource.path(namespace: namespace, name: name, subresource: subresource), query: options.query,
                    headers: ["Accept": "application/json", "Content-Type": "application/json"], body: body)
            .checked(resource, namespace: namespace, name: name)
    }

    public static func patch(_ resource: ResourceType, namespace: String?, name: String, subresource: String? = nil, type: PatchType, body: [UInt8], options: WriteOptions = WriteOptions()) -> KubeRequest {
        var query = options.query
        var idempotent = false
        if case .apply(let fieldManager, let force) = type {
            query.removeAll { $0.name == "fieldManager" }
            query.append(("fieldManager", fieldManager))
            if force { query.append(("force", "true")) }
            // Apply states the whole intent of one manager: sending it twice leaves the object as
            // sending it once.
            idempotent = true
        }
        // So does a merge patch (RFC 7386): it sets the values it names. A JSON patch can append,
        // and a strategic merge patch can add to lists.
        if case .merge = type { idempotent = true }
        return KubeRequest(method: .patch, path: resource.path(namespace: namespace, name: name, subresource: subresource), query: query,
                           headers: ["Accept": "application/json", "Content-Type": type.contentType], body: body, isIdempotent: idempotent)
            .checked(resource, namespace: namespace, name: name)
    }

    public static func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions = DeleteOptions()) -> KubeRequest {
        var headers = json
        var body: [UInt8]?
        if !options.isEmpty, let data = try? JSONEncoder.sorted.encode(options) {
            body = Array(data)
            headers.add("Content-Type", "application/json")
        }
        return KubeRequest(method: .delete, path: resource.path(namespace: namespace, name: name), query: options.dryRun ? [("dryRun", "All")] : [], headers: headers, body: body)
            .checked(resource, namespace: namespace, name: name)
    }

    /// `?watch=true` on the collection: a stream of events, one JSON object per line.
    public static func watch(_ resource: ResourceType, namespace: String?, options: WatchOptions = WatchOptions()) -> KubeRequest {
        var query: [(name: String, value: String)] = [("watch", "true")]
        if let labelSelector = options.labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector = options.fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion = options.resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds = options.timeoutSeconds { query.append(("timeoutSeconds", String(timeoutSeconds))) }
        return KubeRequest(method: .get, path: resource.path(namespace: namespace), query: query, timeout: nil).checked(resource, namespace: namespace)
    }

    // The scale subresource (autoscaling/v1 `Scale`).

    public static func getScale(_ resource: ResourceType, namespace: String?, name: String) -> KubeRequest {
        get(resource, namespace: namespace, name: name, subresource: "scale")
    }

    /// Sets the replica count with a merge patch, as `kubectl scale` does.
    public static func scale(_ resource: ResourceType, namespace: String?, name: String, replicas: Int, options: WriteOptions = WriteOptions()) -> KubeRequest {
        var request = patch(resource, namespace: namespace, name: name, subresource: "scale", type: .merge,
                            body: Array("{\"spec\":{\"replicas\":\(replicas)}}".utf8), options: options)
        // Setting a number to a value is the same once or twice.
        request.isIdempotent = true
        return request
    }

    public static func updateScale(_ resource: ResourceType, namespace: String?, name: String, body: [UInt8], options: WriteOptions = WriteOptions()) -> KubeRequest {
        update(resource, namespace: namespace, name: name, subresource: "scale", body: body, options: options)
    }

    // The status subresource: what controllers write, leaving spec alone.

    public static func getStatus(_ resource: ResourceType, namespace: String?, name: String) -> KubeRequest {
        get(resource, namespace: namespace, name: name, subresource: "status")
    }

    public static func updateStatus(_ resource: ResourceType, namespace: String?, name: String, body: [UInt8], options: WriteOptions = WriteOptions()) -> KubeRequest {
        update(resource, namespace: namespace, name: name, subresource: "status", body: body, options: options)
    }

    public static func patchStatus(_ resource: ResourceType, namespace: String?, name: String, type: PatchType, body: [UInt8], options: WriteOptions = WriteOptions()) -> KubeRequest {
        patch(resource, namespace: namespace, name: name, subresource: "status", type: type, body: body, options: options)
    }
}

extension JSONEncoder {
    /// Sorted keys: the same value always makes the same bytes, which tests compare.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
