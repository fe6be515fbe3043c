import Foundation

/// Who a token belongs to, as the cluster (TokenReview) or the token file says.
public struct Identity: Sendable, Hashable {
    public var user: String
    public var groups: [String]

    public init(user: String, groups: [String] = []) {
        self.user = user
        self.groups = groups
    }
}

/// Who is asking and what they may do, worked out for one request.
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

/// What checking a token gave.
public enum TokenCheck: Sendable, Equatable {
    case valid(Identity)
    case invalid
    /// Too many unknown tokens lately: not checked at all (guessing is rate-limited).
    case throttled
}

/// Checks bearer tokens and the right to approve: a static file in the mock setup, TokenReview and
/// SubjectAccessReview in a cluster.
public protocol Authenticator: Sendable {
    func check(token: String, now: Date) async -> TokenCheck
    /// May `identity` approve held actions in `namespace` (nil: in every namespace)?
    func mayApprove(_ identity: Identity, namespace: String?, now: Date) async -> Bool
    /// Whether a session must have its token checked again now and then, because the issuer can
    /// revoke it (TokenReview); a token file is read once at start, so its sessions need not.
    var revalidatesTokens: Bool { get }
}

/// `--console-token-file`: one `TOKEN USER ROLE` a line, role `viewer` or `approver`; `#` comments.
public struct StaticTokens: Authenticator {
    /// The role, carried as a group of the identity so that a session needs nothing else.
    static let approverGroup = "hms-console:approvers"
    static let viewerGroup = "hms-console:viewers"

    let table: [String: Identity]

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
        var table: [String: Identity] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 3 else { throw .malformed(line: index + 1) }
            let role = String(fields[2])
            guard role == "viewer" || role == "approver" else { throw .unknownRole(line: index + 1, role: role) }
            table[String(fields[0])] = Identity(user: String(fields[1]), groups: [role == "approver" ? Self.approverGroup : Self.viewerGroup])
        }
        self.table = table
    }

    public func check(token: String, now: Date) async -> TokenCheck { table[token].map(TokenCheck.valid) ?? .invalid }

    public func mayApprove(_ identity: Identity, namespace: String?, now: Date) async -> Bool { identity.groups.contains(Self.approverGroup) }

    public var revalidatesTokens: Bool { false }
}

/// Why the console refused a request: the status, what the client is told, and the reason that
/// is logged (with the user and the action, never a token).
public enum Refusal: Error, Sendable, Equatable {
    case noCredentials
    case unknownToken
    case sessionEnded
    case throttled
    case mayNotApprove
    case crossOrigin
    case missingCSRFToken
    case badCSRFToken
    case unsupportedMediaType
    case tooManyStreams

    public var status: Int {
        switch self {
        case .noCredentials, .unknownToken, .sessionEnded: 401
        case .mayNotApprove, .crossOrigin, .missingCSRFToken, .badCSRFToken: 403
        case .unsupportedMediaType: 415
        case .throttled, .tooManyStreams: 429
        }
    }

    /// Refused for the credential (none, unknown, ended, or not checked now), not for what it asked.
    public var isAboutCredentials: Bool {
        switch self {
        case .noCredentials, .unknownToken, .sessionEnded, .throttled: true
        case .mayNotApprove, .crossOrigin, .missingCSRFToken, .badCSRFToken, .unsupportedMediaType, .tooManyStreams: false
        }
    }

    /// Said to the client: no more than it needs (401s do not say whether a token exists).
    public var message: String {
        switch self {
        case .noCredentials, .unknownToken, .sessionEnded: "sign in at /ops/login, or send a bearer token"
        case .throttled: "too many sign-in attempts; try again shortly"
        case .mayNotApprove: "you may view, not approve"
        case .crossOrigin: "refused: the request did not come from the console's own page"
        case .missingCSRFToken, .badCSRFToken: "refused: the form is stale or forged; reload the page"
        case .unsupportedMediaType: "only application/x-www-form-urlencoded bodies are accepted"
        case .tooManyStreams: "too many live views open; close one"
        }
    }

    /// Logged.
    public var reason: String {
        switch self {
        case .noCredentials: "no credentials"
        case .unknownToken: "token not accepted"
        case .sessionEnded: "no such session, or it expired"
        case .throttled: "token checks rate-limited"
        case .mayNotApprove: "not an approver"
        case .crossOrigin: "cross-origin request"
        case .missingCSRFToken: "no CSRF token"
        case .badCSRFToken: "wrong CSRF token"
        case .unsupportedMediaType: "unsupported body media type"
        case .tooManyStreams: "event stream cap reached"
        }
    }
}

public enum Access {
    /// The bearer token of an `Authorization` header; nil when there is none or it is not Bearer.
    public static func bearerToken(authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// A cookie's value from a `Cookie` header.
    public static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return String(parts[1]) }
        }
        return nil
    }

    /// Tokens are opaque printable strings of bounded length; anything else is not even checked.
    public static func isPlausibleToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 4096 && token.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f }
    }

    /// Whether a state-changing request comes from the console's own page. Browsers send
    /// `Sec-Fetch-Site` (trusted when present: a script cannot set it) and `Origin` on every POST;
    /// a request with neither is not from a browser's form, and a cookie alone never vouches for it.
    /// `host` is the request's Host header: the origin's host and port must be it.
    public static func isSameOrigin(secFetchSite: String?, origin: String?, host: String?) -> Bool {
        if let secFetchSite { return secFetchSite.lowercased() == "same-origin" }
        guard let origin, let host, !host.isEmpty,
            let url = URLComponents(string: origin), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var originHost = url.host, url.path.isEmpty, url.query == nil
        else { return false }
        if originHost.contains(":"), !originHost.hasPrefix("[") { originHost = "[\(originHost)]" }
        let defaultPort = scheme == "https" ? 443 : 80
        let authority = originHost.lowercased() + ((url.port ?? defaultPort) == defaultPort ? "" : ":\(url.port!)")
        let expected = host.lowercased()
        return authority == expected || (url.port == nil && expected == "\(originHost.lowercased()):\(defaultPort)")
    }

    /// The body's media type is a form's (parameters such as charset aside).
    public static func isForm(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/x-www-form-urlencoded"
    }
}

/// `application/x-www-form-urlencoded` bodies, as the console's forms post them.
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
