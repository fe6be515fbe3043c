import Console
import Controller
import Foundation
import Hummingbird
import Logging
import Model
import ServiceLifecycle

/// The ops console over HTTP: `/ops` (the page), `/ops/events` (server-sent events, one per pass),
/// `/ops/approve` and `/ops/reject` (forms that write Approvals). Every request needs a bearer token,
/// in the Authorization header or in the cookie that a first `GET /ops?token=` sets.
struct ConsoleServer {
    let loop: ControllerLoop
    let cluster: ClusterAccess
    let journal: JournalTailCache
    let authenticator: any Authenticator
    let logger: Logger

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/ops") { request, _ in try await page(request) }
        router.get("/ops/events") { request, _ in await events(request) }
        router.post("/ops/approve") { request, _ in try await decide(request, .approve) }
        router.post("/ops/reject") { request, _ in try await decide(request, .reject) }
        return router
    }

    func token(_ request: Request) -> String? {
        Access.token(authorization: request.headers[.authorization], cookie: request.headers[.cookie])
    }

    func authorize(_ request: Request, _ route: Route, namespace: String? = nil) async -> AccessDecision {
        let principal: Principal? = if let token = token(request) { await authenticator.principal(for: token, namespace: namespace) } else { nil }
        return Access.decide(route, principal: principal)
    }

    func page(_ request: Request) async throws -> Response {
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { _, last in last })
        // `?token=` once: check it, keep it in an HttpOnly cookie, and send the browser to a URL without it.
        if let token = query["token"] {
            guard Access.isPlausibleToken(token), await authenticator.principal(for: token, namespace: nil) != nil else { return Self.unauthorized() }
            var headers = HTTPFields()
            headers[.setCookie] = Access.setCookie(token: token)
            headers[.location] = "/ops"
            return Response(status: .seeOther, headers: headers)
        }
        guard case .allow(var principal) = await authorize(request, .page) else { return Self.unauthorized() }
        let snapshot = loop.snapshot
        // Not an approver everywhere: perhaps in the namespaces of the actions that wait (RoleBindings).
        if !principal.canApprove, let token = token(request) {
            for namespace in Set((snapshot?.held ?? []).map(\.source.namespace)).sorted()
            where await authenticator.principal(for: token, namespace: namespace)?.canApprove == true {
                principal.approvesIn.insert(namespace)
            }
        }
        let entries = (try? journal.tail()) ?? []
        let notice = query["done"].flatMap { done -> String? in
            guard let id = query["id"], ApprovalObject.isActionID(id), done == "approve" || done == "reject" else { return nil }
            return "\(done == "approve" ? "Approval" : "Rejection") of \(id) written; the next reconcile pass carries it out."
        }
        let html = Page.render(snapshot: snapshot, journal: entries, filter: JournalFilter(query: query), viewer: principal, notice: notice)
        return Self.html(html)
    }

    /// One `pass` event whenever a new reconcile pass completed; polls the snapshot, which is cheap.
    func events(_ request: Request) async -> Response {
        guard case .allow = await authorize(request, .events) else { return Self.unauthorized() }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let loop = loop
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var seen = loop.snapshot?.number ?? 0
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            // Ends on SIGTERM too: an open page must not hold up the controller's graceful stop.
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                try await Task.sleep(for: .milliseconds(250))
                let number = loop.snapshot?.number ?? 0
                if number != seen {
                    seen = number
                    try await writer.write(ByteBuffer(string: "event: pass\ndata: \(number)\n\n"))
                }
            }
            try await writer.finish(nil)
        })
    }

    func decide(_ request: Request, _ decision: Approval.Decision) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form = Form.parse(String(buffer: body))
        guard let id = form["id"], ApprovalObject.isActionID(id) else { return Self.text(.badRequest, "not an action id") }
        // Authenticate before saying anything about the action.
        guard token(request) != nil else { return Self.unauthorized() }
        let action = loop.snapshot?.held.first { $0.id == id }
        switch await authorize(request, .approve, namespace: action?.source.namespace) {
        case .unauthenticated: return Self.unauthorized()
        case .forbidden: return Self.text(.forbidden, "you may view, not approve")
        case .allow(let principal):
            guard let action else { return Self.text(.notFound, "no held action \(id) in the latest plan") }
            let minutes = decision == .approve ? 60 : 24 * 60
            let approval = ApprovalObject.make(id: id, decision: decision, by: principal.user, expires: Date().addingTimeInterval(TimeInterval(minutes * 60)),
                                               comment: "from the ops console", namespace: action.source.namespace)
            do {
                try await cluster.apply(approval, .of(Approval.self))
            } catch {
                logger.error("console: writing the approval failed", metadata: ["action.id": "\(id)", "error": "\(error)"])
                return Self.text(.badGateway, "the cluster refused the Approval; see the controller log")
            }
            logger.notice("console: \(decision.rawValue)", metadata: ["action.id": "\(id)", "user": "\(principal.user)"])
            var headers = HTTPFields()
            headers[.location] = "/ops?done=\(decision.rawValue)&id=\(id)"
            return Response(status: .seeOther, headers: headers)
        }
    }

    static func html(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// No data at all without a valid token: not even whether a pass ran.
    static func unauthorized() -> Response {
        var response = text(.unauthorized, "a bearer token is required")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"hms-console\""
        return response
    }
}
