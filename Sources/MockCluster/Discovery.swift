import JSON

/// `/version` and API discovery (aggregated v2 and legacy); OpenAPI is `OpenAPI`'s.
enum Discovery {
    static let gitVersion = "v1.32.4"
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": .string(gitVersion), "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
        "gitTreeState": "clean", "buildDate": "2025-04-22T16:02:27Z", "goVersion": "go1.23.8", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// `/api`, `/apis`, `/api/v1`, `/apis/{group}`, `/apis/{group}/{version}`.
    static func document(_ segments: [String], accept: String, types: [ResourceType]) throws(APIError) -> APIResponse {
        let isCore = segments.first == "api"
        let groups = groupedByGroup(types.filter { ($0.group.isEmpty) == isCore })
        switch segments.count {
        case 1 where accept.contains("as=APIGroupDiscoveryList") && accept.contains("v=v2"):
            // Aggregated discovery is recognised by its content type alone: echo it exactly.
            return .json(aggregated(groups), contentType: aggregatedContentType)
        case 1 where isCore:
            return .json([
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]],
            ])
        case 1:
            return .json(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map { apiGroup($0.group, $0.types) })])
        case 2 where isCore:
            guard segments[1] == "v1" else { throw .notFoundPath }
            return .json(resourceList(groupVersion: "v1", types.filter { $0.group.isEmpty }))
        case 2:
            guard let group = groups.first(where: { $0.group == segments[1] }) else { throw .notFoundPath }
            return .json(apiGroup(group.group, group.types))
        case 3:
            let matching = types.filter { $0.group == segments[1] && $0.version == segments[2] }
            guard !matching.isEmpty else { throw .notFoundPath }
            return .json(resourceList(groupVersion: "\(segments[1])/\(segments[2])", matching))
        default:
            throw .notFoundPath
        }
    }

    private static func groupedByGroup(_ types: [ResourceType]) -> [(group: String, types: [ResourceType])] {
        var order: [String] = []
        var byGroup: [String: [ResourceType]] = [:]
        for type in types {
            if byGroup[type.group] == nil { order.append(type.group) }
            byGroup[type.group, default: []].append(type)
        }
        return order.map { ($0, byGroup[$0] ?? []) }
    }

    private static func aggregated(_ groups: [(group: String, types: [ResourceType])]) -> JSONValue {
        [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(groups.map { group, types in
                let metadata: JSONValue = group.isEmpty ? ["creationTimestamp": .null] : ["name": .string(group), "creationTimestamp": .null]
                return [
                    "metadata": metadata,
                    "versions": .array(versions(of: types).map { version, types in
                        ["version": .string(version), "freshness": "Current", "resources": .array(types.map(aggregatedResource))]
                    }),
                ]
            }),
        ]
    }

    private static func aggregatedResource(_ type: ResourceType) -> JSONValue {
        var resource: JSONValue = [
            "resource": .string(type.plural),
            "responseKind": ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)],
            "scope": type.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(type.singular),
            "verbs": .array(type.verbs.map(JSONValue.string)),
        ]
        if !type.shortNames.isEmpty { resource["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
        if !type.categories.isEmpty { resource["categories"] = .array(type.categories.map(JSONValue.string)) }
        let subresources: [JSONValue] = type.subresources.map { subresource in
            let kind: JSONValue =
                switch subresource {
                case "scale": ["group": "autoscaling", "version": "v1", "kind": "Scale"]
                case "log": ["group": "", "version": "", "kind": ""]
                default: ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
                }
            return ["subresource": .string(subresource), "responseKind": kind, "verbs": subresourceVerbs(subresource)]
        }
        if !subresources.isEmpty { resource["subresources"] = .array(subresources) }
        return resource
    }

    /// `log` is read, a namespace's `finalize` only replaced; the others are read and written.
    private static func subresourceVerbs(_ subresource: String) -> JSONValue {
        switch subresource {
        case "log": ["get"]
        case "finalize": ["update"]
        default: ["get", "patch", "update"]
        }
    }

    private static func versions(of types: [ResourceType]) -> [(version: String, types: [ResourceType])] {
        var order: [String] = []
        var byVersion: [String: [ResourceType]] = [:]
        for type in types {
            if byVersion[type.version] == nil { order.append(type.version) }
            byVersion[type.version, default: []].append(type)
        }
        return order.map { ($0, byVersion[$0] ?? []) }
    }

    private static func apiGroup(_ group: String, _ types: [ResourceType]) -> JSONValue {
        let versions = versions(of: types).map { version, _ in
            JSONValue.object(["groupVersion": .string("\(group)/\(version)"), "version": .string(version)])
        }
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(group), "versions": .array(versions), "preferredVersion": versions.first ?? .null]
    }

    private static func resourceList(groupVersion: String, _ types: [ResourceType]) -> JSONValue {
        var resources: [JSONValue] = []
        for type in types {
            var resource: JSONValue = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { resource["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { resource["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(resource)
            for subresource in type.subresources {
                var sub: JSONValue = [
                    "name": .string("\(type.plural)/\(subresource)"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": subresourceVerbs(subresource),
                ]
                if subresource == "scale" {
                    sub["group"] = "autoscaling"
                    sub["version"] = "v1"
                    sub["kind"] = "Scale"
                }
                resources.append(sub)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }
}
