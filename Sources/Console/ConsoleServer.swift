import Controller
import Foundation
import HTTPTypes
import Hummingbird
import Kube
import Logging
import Model
import Planner
import ServiceLifecycle

/// The ops console over HTTP, its routes under `/ops`:
/// - `GET /ops/login`, `POST /ops/login` (a form with the token), `POST /ops/logout`: sessions;
/// - `GET /ops`: the page; `GET /ops/events`: server-sent events, one per pass;
/// - `POST /ops/approve`, `POST /ops/reject`: forms that write Approvals;
/// - `GET /ops/static/console.css|js`: the page's style and script.
/// Every other route needs a caller: `ConsoleAuthenticator` takes a session cookie or an
/// `Authorization: Bearer` token. A form posted with the session cookie must come from the
/// console's own origin and carry the session's CSRF token; a bearer client sends no ambient
/// credential, so it needs neither. Refusals are answered by `RefusalAnswers`.
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

    public init(loop: ControllerLoop, cluster: ClusterAccess, journal: JournalTailCache, authenticator: any Authenticator, logger: Logger,
                secure: Bool = false, sessions: SessionStore = SessionStore(), streams: StreamSlots = StreamSlots(total: 64),
                clock: WallClock) {
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

    /// A router with the console at `/ops`, and the security headers on every answer (404s too).
    public func router() -> Router<ConsoleRequestContext> {
        let router = Router(context: ConsoleRequestContext.self)
        router.add(middleware: SecurityHeaders())
        addRoutes(to: router.group("/ops"))
        return router
    }

    /// The console's routes, below `ops` (the group for `/ops`).
    public func addRoutes(to ops: RouterGroup<ConsoleRequestContext>) {
        ops.add(middleware: RefusalAnswers(cookie: cookie, logger: logger))
        ops.get("login") { _, _ in Self.html(Page.signIn()) }
        ops.post("login") { request, _ in try await signIn(request) }
        ops.get(RouterPath(Assets.styleFile)) { _, _ in Self.asset(Assets.style, type: "text/css; charset=utf-8") }
        ops.get(RouterPath(Assets.scriptFile)) { _, _ in Self.asset(Assets.script, type: "text/javascript; charset=utf-8") }

        let authentication = ConsoleAuthenticator(authenticator: authenticator, sessions: sessions, cookie: cookie, clock: clock)
        // The form wraps authentication: a browser whose credential was refused gets it too.
        ops.group().add(middleware: SignInFormForBrowsers()).add(middleware: authentication).get { request, context in try await page(request, context) }
        let signedIn = ops.group().add(middleware: authentication)
        signedIn.get("events") { _, context in try events(context) }
        signedIn.post("logout") { request, context in try await signOut(request, context) }
        signedIn.post("approve") { request, context in try await decide(request, context, .approve) }
        signedIn.post("reject") { request, context in try await decide(request, context, .reject) }
    }

    /// What `caller` may do on the page: approve everywhere, or else perhaps in the namespaces of
    /// the actions that wait (RoleBindings).
    func principal(_ caller: Caller, held: [Action]) async -> Principal {
        let now = clock.now()
        var principal = Principal(user: caller.identity.user, canApprove: await authenticator.mayApprove(caller.identity, namespace: nil, now: now))
        guard !principal.canApprove else { return principal }
        for namespace in Set(held.map(\.source.namespace)).sorted() where await authenticator.mayApprove(caller.identity, namespace: namespace, now: now) {
            principal.approvesIn.insert(namespace)
        }
        return principal
    }

    /// Forms take only form bodies. One a browser posts (signing in, or with the session cookie)
    /// must come from the console's own origin, and with a session carry its CSRF token. A bearer
    /// client has no ambient credential a forged request could use, so the media type is all it needs.
    func checkForm(_ request: Request, by caller: Caller?, fields: [String: String]) -> Refusal? {
        let isForm = Access.isForm(contentType: request.headers[.contentType])
        if let caller, caller.session == nil { return isForm ? nil : .unsupportedMediaType }
        guard Access.isSameOrigin(secFetchSite: request.headers[Self.secFetchSite], origin: request.headers[.origin], host: request.head.authority) else {
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
        let fields = try await Self.formFields(request)
        if let refusal = checkForm(request, by: nil, fields: fields) { throw Refused(refusal) }
        guard let token = fields["token"]?.trimmingCharacters(in: .whitespacesAndNewlines), Access.isPlausibleToken(token) else {
            throw Refused(.unknownToken, page: Page.signIn(message: "That token was not accepted."))
        }
        switch await authenticator.check(token: token, now: clock.now()) {
        case .invalid: throw Refused(.unknownToken, page: Page.signIn(message: "That token was not accepted."))
        case .throttled: throw Refused(.throttled, page: Page.signIn(message: Refusal.throttled.message))
        case .valid(let identity):
            // A session already in this browser ends: signing in never inherits one.
            if let old = Access.cookie(cookie.name, in: request.headers[.cookie]) { sessions.end(old) }
            let session = sessions.create(identity, token: authenticator.revalidatesTokens ? token : nil, now: clock.now())
            logger.notice("console: signed in", metadata: ["user": "\(identity.user)"])
            var headers = HTTPFields()
            headers[.setCookie] = cookie.set(session.id)
            headers[.location] = "/ops"
            return Response(status: .seeOther, headers: headers)
        }
    }

    func signOut(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let fields = try await Self.formFields(request)
        if let refusal = checkForm(request, by: caller, fields: fields) { throw Refused(refusal, user: caller.identity.user) }
        if let session = caller.session { sessions.end(session.id) }
        logger.notice("console: signed out", metadata: ["user": "\(caller.identity.user)"])
        var headers = HTTPFields()
        headers[.setCookie] = cookie.clear
        headers[.location] = "/ops/login"
        return Response(status: .seeOther, headers: headers)
    }

    func page(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { _, last in last })
        let notice = query["done"].flatMap { done -> String? in
            guard let id = query["id"], ApprovalObject.isActionID(id), done == "approve" || done == "reject" else { return nil }
            return "\(done == "approve" ? "Approval" : "Rejection") of \(id) written; the next reconcile pass carries it out."
        }
        return try await render(caller, query: query, notice: notice)
    }

    /// The page for `caller`, with `notice` above it.
    func render(_ caller: Caller, query: [String: String] = [:], notice: String?) async throws -> Response {
        let snapshot = loop.snapshot
        let principal = await principal(caller, held: snapshot?.held ?? [])
        let entries = (try? journal.tail()) ?? []
        let html = Page.render(snapshot: snapshot, journal: entries, filter: JournalFilter(query: query, now: clock.now()), viewer: principal,
                               notice: notice, csrfToken: caller.session?.csrfToken)
        return Self.html(html)
    }

    /// One `pass` event whenever a new reconcile pass completed; polls the snapshot, which is cheap.
    /// A few streams per session (tabs) and a bounded number overall.
    func events(_ context: ConsoleRequestContext) throws -> Response {
        let caller = try context.requireCaller()
        let key = caller.streamKey
        guard streams.acquire(key) else { throw Refused(.tooManyStreams, user: caller.identity.user) }
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

    /// The caller is known before the body is read: nothing is said about the action to a stranger.
    func decide(_ request: Request, _ context: ConsoleRequestContext, _ decision: Approval.Decision) async throws -> Response {
        let caller = try context.requireCaller()
        let fields = try await Self.formFields(request)
        let user = caller.identity.user
        if let refusal = checkForm(request, by: caller, fields: fields) { throw Refused(refusal, user: user, actionID: fields["id"]) }
        guard let id = fields["id"], ApprovalObject.isActionID(id) else { return Self.text(.badRequest, "not an action id") }
        let action = loop.snapshot?.held.first { $0.id == id }
        guard await authenticator.mayApprove(caller.identity, namespace: action?.source.namespace, now: clock.now()) else {
            throw Refused(.mayNotApprove, user: user, actionID: id)
        }
        guard let action else { return Self.text(.notFound, "no held action \(id) in the latest plan") }
        let minutes = decision == .approve ? 60 : 24 * 60
        let approval = ApprovalObject.make(id: id, decision: decision, by: user, groups: caller.identity.groups, expires: clock.now().addingTimeInterval(TimeInterval(minutes * 60)),
                                           comment: "from the ops console", namespace: action.source.namespace)
        let written: ApprovalWrite
        do {
            written = try await cluster.client.writeApproval(approval)
        } catch {
            logger.error("console: writing the approval failed", metadata: ["action.id": "\(id)", "user": "\(user)", "error": "\(error)"])
            return Self.text(.badGateway, "the cluster refused the Approval; see the controller log")
        }
        if case .exists(let existing) = written {
            // Approvals cannot change: a second click (or a colleague's) finds the first one.
            logger.notice("console: \(decision.rawValue) found one", metadata: ["action.id": "\(id)", "user": "\(user)", "existing": "\(existing.summary)"])
            return try await render(caller, notice: "\(id) \(existing.summary).")
        }
        logger.notice("console: \(decision.rawValue)", metadata: ["action.id": "\(id)", "user": "\(user)", "namespace": "\(action.source.namespace)"])
        var headers = HTTPFields()
        headers[.location] = "/ops?done=\(decision.rawValue)&id=\(id)"
        return Response(status: .seeOther, headers: headers)
    }

    // MARK: - Answers

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// A form body, bounded: the console's forms are a few fields.
    static func formFields(_ request: Request) async throws -> [String: String] {
        Form.parse(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
    }

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
