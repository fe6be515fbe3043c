import Hummingbird
import HummingbirdAuth

/// Who sent a request, and by which credential.
public struct Caller: Sendable, Equatable {
    public var identity: Identity
    /// nil for a bearer-token client.
    public var session: Session?

    public init(identity: Identity, session: Session?) {
        self.identity = identity
        self.session = session
    }

    /// What the event-stream cap counts by.
    var streamKey: String { session.map { "session:" + $0.id } ?? "user:" + identity.user }
}

/// The context of a console request: the caller, once `ConsoleAuthenticator` has accepted its
/// credential. What they may do (`Principal`) is asked by the routes that need it, per namespace.
public struct ConsoleRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// hummingbird-auth's name for the authenticated value: here the caller.
    public var identity: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// The caller of a route that needs one; a request without credentials is refused (401).
    public func requireCaller() throws(Refused) -> Caller {
        guard let identity else { throw Refused(.noCredentials) }
        return identity
    }
}
