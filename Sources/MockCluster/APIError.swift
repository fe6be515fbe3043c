import JSON

/// A failed request, answered with a `Status` object as the apiserver does.
struct APIError: Error, Equatable {
    var code: Int
    var reason: String
    var message: String
    var details: JSONValue?

    static func notFound(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(type.qualifiedPlural) \"\(name)\" not found", details: type.details(name))
    }

    static func alreadyExists(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(type.qualifiedPlural) \"\(name)\" already exists", details: type.details(name))
    }

    static func conflict(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualifiedPlural) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: type.details(name))
    }

    static func invalid(_ type: ResourceType, _ name: String, field: String, _ problem: String) -> APIError {
        invalid(type, name, [FieldError(.invalid, field, .omitted, problem)])
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format (\(contentType)) - accepted media types include: \(accepted.joined(separator: ", "))")
    }

    static let notFoundPath = APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    static func expired(_ requested: Int, _ oldest: Int) -> APIError {
        APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    static let internalError = APIError(code: 500, reason: "InternalError", message: "Internal error occurred: injected fault")

    var status: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "code": .int(code),
        ]
        // An error the apiserver cannot classify (etcd's, say) has no reason, and Go omits it.
        if !reason.isEmpty { status["reason"] = .string(reason) }
        if let details { status["details"] = details }
        return status
    }

    var response: APIResponse { .json(status, status: code) }
}
