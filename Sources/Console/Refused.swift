import HTTPTypes
import Hummingbird
import Logging
import Controller
import Model

/// A refused request: why, and what is logged with it (who, which action; never a token).
public struct Refused: Error, Sendable, Equatable {
    public var refusal: Refusal
    var user: String?
    var actionID: String?
    /// Answered with the refusal's status instead of its line of text: a sign-in form.
    var page: String?

    init(_ refusal: Refusal, user: String? = nil, actionID: String? = nil, page: String? = nil) {
        self.refusal = refusal
        self.user = user
        self.actionID = actionID
        self.page = page
    }
}

/// Answers the requests that authentication or a route refused: logs the refusal and says no more
/// than it allows. A 401 names the scheme; an ended session's cookie is cleared.
struct RefusalAnswers<Context: RequestContext>: RouterMiddleware {
    let cookie: SessionCookie
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refused as Refused {
            return answer(refused, request)
        }
    }

    func answer(_ refused: Refused, _ request: Request) -> Response {
        let refusal = refused.refusal
        var metadata: Logger.Metadata = ["status": "\(refusal.status)", "reason": "\(refusal.reason)", "method": "\(request.method)", "path": "\(request.uri.path)"]
        if let user = refused.user { metadata["user"] = "\(user)" }
        if let actionID = refused.actionID, ApprovalObject.isActionID(actionID) { metadata["action.id"] = "\(actionID)" }
        logger.warning("console: refused", metadata: metadata)
        let status = HTTPResponse.Status(code: refusal.status)
        var response = refused.page.map { ConsoleServer.html($0, status: status) } ?? ConsoleServer.text(status, refusal.message)
        if refusal.status == 401 { response.headers[.wwwAuthenticate] = "Bearer realm=\"hms-console\"" }
        if refusal == .sessionEnded { response.headers[.setCookie] = cookie.clear }
        return response
    }
}

/// The page's answer to a browser that has not signed in: the sign-in form, with the refusal's
/// status (401, or 429 when token checks are rate-limited). Other clients get a line of text.
struct SignInFormForBrowsers<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refused as Refused where refused.refusal.isAboutCredentials && request.headers[.accept]?.contains("text/html") == true {
            var withForm = refused
            withForm.page = Page.signIn()
            throw withForm
        }
    }
}
