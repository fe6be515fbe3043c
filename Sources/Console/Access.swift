import Foundation

/// Who is asking, once their bearer token checked out.
public struct Principal: Sendable, Equatable {
    public var user: String
    /// May approve in every namespace (the `approver` role, or a SubjectAccessReview that allowed it
    /// without a namespace: a ClusterRoleBinding).
    public var canApprove: Bool
    /// Namespaces where a SubjectAccessReview allowed approving although `canApprove` is false
    /// (RoleBindings): the page asks for the namespaces of the held actions it shows.
    public var approvesIn: Set<String> = []

    public init(user: String, canApprove: Bool, approvesIn: Set<String> = []) {
        self.user = user
        self.canApprove = canApprove
        self.approvesIn = approvesIn
    }

    public func mayApprove(in namespace: String) -> Bool { canApprove || approvesIn.contains(namespace) }
}

/// Checks a bearer token: a static file in the mock setup, TokenReview + SubjectAccessReview in a cluster.
public protocol Authenticator: Sendable {
    /// nil when the token is unknown or invalid.
    func principal(for token: String, namespace: String?) async -> Principal?
}

/// `--console-token-file`: one `TOKEN USER ROLE` a line, role `viewer` or `approver`; `#` comments.
public struct StaticTokens: Authenticator {
    let table: [String: Principal]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case malformed(line: Int)
        case unknownRole(line: Int, role: String)

        // Never the token itself: the message ends up in logs.
        public var description: String {
            switch self {
            case .malformed(let line): "token file line \(line): expected TOKEN USER ROLE"
            case .unknownRole(let line, let role): "token file line \(line): role \(role) is not viewer or approver"
            }
        }
    }

    public init(parsing text: String) throws(Problem) {
        var table: [String: Principal] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 3 else { throw .malformed(line: index + 1) }
            let role = String(fields[2])
            guard role == "viewer" || role == "approver" else { throw .unknownRole(line: index + 1, role: role) }
            table[String(fields[0])] = Principal(user: String(fields[1]), canApprove: role == "approver")
        }
        self.table = table
    }

    public func principal(for token: String, namespace: String?) async -> Principal? { table[token] }
}

/// What the console serves; each route needs a different right.
public enum Route: Sendable, Equatable {
    case page, events, approve

    public var needsApprover: Bool { self == .approve }
}

public enum AccessDecision: Sendable, Equatable {
    case allow(Principal)
    /// 401: no token, or one nobody knows. Nothing else is said.
    case unauthenticated
    /// 403: known, but may not do this.
    case forbidden(Principal)
}

public enum Access {
    public static let cookieName = "hms_console_token"

    /// The token from `Authorization: Bearer`, else from the console's cookie (set by `?token=`, for
    /// browsers that cannot send headers on a plain link).
    public static func token(authorization: String?, cookie: String?) -> String? {
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : token
            }
            return nil
        }
        guard let cookie else { return nil }
        for pair in cookie.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == cookieName, !parts[1].isEmpty { return String(parts[1]) }
        }
        return nil
    }

    public static func decide(_ route: Route, principal: Principal?) -> AccessDecision {
        guard let principal else { return .unauthenticated }
        if route.needsApprover, !principal.canApprove { return .forbidden(principal) }
        return .allow(principal)
    }

    /// HttpOnly so scripts never read it; SameSite=Strict so another site cannot post the approve form
    /// with it (the forms' only CSRF defence besides the bearer header).
    public static func setCookie(token: String) -> String {
        "\(cookieName)=\(token); Path=/ops; HttpOnly; SameSite=Strict"
    }

    /// Tokens are opaque printable strings; anything else is refused before it reaches a cookie header.
    public static func isPlausibleToken(_ token: String) -> Bool {
        !token.isEmpty && token.count <= 4096 && token.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != ";" && $0 != "," }
    }
}

/// `application/x-www-form-urlencoded` bodies, as the approve and reject forms post them.
public enum Form {
    public static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(parts[0]) else { continue }
            fields[key] = parts.count == 2 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
