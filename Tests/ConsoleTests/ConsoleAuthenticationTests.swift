@testable import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Model
import TestSupport
import Testing

/// The authentication middleware and the refusal answers, in process: who gets the sign-in form,
/// what an ended or revoked session gets, and that nothing is read before the caller is known.
@Suite(.tags(.unit)) struct ConsoleAuthenticationTests {
    static let signInForm = #"<form method="post" action="/ops/login""#
    let alice = Identity(user: "alice", groups: ["ops"])

    @Test func onlyThePageAnswersABrowserWithTheSignInForm() async throws {
        try await ConsoleServerTests.application().test(.router) { client in
            try await client.execute(uri: "/ops", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains(Self.signInForm))
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="hms-console""#)
            }
            try await client.execute(uri: "/ops/events", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body) == "sign in at /ops/login, or send a bearer token\n")
            }
        }
    }

    @Test func anEndedSessionIsRefusedAndItsCookieCleared() async throws {
        try await ConsoleServerTests.application().test(.router) { client in
            let cookie = "hms_console_session=" + String(repeating: "ab", count: 32)
            try await client.execute(uri: "/ops", method: .get, headers: [.cookie: cookie, .accept: "text/html"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie]?.hasSuffix("Max-Age=0") == true)
                #expect(String(buffer: response.body).contains(Self.signInForm))
            }
        }
    }

    @Test func theCallerIsKnownBeforeTheBodyIsRead() async throws {
        // Larger than any form the console reads: a stranger is told 401, not how large a body may be.
        let body = ByteBuffer(string: "id=act-0000000000000000&c=" + String(repeating: "x", count: 20 * 1024))
        try await ConsoleServerTests.application().test(.router) { client in
            for uri in ["/ops/approve", "/ops/logout"] {
                try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: body) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                }
            }
        }
    }

    @Test func aRevokedTokenEndsItsSessionAtTheNextRecheck() async throws {
        let reviewer = TableReviewer(tokens: ["t-alice": alice])
        let time = ManualClock()
        let app = try ConsoleServerTests.application(authenticator: ReviewAuthenticator(reviewer: reviewer), clock: time.clock)
        try await app.test(.router) { client in
            let (headers, body) = ConsoleServerTests.form("token=t-alice")
            let cookie = try await client.execute(uri: "/ops/login", method: .post, headers: headers, body: body) { response in
                String(response.headers[.setCookie]?.split(separator: ";").first ?? "")
            }
            reviewer.revoke("t-alice")
            time.advance(4 * 60)
            try await client.execute(uri: "/ops", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            time.advance(60)
            try await client.execute(uri: "/ops", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie]?.hasSuffix("Max-Age=0") == true)
            }
            // Gone on the server: the token is not asked about again.
            let reviews = reviewer.tokenReviews
            try await client.execute(uri: "/ops", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .unauthorized) }
            #expect(reviewer.tokenReviews == reviews)
        }
    }

    @Test func rateLimitedTokenChecksAre429AndABrowserStillGetsTheForm() async throws {
        let authenticator = ReviewAuthenticator(reviewer: TableReviewer(tokens: [:]), reviewsPerSecond: 0.001, burst: 1)
        try await ConsoleServerTests.application(authenticator: authenticator).test(.router) { client in
            try await client.execute(uri: "/ops", method: .get, headers: [.authorization: "Bearer guess-1"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/ops", method: .get, headers: [.authorization: "Bearer guess-2"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(String(buffer: response.body) == "too many sign-in attempts; try again shortly\n")
            }
            try await client.execute(uri: "/ops", method: .get, headers: [.authorization: "Bearer guess-3", .accept: "text/html"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(String(buffer: response.body).contains(Self.signInForm))
            }
        }
    }

    @Test func refusalsAreLoggedWithTheUserAndTheReasonNeverTheToken() async throws {
        let logs = CapturedLogs()
        try await ConsoleServerTests.application(logs: logs).test(.router) { client in
            let (cookie, csrf) = try await ConsoleServerTests.signIn(client)
            let (headers, body) = ConsoleServerTests.form("id=act-0123456789abcdef&csrf=\(csrf)", origin: "http://evil.example", cookie: cookie)
            try await client.execute(uri: "/ops/reject", method: .post, headers: headers, body: body) { #expect($0.status == .forbidden) }
        }
        let refused = logs.lines.filter { $0.message == "console: refused" }
        #expect(refused.map(\.metadata) == [[
            "status": "403", "reason": "cross-origin request", "method": "POST", "path": "/ops/reject", "user": "alice", "action.id": "act-0123456789abcdef",
        ]])
        #expect(!logs.text.contains(ConsoleServerTests.approverToken))
    }

    @Test func theRoutesMountBesideAnotherApplicationsOwn() async throws {
        let console = try ConsoleServerTests.server()
        let router = Router(context: ConsoleRequestContext.self)
        router.get("/healthz") { _, _ in "ok" }
        console.addRoutes(to: router.group("/ops"))
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ops/login", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ops", method: .get, headers: [.authorization: "Bearer \(ConsoleServerTests.approverToken)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Signed in as <strong>alice</strong> (approver)"))
            }
        }
    }
}
