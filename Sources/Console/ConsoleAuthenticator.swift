import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Model

/// Reads a request's credential and sets the context's caller: a bearer token, else the session
/// cookie. Without either the request goes on with no caller (routes that need one refuse it); a
/// credential that is not accepted is refused here, before any route sees the request.
struct ConsoleAuthenticator: AuthenticatorMiddleware {
    typealias Context = ConsoleRequestContext

    let authenticator: any Authenticator
    let sessions: SessionStore
    let cookie: SessionCookie
    let clock: WallClock

    /// Sent by the page's script when it refreshes itself.
    static let backgroundHeader = HTTPField.Name("X-HMS-Background")!

    /// The bearer token wins over the cookie: it is what a non-browser client sends on purpose.
    func authenticate(request: Request, context: Context) async throws(Refused) -> Caller? {
        if let authorization = request.headers[.authorization] {
            return try await bearer(authorization)
        }
        guard let id = Access.cookie(cookie.name, in: request.headers[.cookie]) else { return nil }
        // The live page's own refreshes are not activity: an open tab must not keep a session alive.
        let activity = request.headers[Self.backgroundHeader] == nil
        switch sessions.lookup(id, now: clock.now(), activity: activity) {
        case .none: throw Refused(.sessionEnded)
        case .active(let session): return Caller(identity: session.identity, session: session)
        case .recheck(let session, let token): return try await recheck(session, token: token)
        }
    }

    func bearer(_ authorization: String) async throws(Refused) -> Caller {
        guard let token = Access.bearerToken(authorization: authorization), Access.isPlausibleToken(token) else {
            throw Refused(.unknownToken)
        }
        switch await authenticator.check(token: token, now: clock.now()) {
        case .valid(let identity): return Caller(identity: identity, session: nil)
        case .invalid: throw Refused(.unknownToken)
        case .throttled: throw Refused(.throttled)
        }
    }

    /// TokenReview mode: a revoked token ends the session within `recheck`.
    func recheck(_ session: Session, token: String) async throws(Refused) -> Caller {
        guard case .valid(let identity) = await authenticator.check(token: token, now: clock.now()), identity == session.identity,
            let session = sessions.revalidated(session.id, now: clock.now())
        else {
            sessions.end(session.id)
            throw Refused(.sessionEnded)
        }
        return Caller(identity: session.identity, session: session)
    }
}
