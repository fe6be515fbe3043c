import Controller
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Model
import ServiceLifecycle

/// The ops console over HTTP:
/// - `GET /ops/login`, `POST /ops/login` (a form with the token), `POST /ops/logout`: sessions;
/// - `GET /ops`: the page; `GET /ops/events`: server-sent events, one per pass;
/// - `POST /ops/approve`, `POST /ops/reject`: forms that write Approvals;
/// - `GET /ops/static/console.css|js`: the page's style and script.
/// Every other request needs a session cookie or an `Authorization: Bearer` token. A form posted
/// with the session cookie must come from the console's own origin and carry the session's CSRF
/// token; a bearer client sends no ambient credential, so it needs neither.
public struct ConsoleServer: Sendable {
    let loop: ControllerLoop
    let cluster: ClusterAccess
    let journal: JournalTailCache
    let authenticator: any Authenticator
    let logger: Logger
    /// Served over TLS: the cookie takes `Secure` and the `__Host-` prefix.
    let secure: Bool
    let sessions: SessionStore
    let streams: StreamSlots
    /// The controller's clock (the hidden clock offset moves it).
    let clock: WallClock

    func now() -> Date { clock.now() }

    public init(loop: ControllerLoop, cluster: ClusterAccess, journal: JournalTailCache, authenticator: any Authenticator, logger: Logger,
                secure: Bool = false, sessions: SessionStore = SessionStore(), streams: StreamSlots = StreamSlots(total: 64),
                clock: WallClock = .system) {
        self.loop = loop
        self.cluster = cluster
        self.journal = journal
        self.authenticator = authenticator
        self.logger = logger
        self.secure = secure
        self.sessions = sessions
        self.streams = streams
        self.clock = clock
    }

    var cookie: SessionCookie { SessionCookie(secure: secure) }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.get("/ops/login") { _, _ in Self.html(Page.signIn()) }
        router.post("/ops/login") { request, _ in try await signIn(request) }
        router.post("/ops/logout") { request, _ in try await signOut(request) }
        router.get("/ops") { request, _ in try await page(request) }
        router.get("/ops/events") { request, _ in await events(request) }
        router.post("/ops/approve") { request, _ in try await decide(request, .approve) }
        router.post("/ops/reject") { request, _ in try await decide(request, .reject) }
        router.get(RouterPath(Assets.stylePath)) { _, _ in Self.asset(Assets.style, type: "text/css; charset=utf-8") }
        router.get(RouterPath(Assets.scriptPath)) { _, _ in Self.asset(Assets.script, type: "text/javascript; charset=utf-8") }
        return router
    }

    // MARK: - Who asks

    /// Who sent a request, and by which credential.
    struct Caller {
        var identity: Identity
        /// nil for a bearer-token client.
        var session: Session?

        /// What the event-stream cap counts by.
        var streamKey: String { session.map { "session:" + $0.id } ?? "user:" + identity.user }
    }

    /// The bearer token wins over the cookie: it is what a non-browser client sends on purpose.
    func caller(_ request: Request) async -> Result<Caller, Refusal> {
        if request.headers[.authorization] != nil {
            guard let token = Access.bearerToken(authorization: request.headers[.authorization]), Access.isPlausibleToken(token) else {
                return .failure(.unknownToken)
            }
            switch await authenticator.check(token: token, now: now()) {
            case .valid(let identity): return .success(Caller(identity: identity, session: nil))
            case .invalid: return .failure(.unknownToken)
            case .throttled: return .failure(.throttled)
            }
        }
        guard let id = Access.cookie(cookie.name, in: request.headers[.cookie]) else { return .failure(.noCredentials) }
        // The live page's own refreshes are not activity: an open tab must not keep a session alive.
        let activity = request.headers[Self.backgroundHeader] == nil
        switch sessions.lookup(id, now: now(), activity: activity) {
        case .none: return .failure(.sessionEnded)
        case .active(let session): return .success(Caller(identity: session.identity, session: session))
        case .recheck(let session, let token):
            // TokenReview mode: a revoked token ends the session within `recheck`.
            guard case .valid(let identity) = await authenticator.check(token: token, now: now()), identity == session.identity,
                let session = sessions.revalidated(id, now: now())
            else {
                sessions.end(id)
                return .failure(.sessionEnded)
            }
            return .success(Caller(identity: session.identity, session: session))
        }
    }

    func principal(_ identity: Identity) async -> Principal {
        Principal(user: identity.user, canApprove: await authenticator.mayApprove(identity, namespace: nil, now: now()))
    }

    /// Forms take only form bodies. One a browser posts (signing in, or with the session cookie)
    /// must come from the console's own origin, and with a session carry its CSRF token. A bearer
    /// client has no ambient credential a forged request could use, so the media type is all it needs.
    func checkForm(_ request: Request, by caller: Caller?, fields: [String: String]) -> Refusal? {
        let isForm = Access.isForm(contentType: request.headers[.contentType])
        if let caller, caller.session == nil { return isForm ? nil : .unsupportedMediaType }
        guard Access.isSameOrigin(secFetchSite: request.headers[Self.secFetchSite], origin: request.headers[.origin], host: Self.host(request)) else {
            return .crossOrigin
        }
        guard isForm else { return .unsupportedMediaType }
        guard let session = caller?.session else { return nil }
        guard let token = fields["csrf"], !token.isEmpty else { return .missingCSRFToken }
        return SessionStore.constantTimeEqual(token, session.csrfToken) ? nil : .badCSRFToken
    }

    // MARK: - Routes

    /// The token in a POST body; checked, then a session. A cross-site page cannot sign a browser
    /// in (as someone else): the same-origin rule holds here too.
    func signIn(_ request: Request) async throws -> Response {
        let fields = Form.parse(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        if let refusal = checkForm(request, by: nil, fields: fields) { return refuse(refusal, request) }
        guard let token = fields["token"]?.trimmingCharacters(in: .whitespacesAndNewlines), Access.isPlausibleToken(token) else {
            return refuse(.unknownToken, request, page: Page.signIn(message: "That token was not accepted."))
        }
        switch await authenticator.check(token: token, now: now()) {
        case .invalid: return refuse(.unknownToken, request, page: Page.signIn(message: "That token was not accepted."))
        case .throttled: return refuse(.throttled, request, page: Page.signIn(message: Refusal.throttled.message))
        case .valid(let identity):
            // A session already in this browser ends: signing in never inherits one.
            if let old = Access.cookie(cookie.name, in: request.headers[.cookie]) { sessions.end(old) }
            let session = sessions.create(identity, token: authenticator.revalidatesTokens ? token : nil, now: now())
            logger.notice("console: signed in", metadata: ["user": "\(identity.user)"])
            var headers = HTTPFields()
            headers[.setCookie] = cookie.set(session.id)
            headers[.location] = "/ops"
            return Response(status: .seeOther, headers: headers)
        }
    }

    func signOut(_ request: Request) async throws -> Response {
        let fields = Form.parse(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        let caller: Caller
        switch await self.caller(request) {
        case .failure(let refusal): return refuse(refusal, request)
        case .success(let found): caller = found
        }
        if let refusal = checkForm(request, by: caller, fields: fields) { return refuse(refusal, request, user: caller.identity.user) }
        if let session = caller.session { sessions.end(session.id) }
        logger.notice("console: signed out", metadata: ["user": "\(caller.identity.user)"])
        var headers = HTTPFields()
        headers[.setCookie] = cookie.clear
        headers[.location] = "/ops/login"
        return Response(status: .seeOther, headers: headers)
    }

    func page(_ request: Request) async throws -> Response {
        let caller: Caller
        switch await self.caller(request) {
        case .failure(let refusal):
            // A browser gets the sign-in form with its 401; other clients a line of text.
            let wantsHTML = request.headers[.accept]?.contains("text/html") == true
            return refuse(refusal, request, page: wantsHTML ? Page.signIn() : nil)
        case .success(let found): caller = found
        }
        var principal = await principal(caller.identity)
        let snapshot = loop.snapshot
        // Not an approver everywhere: perhaps in the namespaces of the actions that wait (RoleBindings).
        if !principal.canApprove {
            for namespace in Set((snapshot?.held ?? []).map(\.source.namespace)).sorted()
            where await authenticator.mayApprove(caller.identity, namespace: namespace, now: now()) {
                principal.approvesIn.insert(namespace)
            }
        }
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { _, last in last })
        let entries = (try? journal.tail()) ?? []
        let notice = query["done"].flatMap { done -> String? in
            guard let id = query["id"], ApprovalObject.isActionID(id), done == "approve" || done == "reject" else { return nil }
            return "\(done == "approve" ? "Approval" : "Rejection") of \(id) written; the next reconcile pass carries it out."
        }
        let html = Page.render(snapshot: snapshot, journal: entries, filter: JournalFilter(query: query, now: now()), viewer: principal, notice: notice,
                               csrfToken: caller.session?.csrfToken)
        return Self.html(html)
    }

    /// One `pass` event whenever a new reconcile pass completed; polls the snapshot, which is cheap.
    /// A few streams per session (tabs) and a bounded number overall.
    func events(_ request: Request) async -> Response {
        let caller: Caller
        switch await self.caller(request) {
        case .failure(let refusal): return refuse(refusal, request)
        case .success(let found): caller = found
        }
        let key = caller.streamKey
        guard streams.acquire(key) else { return refuse(.tooManyStreams, request, user: caller.identity.user) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let loop = loop
        let streams = streams
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { streams.release(key) }
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
        let fields = Form.parse(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        // Authenticate before saying anything about the action.
        let caller: Caller
        switch await self.caller(request) {
        case .failure(let refusal): return refuse(refusal, request)
        case .success(let found): caller = found
        }
        let user = caller.identity.user
        if let refusal = checkForm(request, by: caller, fields: fields) { return refuse(refusal, request, user: user, actionID: fields["id"]) }
        guard let id = fields["id"], ApprovalObject.isActionID(id) else { return Self.text(.badRequest, "not an action id") }
        let action = loop.snapshot?.held.first { $0.id == id }
        guard await authenticator.mayApprove(caller.identity, namespace: action?.source.namespace, now: now()) else {
            return refuse(.mayNotApprove, request, user: user, actionID: id)
        }
        guard let action else { return Self.text(.notFound, "no held action \(id) in the latest plan") }
        let minutes = decision == .approve ? 60 : 24 * 60
        let approval = ApprovalObject.make(id: id, decision: decision, by: user, expires: now().addingTimeInterval(TimeInterval(minutes * 60)),
                                           comment: "from the ops console", namespace: action.source.namespace)
        do {
            try await cluster.apply(approval, .of(Approval.self))
        } catch {
            logger.error("console: writing the approval failed", metadata: ["action.id": "\(id)", "user": "\(user)", "error": "\(error)"])
            return Self.text(.badGateway, "the cluster refused the Approval; see the controller log")
        }
        logger.notice("console: \(decision.rawValue)", metadata: ["action.id": "\(id)", "user": "\(user)", "namespace": "\(action.source.namespace)"])
        var headers = HTTPFields()
        headers[.location] = "/ops?done=\(decision.rawValue)&id=\(id)"
        return Response(status: .seeOther, headers: headers)
    }

    // MARK: - Answers

    /// Logs the refusal (who, which action, why; never a token) and answers it.
    func refuse(_ refusal: Refusal, _ request: Request, user: String? = nil, actionID: String? = nil, page: String? = nil) -> Response {
        var metadata: Logger.Metadata = ["status": "\(refusal.status)", "reason": "\(refusal.reason)", "method": "\(request.method)", "path": "\(request.uri.path)"]
        if let user { metadata["user"] = "\(user)" }
        if let actionID, ApprovalObject.isActionID(actionID) { metadata["action.id"] = "\(actionID)" }
        logger.warning("console: refused", metadata: metadata)
        let status = HTTPResponse.Status(code: refusal.status)
        var response = page.map { Self.html($0, status: status) } ?? Self.text(status, refusal.message)
        if refusal.status == 401 { response.headers[.wwwAuthenticate] = "Bearer realm=\"hms-console\"" }
        if refusal == .sessionEnded { response.headers[.setCookie] = cookie.clear }
        return response
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    /// Sent by the page's script when it refreshes itself.
    static let backgroundHeader = HTTPField.Name("X-HMS-Background")!

    static func host(_ request: Request) -> String? { request.head.authority }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Headers every console answer carries, error pages included: no script or style but the
/// console's own files, no framing, no sniffing, no referrer, nothing cached.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; "
            + "base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
