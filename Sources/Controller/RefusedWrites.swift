import Kube
import Model
import Planner
import Synchronization

/// A record a pass could not write: an Event, or a resource's status. The actions were carried
/// out, but what tells people about them is missing, and whoever runs the pass must hear it.
public struct RefusedWrite: Sendable, Equatable, CustomStringConvertible {
    /// The object written: an Event, or a resource whose `status` subresource it was.
    public var kind: String
    public var namespace: String
    public var name: String
    public var subresource: String?
    /// The HTTP status (nil: no answer came), and the apiserver's message or the client's error
    /// (bounded; no request bodies, no tokens).
    public var code: Int?
    public var message: String

    public init(kind: String, namespace: String, name: String, subresource: String? = nil, error: KubeError) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
        if case .api(let answer) = error {
            code = answer.code
            message = ClusterText.shown(answer.message)
        } else {
            message = ClusterText.shown(error.description)
        }
    }

    /// `ServiceSpec default/web status: HTTP 403: servicespecs.ops.hms.gov "web" is forbidden: ...`.
    public var description: String {
        "\(kind) \(namespace)/\(name)\(subresource.map { " \($0)" } ?? ""): \(code.map { "HTTP \($0): " } ?? "")\(message)"
    }
}

/// The refused writes of one pass, gathered from its concurrent writers; at most `limit` kept
/// (and counted all).
public final class RefusedWrites: Sendable {
    public static let limit = 100
    private let state = Mutex<(kept: [RefusedWrite], count: Int)>(([], 0))

    public init() {}

    func add(_ write: RefusedWrite?) {
        guard let write else { return }
        state.withLock { state in
            state.count += 1
            if state.kept.count < Self.limit { state.kept.append(write) }
        }
    }

    public var all: [RefusedWrite] { state.withLock { $0.kept } }
    public var count: Int { state.withLock { $0.count } }
}
