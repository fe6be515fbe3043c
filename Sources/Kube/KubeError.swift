import Foundation
import HTTP
import JSON

/// Everything a Kubernetes call can fail with. API errors keep the server's `Status`.
public enum KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error status.
    case api(APIError)
    /// No answer: connection, TLS, timeout.
    case transport(HTTPError)
    case configuration(ConfigError)
    /// Credentials could not be had (a token file, an exec plugin). Never holds the secret.
    case credentials(String)
    /// The answer was not what the API promises.
    case decoding(String)
    /// Not sent: a name in it is not a Kubernetes name (`KubeRequest.refusal`).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .api(let error): error.description
        case .transport(let error): error.description
        case .configuration(let error): error.description
        case .credentials(let message): "credentials: \(message)"
        case .decoding(let message): "decoding the response: \(message)"
        case .invalidRequest(let message): "not sent: \(message)"
        }
    }

    /// The API reason, when the server gave one.
    public var reason: StatusReason? {
        if case .api(let error) = self { return error.reason }
        return nil
    }
}

/// The reasons of `metav1.StatusReason` a client acts on; anything else keeps its words.
public enum StatusReason: Sendable, Equatable, Hashable {
    case notFound
    case alreadyExists
    /// A stale `resourceVersion`: read again and retry the change.
    case conflict
    case invalid
    case forbidden
    case unauthorized
    case tooManyRequests
    /// 410: `Gone`, or `Expired` for a resourceVersion too old to watch or list from.
    case gone
    case badRequest
    case methodNotAllowed
    case unsupportedMediaType
    case timeout
    case internalError
    case serviceUnavailable
    case other(String)

    /// From the Status's `reason`, else from the HTTP code, as client-go does.
    public init(reason: String?, code: Int) {
        switch reason ?? "" {
        case "NotFound": self = .notFound
        case "AlreadyExists": self = .alreadyExists
        case "Conflict": self = .conflict
        case "Invalid": self = .invalid
        case "Forbidden": self = .forbidden
        case "Unauthorized": self = .unauthorized
        case "TooManyRequests": self = .tooManyRequests
        case "Gone", "Expired": self = .gone
        case "BadRequest": self = .badRequest
        case "MethodNotAllowed": self = .methodNotAllowed
        case "UnsupportedMediaType": self = .unsupportedMediaType
        case "Timeout", "ServerTimeout": self = .timeout
        case "InternalError": self = .internalError
        case "ServiceUnavailable": self = .serviceUnavailable
        case "": self = StatusReason(code: code)
        case let other: self = .other(other)
        }
    }

    init(code: Int) {
        switch code {
        case 400: self = .badRequest
        case 401: self = .unauthorized
        case 403: self = .forbidden
        case 404: self = .notFound
        case 405: self = .methodNotAllowed
        case 409: self = .conflict
        case 410: self = .gone
        case 415: self = .unsupportedMediaType
        case 422: self = .invalid
        case 429: self = .tooManyRequests
        case 500: self = .internalError
        case 503: self = .serviceUnavailable
        case 504: self = .timeout
        default: self = .other("HTTP \(code)")
        }
    }
}

/// A Kubernetes `Status` (meta/v1), as the server sends it with every failure.
public struct Status: Codable, Sendable, Equatable {
    public struct Cause: Codable, Sendable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }

    public struct Details: Codable, Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?
    }

    public var kind: String?
    public var apiVersion: String?
    public var status: String?
    public var message: String?
    public var reason: String?
    public var details: Details?
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, details: Details? = nil, code: Int? = nil) {
        kind = "Status"
        apiVersion = "v1"
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// An error status from the server: typed reason, HTTP code and the server's own message.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: StatusReason
    public var code: Int
    public var message: String
    /// The whole Status when the body was one.
    public var status: Status?
    /// `GET /api/v1/...`: method and path, never a header.
    public var request: String

    public init(reason: StatusReason, code: Int, message: String, status: Status? = nil, request: String) {
        self.reason = reason
        self.code = code
        self.message = message
        self.status = status
        self.request = request
    }

    /// Decodes an error response as client-go does: a `Status` body keeps its reason and message;
    /// any other body becomes the message (shortened, without control characters).
    public init(code: Int, body: [UInt8], request: String) {
        if let status = try? JSONValueDecoder().decode(Status.self, fromJSON: body), status.kind == "Status" {
            self.init(reason: StatusReason(reason: status.reason, code: status.code ?? code), code: status.code ?? code,
                      message: status.message ?? "", status: status, request: request)
            return
        }
        var text = String(decoding: body.prefix(512), as: UTF8.self)
            .unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(String.init).joined()
            .trimmingCharacters(in: .whitespaces)
        if text.isEmpty { text = "the server responded with status \(code) and no further information" }
        self.init(reason: StatusReason(code: code), code: code, message: text, request: request)
    }

    public var description: String {
        "\(request): \(code) \(reasonName): \(message)"
    }

    var reasonName: String {
        switch reason {
        case .notFound: "NotFound"
        case .alreadyExists: "AlreadyExists"
        case .conflict: "Conflict"
        case .invalid: "Invalid"
        case .forbidden: "Forbidden"
        case .unauthorized: "Unauthorized"
        case .tooManyRequests: "TooManyRequests"
        case .gone: status?.reason ?? "Gone"
        case .badRequest: "BadRequest"
        case .methodNotAllowed: "MethodNotAllowed"
        case .unsupportedMediaType: "UnsupportedMediaType"
        case .timeout: "Timeout"
        case .internalError: "InternalError"
        case .serviceUnavailable: "ServiceUnavailable"
        case .other(let name): name
        }
    }
}
