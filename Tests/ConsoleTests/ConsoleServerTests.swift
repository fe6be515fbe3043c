@testable import Console
import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kube
import Logging
import Model
import TestSupport
import Testing

/// The console's routes in process (HummingbirdTesting's router mode, Host `localhost`): sessions,
/// the CSRF defences, refusals and the security headers, without a cluster or a socket.
@Suite(.tags(.unit)) struct ConsoleServerTests {
    static let approverToken = "t-approver-0123456789"
    static let origin = "http://localhost"

    /// The console with a token file (alice approves), or `authenticator`; on `clock`, logging to `logs`.
    static func application(authenticator: (any Authenticator)? = nil, clock: WallClock = ManualClock().clock,
                            logs: CapturedLogs = CapturedLogs()) throws -> some ApplicationProtocol {
        Application(router: try server(authenticator: authenticator, clock: clock, logs: logs).router())
    }

    static func server(authenticator: (any Authenticator)? = nil, clock: WallClock = ManualClock().clock,
                       logs: CapturedLogs = CapturedLogs()) throws -> ConsoleServer {
        let logger = logs.logger
        // Nothing listens there: no request of these tests reaches the cluster.
        let cluster = ClusterAccess(client: try KubeClient(config: ClientConfig(server: "http://127.0.0.1:9"), logger: logger), fieldManager: "test")
        let loop = ControllerLoop(cluster: cluster, journal: nil, elector: nil, identity: "test", settings: .init(), logger: logger)
        let journal = JournalTailCache(journal: Journal(path: FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID()).jsonl").path))
        let tokens = try authenticator ?? StaticTokens(parsing: "\(approverToken) alice approver\n")
        return ConsoleServer(loop: loop, cluster: cluster, journal: journal, authenticator: tokens, logger: logger, clock: clock)
    }

    func application() throws -> some ApplicationProtocol { try Self.application() }

    static func form(_ body: String, origin: String? = ConsoleServerTests.origin, cookie: String? = nil,
                     contentType: String = "application/x-www-form-urlencoded") -> (HTTPFields, ByteBuffer) {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let origin { headers[.origin] = origin }
        if let cookie { headers[.cookie] = cookie }
        return (headers, ByteBuffer(string: body))
    }

    /// Signs in with the form; the session cookie (`name=value`) and the page's CSRF token.
    static func signIn(_ client: some TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        let (headers, body) = form("token=\(approverToken)")
        let cookie = try await client.execute(uri: "/ops/login", method: .post, headers: headers, body: body) { response in
            #expect(response.status == .seeOther && response.headers[.location] == "/ops")
            return String(response.headers[.setCookie]?.split(separator: ";").first ?? "")
        }
        let page = try await client.execute(uri: "/ops", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
        let csrf = page.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/).map { String($0.1) } ?? ""
        return (cookie, csrf)
    }

    @Test func withoutCredentialsEveryRouteIs401WithTheSecurityHeaders() async throws {
        try await application().test(.router) { client in
            for (uri, method) in [("/ops", HTTPRequest.Method.get), ("/ops/events", .get), ("/ops/approve", .post), ("/ops/logout", .post)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                }
            }
            // A link with a valid token signs nobody in.
            try await client.execute(uri: "/ops?token=\(Self.approverToken)", method: .get) { response in
                #expect(response.status == .unauthorized && response.headers[.setCookie] == nil)
            }
        }
    }

    @Test func signingInNeedsTheConsolesOriginAndGivesASessionNotTheToken() async throws {
        try await application().test(.router) { client in
            for origin in ["http://evil.example", "http://localhost:8080", nil] {
                let (headers, body) = Self.form("token=\(Self.approverToken)", origin: origin)
                try await client.execute(uri: "/ops/login", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .forbidden, "origin \(origin ?? "none")")
                }
            }
            let (wrongHeaders, wrongBody) = Self.form("token=wrong")
            try await client.execute(uri: "/ops/login", method: .post, headers: wrongHeaders, body: wrongBody) { response in
                #expect(response.status == .unauthorized)
            }
            let (cookie, csrf) = try await Self.signIn(client)
            #expect(cookie.hasPrefix("hms_console_session=") && !cookie.contains(Self.approverToken))
            #expect(csrf.count == 64)
        }
    }

    @Test func formsWithTheCookieNeedTheOriginAndTheCSRFToken() async throws {
        try await application().test(.router) { client in
            let (cookie, csrf) = try await Self.signIn(client)
            let cases: [(String, String?, String, HTTPResponse.Status)] = [
                ("a cross-site text/plain post", "http://evil.example", "text/plain", .forbidden),
                ("another origin with the right token", "http://evil.example", "application/x-www-form-urlencoded", .forbidden),
                ("no origin at all", nil, "application/x-www-form-urlencoded", .forbidden),
                ("text/plain from the console", Self.origin, "text/plain", .unsupportedMediaType),
            ]
            for (name, origin, type, status) in cases {
                let (headers, body) = Self.form("id=act-0000000000000000&csrf=\(csrf)", origin: origin, cookie: cookie, contentType: type)
                try await client.execute(uri: "/ops/reject", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status, "\(name)")
                }
            }
            for (name, token) in [("no CSRF token", ""), ("a wrong CSRF token", String(repeating: "0", count: 64))] {
                let (headers, body) = Self.form("id=act-0000000000000000&csrf=\(token)", cookie: cookie)
                try await client.execute(uri: "/ops/reject", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .forbidden, "\(name)")
                }
            }
            // Past every check: there is no such held action.
            let (headers, body) = Self.form("id=act-0000000000000000&csrf=\(csrf)", cookie: cookie)
            try await client.execute(uri: "/ops/reject", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func signingOutEndsTheSessionOnTheServer() async throws {
        try await application().test(.router) { client in
            let (cookie, csrf) = try await Self.signIn(client)
            let (headers, body) = Self.form("csrf=\(csrf)", cookie: cookie)
            try await client.execute(uri: "/ops/logout", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther && response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/ops", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func aBearerClientNeedsNoCSRFTokenButAFormBody() async throws {
        try await application().test(.router) { client in
            var headers: HTTPFields = [.authorization: "Bearer \(Self.approverToken)", .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/ops/approve", method: .post, headers: headers, body: ByteBuffer(string: "id=act-0000000000000000")) { response in
                #expect(response.status == .notFound)
            }
            headers[.contentType] = "text/plain"
            try await client.execute(uri: "/ops/approve", method: .post, headers: headers, body: ByteBuffer(string: "id=act-0000000000000000")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }
}
