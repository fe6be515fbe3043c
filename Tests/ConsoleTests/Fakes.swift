@testable import Console
import Foundation
import Model
import Synchronization

/// A wall clock a test moves by hand.
final class ManualClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { time = Mutex(start) }

    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var clock: WallClock { WallClock { self.time.withLock { $0 } } }
}

/// A reviewer answering from tables, counting the questions; it can be made unreachable.
final class TableReviewer: AccessReviewer {
    struct Error: Swift.Error {}

    private let tokens: Mutex<[String: Identity]>
    /// Users who may approve: everywhere (nil) or in the namespaces listed.
    private let approvers: [String: Set<String>?]
    private let state = Mutex((tokenReviews: 0, accessReviews: 0, reachable: true))

    init(tokens: [String: Identity], approvers: [String: Set<String>?] = [:]) {
        self.tokens = Mutex(tokens)
        self.approvers = approvers
    }

    var tokenReviews: Int { state.withLock { $0.tokenReviews } }
    var accessReviews: Int { state.withLock { $0.accessReviews } }

    func setReachable(_ reachable: Bool) { state.withLock { $0.reachable = reachable } }

    func revoke(_ token: String) { _ = tokens.withLock { $0.removeValue(forKey: token) } }

    func identity(ofToken token: String) async throws -> Identity? {
        let reachable = state.withLock { state in
            state.tokenReviews += 1
            return state.reachable
        }
        guard reachable else { throw Error() }
        return tokens.withLock { $0[token] }
    }

    func mayApprove(_ identity: Identity, namespace: String?) async throws -> Bool {
        let reachable = state.withLock { state in
            state.accessReviews += 1
            return state.reachable
        }
        guard reachable else { throw Error() }
        guard let scope = approvers[identity.user] else { return false }
        guard let namespaces = scope else { return true }
        return namespace.map(namespaces.contains) ?? false
    }
}
