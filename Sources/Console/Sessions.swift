import Foundation
import Synchronization

/// A signed-in browser. The cookie holds only `id`, a random value; who signed in, and the CSRF
/// token the page's forms carry, stay on the server.
public struct Session: Sendable, Equatable {
    public let id: String
    public let csrfToken: String
    public let identity: Identity
    /// Kept only when the authenticator revalidates tokens (TokenReview): to ask again whether the
    /// token still holds. Never logged, never sent back.
    let token: String?
    public let created: Date
    public var lastSeen: Date
    public var checked: Date
}

/// The console's sessions, in memory: a restart signs everyone out, which is the safe side.
public final class SessionStore: Sendable {
    public struct Limits: Sendable {
        /// Ends a session nobody used for this long.
        public var idle: TimeInterval = 30 * 60
        /// Ends every session this long after sign-in, used or not.
        public var absolute: TimeInterval = 8 * 3600
        /// How often a revalidating session has its token checked again.
        public var recheck: TimeInterval = 5 * 60
        /// At most this many sessions; signing in beyond it ends the least recently used one.
        public var capacity = 10_000

        public init() {}
    }

    public enum Lookup: Sendable, Equatable {
        case active(Session)
        /// Valid, but its token must be checked again before it is used (`revalidated` then).
        case recheck(Session, token: String)
        case none
    }

    public let limits: Limits
    private let sessions = Mutex<[String: Session]>([:])

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public func create(_ identity: Identity, token: String?, now: Date) -> Session {
        let session = Session(id: Self.randomToken(), csrfToken: Self.randomToken(), identity: identity, token: token,
                              created: now, lastSeen: now, checked: now)
        sessions.withLock { sessions in
            if sessions.count >= limits.capacity {
                sessions = sessions.filter { isLive($0.value, now: now) }
                if sessions.count >= limits.capacity, let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                    sessions[oldest.id] = nil
                }
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The session `id` names, if it is live. `activity`: whether this use keeps it from going
    /// idle (a person's request does; the page refreshing itself does not).
    public func lookup(_ id: String, now: Date, activity: Bool = true) -> Lookup {
        guard Self.isWellFormed(id) else { return .none }
        return sessions.withLock { sessions in
            guard var session = sessions[id] else { return .none }
            guard isLive(session, now: now) else {
                sessions[id] = nil
                return .none
            }
            if let token = session.token, now.timeIntervalSince(session.checked) >= limits.recheck {
                return .recheck(session, token: token)
            }
            if activity {
                session.lastSeen = now
                sessions[id] = session
            }
            return .active(session)
        }
    }

    /// The token of a session that asked for a recheck still holds.
    public func revalidated(_ id: String, now: Date) -> Session? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            session.checked = now
            session.lastSeen = now
            sessions[id] = session
            return session
        }
    }

    public func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    public var count: Int { sessions.withLock { $0.count } }

    func isLive(_ session: Session, now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) < limits.idle && now.timeIntervalSince(session.created) < limits.absolute
    }

    /// 32 bytes from the system's CSPRNG (getrandom on Linux), as 64 hex digits.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// Compares the secrets in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// The session cookie. Over TLS it takes the `__Host-` prefix (Secure, Path=/, no Domain: no
/// other host or plain-HTTP page can set it); HttpOnly so scripts never read it; SameSite=Strict.
public struct SessionCookie: Sendable {
    public let secure: Bool

    public init(secure: Bool) { self.secure = secure }

    public var name: String { secure ? "__Host-hms_console_session" : "hms_console_session" }

    public func set(_ id: String) -> String {
        secure ? "\(name)=\(id); Path=/; Secure; HttpOnly; SameSite=Strict" : "\(name)=\(id); Path=/ops; HttpOnly; SameSite=Strict"
    }

    public var clear: String {
        secure ? "\(name)=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0" : "\(name)=; Path=/ops; HttpOnly; SameSite=Strict; Max-Age=0"
    }
}
