import JSON
import KubeProto

/// `/openapi/v3`: an index of one document per group-version, and the documents. Each document has,
/// per kind, the PATCH operation (POST for reviews) with its group-version-kind and a
/// `fieldValidation` parameter, which is what kubectl looks for before it hands field validation to
/// the server; and the kinds' schemas under `components.schemas` with everything they refer to, which
/// `kubectl explain` walks. `/openapi/v2`: every schema in gnostic's protobuf form, which kubectl
/// reads to validate a kind that has no PATCH operation (`kubectl create -f` of a review).
struct OpenAPI {
    static let v2ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// Encoded once for the current set of types and custom resource definitions;
    /// `MockCluster.refreshCustomTypes` starts a new set.
    private var built: Built?

    private struct Built {
        var index: [UInt8]
        /// By group-version path (`apis/apps/v1`).
        var documents: [String: [UInt8]]
        var version2: [UInt8]
    }

    mutating func response(_ segments: [String], accept: String, types: [ResourceType], definitions: [JSONValue]) throws(APIError) -> APIResponse {
        guard segments.count >= 2, segments[1] == "v3" || (segments[1] == "v2" && segments.count == 2) else { throw .notFoundPath }
        let built = self.built ?? Self.build(types: types, definitions: definitions)
        self.built = built
        if segments[1] == "v2" {
            guard accept.contains("protobuf") else {
                throw APIError(code: 406, reason: "NotAcceptable", message: "the mock cluster serves /openapi/v2 only as \(Self.v2ContentType)")
            }
            return APIResponse(status: 200, contentType: Self.v2ContentType, body: .bytes(built.version2))
        }
        if segments.count == 2 { return APIResponse(status: 200, body: .bytes(built.index)) }
        guard let document = built.documents[segments[2...].joined(separator: "/")] else { throw .notFoundPath }
        return APIResponse(status: 200, body: .bytes(document))
    }

    private static func build(types: [ResourceType], definitions: [JSONValue]) -> Built {
        // Stored types, and the reviews that are only created: `kubectl create -f` looks them up too.
        let served = types.filter { $0.isStored || $0.isCreateOnly }
        var byGroupVersion: [String: [ResourceType]] = [:]
        for type in served { byGroupVersion[path(of: type), default: []].append(type) }
        var paths: [String: JSONValue] = [:]
        var documents: [String: [UInt8]] = [:]
        var allSchemas: [String: JSONValue] = [:]
        for (groupVersion, types) in byGroupVersion {
            let document = self.document(types, definitions: definitions)
            documents[groupVersion] = document.jsonBytes
            allSchemas.merge(document[path: ["components", "schemas"]]?.objectValue ?? [:]) { first, _ in first }
            // The hash names the content: kubectl keeps documents in its cache under it.
            paths[groupVersion] = ["serverRelativeURL": .string("/openapi/v3/\(groupVersion)?hash=\(MockCluster.templateHash(document))")]
        }
        let version2 = OpenAPIv2.document(schemas: allSchemas, title: "Kubernetes", version: Discovery.gitVersion)
        return Built(index: JSONValue.object(["paths": .object(paths)]).jsonBytes, documents: documents, version2: version2)
    }

    static func path(of type: ResourceType) -> String {
        type.group.isEmpty ? "api/v1" : "apis/\(type.group)/\(type.version)"
    }

    static func document(_ types: [ResourceType], definitions: [JSONValue]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for type in types {
            paths.merge(operations(type)) { first, _ in first }
            if let (name, schema) = kindSchema(type, definitions: definitions) { schemas[name] = schema }
        }
        addReferences(to: &schemas)
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(Discovery.gitVersion)], "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    private static func operations(_ type: ResourceType) -> [String: JSONValue] {
        let operation: JSONValue = [
            "x-kubernetes-group-version-kind": ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)],
            "parameters": [["name": "fieldValidation", "in": "query", "schema": ["type": "string"]]],
            "responses": [:],
        ]
        if !type.isStored { return ["\(type.basePath)/\(type.plural)": ["post": operation]] }
        let path = type.namespaced
            ? "\(type.basePath)/namespaces/{namespace}/\(type.plural)/{name}" : "\(type.basePath)/\(type.plural)/{name}"
        return [path: ["patch": operation]]
    }

    /// The kind's schema: a built-in one by its group-version-kind, or the custom resource
    /// definition's `openAPIV3Schema` with the metadata, apiVersion and kind every object has.
    private static func kindSchema(_ type: ResourceType, definitions: [JSONValue]) -> (String, JSONValue)? {
        if type.isBuiltIn {
            guard let name = BuiltInSchemas.kindNames["\(type.group)/\(type.version)/\(type.kind)"] else { return nil }
            return BuiltInSchemas.all[name].map { (name, $0) }
        }
        let definition = definitions.first {
            $0[path: ["spec", "group"]]?.stringValue == type.group && $0[path: ["spec", "names", "kind"]]?.stringValue == type.kind
        }
        let version = definition?[path: ["spec", "versions"]]?.arrayValue?.first { $0["name"]?.stringValue == type.version }
        var schema = version?[path: ["schema", "openAPIV3Schema"]] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        var properties = schema["properties"]?.objectValue ?? [:]
        let kind = OpenAPISchema.kind(group: type.group, version: type.version, kind: type.kind, description: "", [:])
        for field in ["apiVersion", "kind", "metadata"] { properties[field] = kind[path: ["properties", field]] }
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = kind["x-kubernetes-group-version-kind"]
        let reversedGroup = type.group.split(separator: ".").reversed().joined(separator: ".")
        return ("\(reversedGroup).\(type.version).\(type.kind)", schema)
    }

    /// Adds every schema the document's schemas refer to, and what those refer to in turn.
    private static func addReferences(to schemas: inout [String: JSONValue]) {
        var pending = schemas.values.flatMap(OpenAPISchema.references)
        while let name = pending.popLast() {
            guard schemas[name] == nil, let schema = BuiltInSchemas.all[name] else { continue }
            schemas[name] = schema
            pending.append(contentsOf: OpenAPISchema.references(in: schema))
        }
    }
}

extension BuiltInSchemas {
    /// `group/version/Kind` to the name of the kind's schema.
    static let kindNames: [String: String] = {
        var names: [String: String] = [:]
        for (name, schema) in all {
            guard let gvk = schema["x-kubernetes-group-version-kind"]?.arrayValue?.first,
                let group = gvk["group"]?.stringValue, let version = gvk["version"]?.stringValue, let kind = gvk["kind"]?.stringValue
            else { continue }
            names["\(group)/\(version)/\(kind)"] = name
        }
        return names
    }()
}
