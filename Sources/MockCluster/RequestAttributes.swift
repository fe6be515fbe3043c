/// What a request asks to do, as the apiserver's RequestInfo reads it from the method and path
/// alone: a verb on a resource (group, resource, subresource, namespace, name) or on a path.
/// Authorization decides on these; the forbidden message names them.
struct RequestAttributes: Equatable, Sendable {
    var verb: String
    /// nil for a non-resource request (`/version`, `/apis`, `/healthz`).
    var resource: Resource?
    var path: String

    struct Resource: Equatable, Sendable {
        var group = ""
        var version = ""
        var resource = ""
        var subresource = ""
        var namespace = ""
        var name = ""

        /// `deployments`, or `deployments/scale`: what RBAC rules name.
        var combined: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }
    }

    init(verb: String, resource: Resource?, path: String = "") {
        self.verb = verb
        self.resource = resource
        self.path = path
    }

    init(_ request: APIRequest) {
        path = request.path
        let parts = request.path.split(separator: "/").map(String.init)
        var rest: ArraySlice<String>
        var info = Resource()
        switch parts.first {
        case "apis" where parts.count >= 4:
            (info.group, info.version, rest) = (parts[1], parts[2], parts[3...])
        case "api" where parts.count >= 3:
            (info.version, rest) = (parts[1], parts[2...])
        default:
            verb = request.method.lowercased()
            return
        }
        var verb = Self.resourceVerbs[request.method] ?? request.method.lowercased()
        if rest.first == "watch" {
            verb = "watch"
            rest = rest.dropFirst()
        }
        // `namespaces/{ns}/{resource}...`; `namespaces/{ns}` and its status/finalize name the Namespace.
        if rest.first == "namespaces", rest.count > 1 {
            info.namespace = rest[rest.startIndex + 1]
            if rest.count > 2, !["status", "finalize"].contains(rest[rest.startIndex + 2]) { rest = rest.dropFirst(2) }
        }
        let items = Array(rest)
        info.resource = items.first ?? ""
        if items.count > 1 { info.name = items[1] }
        if items.count > 2 { info.subresource = items[2] }
        if info.name.isEmpty, verb == "get" {
            verb = request.flag("watch") ? "watch" : "list"
            info.name = Self.exactName(request.query["fieldSelector"] ?? "") ?? ""
        }
        if info.name.isEmpty, verb == "delete" { verb = "deletecollection" }
        self.verb = verb
        resource = info
    }

    private static let resourceVerbs = ["POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"]

    /// A list or watch of one object by `metadata.name=x` is authorized as that object's.
    private static func exactName(_ selector: String) -> String? {
        for term in selector.split(separator: ",") {
            for prefix in ["metadata.name==", "metadata.name="] where term.hasPrefix(prefix) {
                let name = String(term.dropFirst(prefix.count))
                return name.isEmpty || name.contains("/") || name == "." || name == ".." ? nil : name
            }
        }
        return nil
    }
}
