import Foundation
import JSON
import YAML

/// The verbs on stored objects: list, watch, get, create, update, patch, delete, and the `status`,
/// `scale` and `log` subresources.
extension MockCluster {
    mutating func serve(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        try StorageLimits.checkBody(request)
        if let namespace = route.namespace, route.type.namespaced, request.method != "GET",
            store.get(BuiltInTypes.namespaces.id, ObjectKey(namespace: "", name: namespace)) == nil
        {
            throw APIError(
                code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                details: BuiltInTypes.namespaces.details(namespace))
        }
        guard let name = route.name else {
            switch request.method {
            case "GET":
                return request.flag("watch") ? try watch(route, request, now: now) : try list(route, request, now: now)
            case "POST": return try create(route, request, now: now)
            case "DELETE": return try deleteCollection(route, request, now: now)
            default: throw .methodNotAllowed(request.method)
            }
        }
        switch (request.method, route.subresource) {
        case (let method, "finalize") where method != "PUT": throw .methodNotAllowed(method)
        case ("GET", "log"): return try log(route, request)
        case ("GET", "scale"): return .json(scale(of: try existing(route, name), type: route.type))
        case ("GET", _):
            let object = try existing(route, name)
            // The bytes stored with the object are its JSON: a plain GET sends them, it does not encode again.
            if !request.wantsTable { return APIResponse(status: 200, body: .bytes(object.bytes)) }
            return try render(object.value, route.type, request, now: now)
        case ("PUT", "finalize"): return try finalizeNamespace(route, request, now: now)
        case ("PUT", _): return try update(route, request, now: now)
        case ("PATCH", _): return try patch(route, request, now: now)
        case ("DELETE", nil): return try delete(route, request, now: now)
        default: throw .methodNotAllowed(request.method)
        }
    }

    func existing(_ route: ResourceRoute, _ name: String) throws(APIError) -> StoredObject {
        guard let object = store.get(route.type.id, route.key) else { throw .notFound(route.type, name) }
        return object
    }

    // MARK: - Reads

    private func list(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
        let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
        var objects = store.list(route.type.id, namespace: route.type.namespaced ? route.namespace : nil)
        if !labels.requirements.isEmpty || !fields.requirements.isEmpty {
            objects = objects.filter { labels.matches($0.labels) && fields.matches($0.value) }
        }
        // Pages continue after the key of the last object sent.
        var continueToken: String?
        if let token = request.query["continue"], !token.isEmpty {
            guard let after = Self.decodeContinue(token) else { throw .badRequest("continue key is not valid") }
            objects = Array(objects.drop { ObjectKey(object: $0.value) <= after })
        }
        if let limit = request.query["limit"].flatMap(Int.init), limit > 0, objects.count > limit {
            objects = Array(objects.prefix(limit))
            continueToken = objects.last.map { Self.encodeContinue(ObjectKey(object: $0.value)) }
        }
        if request.wantsTable {
            return .json(Tables.table(for: objects.map(\.value), type: route.type, resourceVersion: store.resourceVersion,
                                      includeObject: request.query["includeObject"], now: now, continueToken: continueToken))
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(store.resourceVersion))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        // Items are the bytes already encoded when they were stored, shared rather than copied.
        var header = Array(#"{"apiVersion":"#.utf8)
        JSONValue.writeString(route.type.apiVersion, to: &header)
        header.append(contentsOf: #","items":["#.utf8)
        var trailer = Array(#"],"kind":"#.utf8)
        JSONValue.writeString(route.type.listKind, to: &trailer)
        trailer.append(contentsOf: #","metadata":"#.utf8)
        metadata.write(to: &trailer)
        trailer.append(UInt8(ascii: "}"))
        var parts = [header]
        parts.reserveCapacity(objects.count * 2 + 1)
        for (index, object) in objects.enumerated() {
            if index > 0 { parts.append(Self.comma) }
            parts.append(object.bytes)
        }
        parts.append(trailer)
        return APIResponse(status: 200, body: .parts(parts))
    }

    private static let comma = [UInt8(ascii: ",")]

    private static func encodeContinue(_ key: ObjectKey) -> String {
        Data("\(key.namespace)/\(key.name)".utf8).base64EncodedString()
    }

    private static func decodeContinue(_ token: String) -> ObjectKey? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return ObjectKey(namespace: String(parts[0]), name: String(parts[1]))
    }

    func render(_ object: JSONValue, _ type: ResourceType, _ request: APIRequest, now: Date, status: Int = 200) throws(APIError) -> APIResponse {
        if request.wantsTable {
            return .json(Tables.table(for: [object], type: type, resourceVersion: store.resourceVersion,
                                      includeObject: request.query["includeObject"], now: now), status: status)
        }
        return .json(object, status: status)
    }

    private func log(_ route: ResourceRoute, _ request: APIRequest) throws(APIError) -> APIResponse {
        let pod = try existing(route, route.key.name)
        let containers = (pod.value[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        if let container = request.query["container"], !containers.contains(container) {
            throw .badRequest("container \(container) is not valid for pod \(route.key.name)")
        }
        var lines = podLogs[route.key] ?? []
        if let tail = request.query["tailLines"].flatMap(Int.init), tail >= 0 { lines = Array(lines.suffix(tail)) }
        if !request.flag("timestamps") { lines = lines.map { String($0.split(separator: " ", maxSplits: 1).last ?? "") } }
        return .text(lines.map { $0 + "\n" }.joined())
    }

    // MARK: - Writes

    private mutating func create(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        try WriteOptions.check(request, .create)
        var object = try decodeBody(request, type: route.type)
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            name = prefix + nameSuffix()
            object[path: ["metadata", "name"]] = .string(name)
        }
        guard !name.isEmpty else {
            throw .invalid(route.type, "", field: "metadata.name", "name or generateName is required")
        }
        var target = route
        target.name = name
        if store.get(route.type.id, target.key) != nil { throw .alreadyExists(route.type, name) }
        let stored = try write(object, to: target, previous: nil, request: request, now: now, ownership: request.updateRecord(route))
        return try render(stored, route.type, request, now: now, status: 201)
    }

    private mutating func update(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        try WriteOptions.check(request, .update)
        let body = try decodeBody(request, type: route.type)
        if route.subresource == "scale" {
            return try changeScale(route, request, now: now) { _ in body }
        }
        guard let live = store.get(route.type.id, route.key) else {
            // PUT creates a missing object, as the apiserver allows for most types.
            guard route.subresource == nil else { throw .notFound(route.type, route.key.name) }
            let stored = try write(body, to: route, previous: nil, request: request, now: now, ownership: request.updateRecord(route))
            return try render(stored, route.type, request, now: now, status: 201)
        }
        try checkPrecondition(body, live: live, route)
        let stored = try write(body, to: route, previous: live.value, request: request, now: now, ownership: request.updateRecord(route))
        return try render(stored, route.type, request, now: now)
    }

    private mutating func patch(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let contentType = request.contentType.split(byte: UInt8(ascii: ";")).first.map { $0.trimmed } ?? ""
        try WriteOptions.check(request, .patch(isApply: contentType == "application/apply-patch+yaml"))
        let patch = try parseBody(request.body, contentType: contentType)
        let apply: (JSONValue) throws(APIError) -> JSONValue = { live throws(APIError) in
            switch contentType {
            case "application/merge-patch+json": return live.applyingMergePatch(patch)
            case "application/strategic-merge-patch+json":
                guard route.type.isBuiltIn else { throw .unsupportedMediaType(contentType, accepted: Self.customPatchTypes) }
                return StrategicMerge.apply(patch, to: live)
            case "application/json-patch+json":
                do throws(PatchError) { return try live.applyingJSONPatch(patch) } catch { throw .invalid(route.type, route.key.name, field: "patch", error.message) }
            default:
                throw .unsupportedMediaType(contentType, accepted: route.type.isBuiltIn ? Self.builtInPatchTypes : Self.customPatchTypes)
            }
        }
        if route.subresource == "scale" {
            if contentType == "application/apply-patch+yaml" { return try applyScale(route, request, patch, now: now) }
            return try changeScale(route, request, now: now, apply)
        }
        if contentType == "application/apply-patch+yaml" {
            return try serverSideApply(route, request, patch, now: now)
        }
        let live = try existing(route, route.key.name)
        try checkPrecondition(patch, live: live, route)
        let patched = try apply(live.value)
        let stored = try write(patched, to: route, previous: live.value, request: request, now: now, ownership: request.updateRecord(route))
        return try render(stored, route.type, request, now: now)
    }

    static let customPatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
    static let builtInPatchTypes = customPatchTypes + ["application/strategic-merge-patch+json"]

    /// A `metadata.resourceVersion` in the body must be the live one (optimistic concurrency).
    func checkPrecondition(_ body: JSONValue, live: StoredObject, _ route: ResourceRoute) throws(APIError) {
        if let version = body[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty,
            version != String(live.resourceVersion)
        {
            throw .conflict(route.type, route.key.name)
        }
    }

    /// The name and namespace a body carries must be the URL's.
    func checkIdentity(_ object: JSONValue, _ route: ResourceRoute) throws(APIError) {
        if let name = object[path: ["metadata", "name"]]?.stringValue, name != route.key.name {
            throw .badRequest("the name of the object (\(name)) does not match the name on the URL (\(route.key.name))")
        }
        if route.type.namespaced, let namespace = object[path: ["metadata", "namespace"]]?.stringValue, namespace != route.key.namespace {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    /// The one write path: checks the object, keeps what the server owns, bumps `generation` when the
    /// spec changed, stores (unless `dryRun=All`) and returns the object as stored.
    mutating func write(
        _ object: JSONValue, to route: ResourceRoute, previous: JSONValue?, request: APIRequest, now: Date, ownership: OwnershipRecord
    ) throws(APIError) -> JSONValue {
        let type = route.type
        let key = route.key
        var object = object
        try pruneUnknownFields(&object, type: type, request: request)
        if let kind = object["kind"]?.stringValue, kind != type.kind {
            throw .badRequest("the kind of the object (\(kind)) does not match the URL (\(type.kind))")
        }
        try checkIdentity(object, route)
        object = try decodedAsStored(object, type: type, request: request)
        object["kind"] = .string(type.kind)
        object["apiVersion"] = .string(type.apiVersion)
        object[path: ["metadata", "name"]] = .string(key.name)
        if type.namespaced { object[path: ["metadata", "namespace"]] = .string(key.namespace) }
        try applyDeletionRules(to: &object, previous: previous, route: route)

        keepingWhatTheServerOwns(&object, previous: previous, route: route, now: now)
        try checkCustomResource(&object, type: type, previous: previous, subresource: route.subresource)
        if type.id == BuiltInTypes.customResourceDefinitions.id { try checkDefinition(object, type: type) }
        try checkNoEscalation(object, previous: previous, route: route, request: request, now: now)
        object = try prepareForStorage(object, type: type, previous: previous)
        // The apiserver's field manager records ownership before admission sees the object.
        object = recordingOwnership(ownership, object, previous: previous, type: type, now: now)
        try admit(object, to: route, previous: previous, request: request, now: now)
        if request.isDryRun { return object }
        if previous != nil, object == previous {
            return store.get(type.id, key)?.value ?? object  // nothing changed: no new version, no event
        }
        if let previous, Self.deletionFinishes(object, previous: previous) { return remove(type, key)?.value ?? object }
        let stored = store.put(type.id, key, consume object)
        afterWrite(type, key, stored.value, previous: previous, now: now)
        return stored.value
    }

    /// What the server owns, whatever the client sent: identity (uid, creation time, generation,
    /// counted up when the spec changed), and status, written only through its subresource.
    private mutating func keepingWhatTheServerOwns(_ object: inout JSONValue, previous: JSONValue?, route: ResourceRoute, now: Date) {
        let type = route.type
        if let previous {
            // The server owns identity; the status subresource owns status, the main resource the rest.
            for field in ["uid", "creationTimestamp", "generation"] {
                object[path: ["metadata", field]] = previous[path: ["metadata", field]]
            }
            if type.subresources.contains("status") {
                if route.subresource == "status" {
                    var merged = previous
                    merged["status"] = object["status"]
                    merged[path: ["metadata", "resourceVersion"]] = object[path: ["metadata", "resourceVersion"]]
                    object = merged
                } else {
                    object["status"] = previous["status"]
                }
            }
            // A status write leaves everything else as it was: nothing for `generation` to count.
            if route.subresource != "status", Self.specPart(object) != Self.specPart(previous) {
                object[path: ["metadata", "generation"]] = .int((previous[path: ["metadata", "generation"]]?.intValue ?? 0) + 1)
            }
        } else {
            object[path: ["metadata", "uid"]] = .string(newUID())
            object[path: ["metadata", "creationTimestamp"]] = .string(timestamp(now))
            object[path: ["metadata", "generation"]] = 1
            // As the apiserver's create strategies: status is the server's, written later through its
            // subresource; what a client sends on create is dropped (the defaults below fill it in).
            if type.subresources.contains("status") { object["status"] = nil }
        }
    }

    /// Everything but metadata and status: what `generation` counts changes of.
    private static func specPart(_ object: JSONValue) -> JSONValue {
        var rest = object.objectValue ?? [:]
        rest["metadata"] = nil
        rest["status"] = nil
        return .object(rest)
    }

    // MARK: - Bodies

    func decodeBody(_ request: APIRequest, type: ResourceType) throws(APIError) -> JSONValue {
        let object = try parseBody(request.body, contentType: request.contentType)
        guard object.objectValue != nil else { throw .badRequest("the body of the request must be a JSON object") }
        return object
    }

    /// JSON, or YAML for server-side apply (kubectl sends JSON, which is YAML too). A missing content
    /// type means JSON, as the Python client sends none.
    func parseBody(_ body: [UInt8], contentType: String) throws(APIError) -> JSONValue {
        if contentType.hasPrefix(ProtobufBody.contentType) { return try ProtobufBody.json(body, contentType: contentType) }
        do {
            return try JSONValue(parsing: body)
        } catch {
            if contentType.hasPrefix("application/apply-patch+yaml") || contentType.hasPrefix("application/yaml") {
                do {
                    if let document = try YAMLParser().documents(body).first { return document.jsonValue }
                } catch let yamlError {
                    throw .badRequest("error decoding YAML: \(yamlError.message)")
                }
            }
            throw .badRequest("error decoding the request body: \(error.description)")
        }
    }
}

extension APIRequest {
    /// An update's record of ownership: its manager, through the route's subresource.
    func updateRecord(_ route: ResourceRoute) -> OwnershipRecord {
        .update(manager: fieldManager, subresource: route.subresource ?? "")
    }

    /// kubectl asks for server-side printing with `as=Table` in its Accept header.
    var wantsTable: Bool { accept.contains("as=Table") }
}

extension ObjectKey {
    init(object: JSONValue) {
        self.init(
            namespace: object[path: ["metadata", "namespace"]]?.stringValue ?? "",
            name: object[path: ["metadata", "name"]]?.stringValue ?? "")
    }
}
