import Foundation
import JSON

/// The simulated cluster: a Kubernetes API subset and the kubelet, controllers and metrics-server
/// behind it, as one value. `handle` answers a request; `advance(to:)` moves the simulation forward.
/// Time is always passed in, so tests drive it without sleeping.
public struct MockCluster: Sendable {
    public struct Settings: Sendable {
        /// How long a new pod takes to become ready.
        public var podStartupSeconds: Double = 1
        /// How long a Job runs when no test decided otherwise.
        public var jobSeconds: Double = 2
        /// Seeds names, uids and fault injection, so a run can be replayed.
        public var seed: UInt64 = 0x6d6f_636b
        public var nodeName = "mock-node"
        /// Tokens and roles at start (`--auth FILE`); `PUT /mock/v1/auth` replaces them.
        public var access = AccessTables()
        /// `--authorize`: authenticate every request and authorize it with RBAC (`Authentication.swift`).
        public var authorize = false

        public init() {}
    }

    public let settings: Settings
    var store = ObjectStore()
    var random: SplitMix64
    var customTypes: [String: ResourceType] = [:]
    /// Built-in types and those the stored CustomResourceDefinitions define, in a stable order:
    /// kept, not derived per request (every request resolves its route against it).
    private(set) var allTypes: [ResourceType] = BuiltInTypes.all
    var faults = Faults()
    var loads: [ObjectKey: Load] = [:]
    var unhealthyPods: Set<ObjectKey> = []
    var jobOutcomes: [ObjectKey: JobOutcome] = [:]
    var podLogs: [ObjectKey: [String]] = [:]
    var simulation = SimulationState()
    var requestLog = RequestLog()
    var openAPI = OpenAPI()
    /// Tokens and roles behind TokenReview and SubjectAccessReview.
    var access = AccessTables()
    var serviceAccountTokens: [String: MintedToken] = [:]
    var admissionAudit = AdmissionAuditLog()
    /// `Warning` headers for the response to the request being handled: unknown fields under
    /// `fieldValidation=Warn`, admission policies with the Warn action.
    var warnings: [String] = []
    /// Encoded managedFields by value: objects of the same shape share one tree (see `interned`).
    var internedManagedFields: [ManagedFields: JSONValue] = [:]
    let startedAt: Date

    public init(settings: Settings = Settings(), now: Date) {
        self.settings = settings
        self.random = SplitMix64(seed: settings.seed)
        self.access = settings.access
        self.startedAt = now
        for namespace in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            store.put(BuiltInTypes.namespaces.id, ObjectKey(namespace: "", name: namespace), newNamespace(namespace, now: now))
        }
        store.put(BuiltInTypes.nodes.id, ObjectKey(namespace: "", name: settings.nodeName), newNode(now: now))
    }

    /// The latest resourceVersion: watchers compare it with what they delivered.
    public var resourceVersion: Int { store.resourceVersion }

    /// How many objects are stored, of every type.
    public var objectCount: Int { store.totalCount }

    // MARK: - Requests

    public mutating func handle(_ request: APIRequest, now: Date) -> APIResponse {
        if request.path.hasPrefix("/mock/v1/") {
            return handleControl(request, now: now)
        }
        var response: APIResponse
        warnings = []
        if let fault = faults.draw(for: request, using: &random) {
            response = fault
        } else {
            do {
                try checkAccess(request, now: now)
                response = try route(request, now: now)
            } catch {
                response = error.response
            }
            collectGarbage(now: now)
        }
        response.delaySeconds = faults.latencySeconds
        response.warnings = warnings
        requestLog.record(request, status: response.status, now: now)
        return response
    }

    private mutating func route(_ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let segments = request.path.split(byte: UInt8(ascii: "/")).map(String.init)
        switch segments.first {
        case "version": return .json(Discovery.version)
        case "healthz", "readyz", "livez": return .text("ok")
        case "openapi":
            let definitions = store.list(BuiltInTypes.customResourceDefinitions.id, namespace: nil).map(\.value)
            return try openAPI.response(segments, accept: request.accept, types: allTypes, definitions: definitions)
        case "api", "apis": break
        default: throw .notFoundPath
        }
        // /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}
        let isCore = segments[0] == "api"
        let prefixCount = isCore ? 2 : 3
        if segments.count < prefixCount || (segments.count == prefixCount && request.method == "GET") {
            guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
            return try Discovery.document(segments, accept: request.accept, types: allTypes)
        }
        let group = isCore ? "" : segments[1]
        let version = segments[prefixCount - 1]
        let rest = Array(segments[prefixCount...])
        if group == BuiltInTypes.tokenReviews.group || group == BuiltInTypes.subjectAccessReviews.group {
            return try review(group: group, version: version, rest, request, now: now)
        }
        if group == "custom.metrics.k8s.io" || group == "metrics.k8s.io" {
            guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
            return try metricsResponse(group: group, rest, request: request, now: now)
        }
        let route = try ResourceRoute(rest, group: group, version: version, types: allTypes)
        if route.type.id == AccessTypes.serviceAccounts.id, route.subresource == "token" {
            return try requestToken(route, request, now: now)
        }
        return try serve(route, request, now: now)
    }

    // MARK: - Types

    mutating func refreshCustomTypes() {
        let previous = customTypes
        customTypes = [:]
        for crd in store.list(BuiltInTypes.customResourceDefinitions.id, namespace: nil) {
            guard var type = ResourceType(definition: crd.value) else { continue }
            // A schema is parsed (its rules compiled) once per version of its definition.
            if let known = previous[type.id]?.schema, known.definitionVersion == crd.resourceVersion {
                type.schema = known
            } else if let schema = CustomResourceSchema(definition: crd.value, version: type.version, definitionVersion: crd.resourceVersion) {
                type.schema = schema
                // Objects stored before a default existed read with it, as the apiserver reads them.
                if schema.root.hasDefaults {
                    store.rewriteInPlace(type.id) { object in
                        var object = object
                        SchemaPruning.applyDefaults(&object, schema.root)
                        return object
                    }
                }
            }
            customTypes[type.id] = type
        }
        allTypes = BuiltInTypes.all + customTypes.values.sorted { $0.id < $1.id }
        openAPI = OpenAPI()
    }

    // MARK: - Identity

    mutating func newUID() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        var written = 0
        for _ in 0..<2 {
            let half = random.next()
            for shift in stride(from: 60, through: 0, by: -4) {
                if written == 8 || written == 12 || written == 16 || written == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(Self.hexDigits[Int((half >> UInt64(shift)) & 0xF)])
                written += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Five characters from the alphabet Kubernetes uses for generated names (no vowels, no lookalikes).
    mutating func nameSuffix(length: Int = 5) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(Self.nameAlphabet[Int(random.next() % UInt64(Self.nameAlphabet.count))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    /// The characters of generated names and hashes, as Kubernetes uses them.
    static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)
}

/// The object-level part of a request path, after `/api/v1` or `/apis/{group}/{version}`.
struct ResourceRoute {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?

    init(_ segments: [String], group: String, version: String, types: [ResourceType]) throws(APIError) {
        var rest = segments[...]
        // `namespaces/{ns}/{plural}...` names a namespaced collection; `namespaces/{name}` is a Namespace.
        if rest.count >= 3, rest.first == "namespaces", !["status", "finalize"].contains(rest[rest.startIndex + 2]) {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard let plural = rest.popFirst(),
            let type = types.first(where: { $0.group == group && $0.version == version && $0.plural == plural && $0.isStored })
        else { throw .notFoundPath }
        guard rest.count <= 2 else { throw .notFoundPath }
        self.type = type
        name = rest.popFirst()
        subresource = rest.popFirst()
        if type.namespaced == false, namespace != nil { throw .notFoundPath }
        if let subresource, !type.subresources.contains(subresource) { throw .notFoundPath }
    }

    var key: ObjectKey { ObjectKey(namespace: type.namespaced ? namespace ?? "default" : "", name: name ?? "") }
}

/// A small, fast, seedable generator (SplitMix64), so names and faults can be replayed.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
