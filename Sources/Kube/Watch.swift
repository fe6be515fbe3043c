import Foundation
import HTTP
import JSON
import Logging

/// What a watch delivers.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// The server's progress mark: nothing changed up to this version.
    case bookmark(resourceVersion: String)
    /// An ERROR event other than 410; the watch goes on from where it was.
    case error(Status)
    /// The whole collection, after a list: at the start (when no resourceVersion was given)
    /// and whenever the server no longer has our place (410 Gone). Replace what you hold.
    case relisted([Object], resourceVersion: String)
}

extension WatchEvent: Equatable where Object: Equatable {}

/// The resume logic of a watch, pure: what to request next, given what happened so far.
///
/// A watch starts from a resourceVersion, or lists first when it has none. Every event moves
/// the version forward. When a stream ends (the server's `timeoutSeconds`, or a cut connection)
/// the next watch starts from the last version seen, so nothing is missed or repeated. When the
/// server answers 410 (the version is older than it keeps), the only way on is a fresh list.
public struct WatchCursor: Sendable, Equatable {
    public private(set) var resourceVersion: String?
    public private(set) var mustList: Bool
    /// Failed attempts in a row, for the backoff; reset by any event or list.
    public private(set) var consecutiveFailures = 0

    public init(resourceVersion: String?) {
        self.resourceVersion = resourceVersion
        mustList = resourceVersion == nil
    }

    public enum Step: Sendable, Equatable {
        case list
        case watch(from: String)
    }

    public var next: Step {
        if mustList { return .list }
        guard let resourceVersion else { return .list }
        return .watch(from: resourceVersion)
    }

    public mutating func listed(resourceVersion: String) {
        self.resourceVersion = resourceVersion
        mustList = false
        consecutiveFailures = 0
    }

    public enum Reaction: Sendable, Equatable {
        /// Hand the event over.
        case deliver
        /// Drop this stream and list again.
        case relist
    }

    /// An event arrived. `resourceVersion` is its object's; `errorCode` the Status code of an ERROR.
    public mutating func received(type: String, resourceVersion: String?, errorCode: Int?) -> Reaction {
        if type == "ERROR" {
            if errorCode == 410 {
                mustList = true
                return .relist
            }
            consecutiveFailures += 1
            return .deliver
        }
        if let resourceVersion, !resourceVersion.isEmpty { self.resourceVersion = resourceVersion }
        consecutiveFailures = 0
        return .deliver
    }

    /// The server refused to start a watch with this HTTP status.
    public mutating func watchRefused(status: Int) -> Reaction? {
        if status == 410 {
            mustList = true
            return .relist
        }
        consecutiveFailures += 1
        return nil
    }

    /// The stream ended: `cleanly` when the server closed it, not when the connection broke.
    public mutating func streamEnded(cleanly: Bool) {
        if !cleanly { consecutiveFailures += 1 }
    }

    public mutating func connectionFailed() {
        consecutiveFailures += 1
    }
}

/// A watch as an async sequence of `WatchEvent`s that goes on across reconnects until the task
/// reading it is cancelled or a failure retrying cannot mend (403, a list that keeps failing,
/// an undecodable event). Pull-based: nothing is read faster than it is consumed.
public struct WatchSequence<Object: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>
    public typealias Failure = KubeError

    let client: KubeClient
    let resource: ResourceType
    let namespace: String?
    let options: WatchOptions
    let dependencies: KubeDependencies
    let logger: Logger

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let sequence: WatchSequence
        public private(set) var cursor: WatchCursor
        private var stream: ByteStream?
        private var splitter = LineSplitter()
        private var pending: [WatchEvent<Object>] = []

        init(sequence: WatchSequence) {
            self.sequence = sequence
            cursor = WatchCursor(resourceVersion: sequence.options.resourceVersion)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KubeError) -> WatchEvent<Object>? {
            try await next()
        }

        public mutating func next() async throws(KubeError) -> WatchEvent<Object>? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if Task.isCancelled { return nil }
                if let stream {
                    try await read(stream)
                    continue
                }
                switch cursor.next {
                case .list:
                    try await relist()
                case .watch(let version):
                    guard try await open(from: version) else { return nil }
                }
            }
        }

        private mutating func relist() async throws(KubeError) {
            var options = ListOptions()
            options.labelSelector = sequence.options.labelSelector
            options.fieldSelector = sequence.options.fieldSelector
            let list = try await sequence.client.list(Object.self, sequence.resource, namespace: sequence.namespace, allNamespaces: sequence.namespace == nil, options: options)
            let version = list.metadata?.resourceVersion ?? ""
            cursor.listed(resourceVersion: version)
            pending.append(.relisted(list.items, resourceVersion: version))
        }

        /// Starts the next watch; false when the task was cancelled while waiting. Refusals that
        /// waiting can mend (429, 5xx, a lost connection) are waited out; others are thrown.
        private mutating func open(from version: String) async throws(KubeError) -> Bool {
            var options = sequence.options
            options.resourceVersion = version
            do throws(KubeError) {
                stream = try await sequence.client.stream(.watch(sequence.resource, namespace: sequence.namespace, options: options)).body
                splitter = LineSplitter()
                return true
            } catch {
                switch error {
                case .api(let refusal):
                    if cursor.watchRefused(status: refusal.code) == .relist { return true }
                    guard refusal.code == 429 || refusal.code >= 500 else { throw error }
                case .transport(let failure):
                    if failure.kind == .cancelled { return false }
                    cursor.connectionFailed()
                default:
                    throw error
                }
                sequence.logger.debug("watch could not start; retrying", metadata: ["kube.resource": "\(sequence.resource)", "kube.error": "\(error)"])
                return await backOff()
            }
        }

        private mutating func read(_ stream: ByteStream) async throws(KubeError) {
            let chunk: [UInt8]?
            do {
                chunk = try await stream.next()
            } catch {
                self.stream = nil
                if error.kind == .cancelled { pending = []; return }
                cursor.streamEnded(cleanly: false)
                sequence.logger.debug("watch connection lost; resuming", metadata: ["kube.resource": "\(sequence.resource)", "kube.error": "\(error)"])
                _ = await backOff()
                return
            }
            guard let chunk else {
                self.stream = nil
                if let last = splitter.finish() { try handle(line: last) }
                cursor.streamEnded(cleanly: true)
                return
            }
            let lines: [[UInt8]]
            do {
                lines = try splitter.push(chunk)
            } catch {
                throw .decoding("a watch event is longer than \(splitter.maxLineLength) bytes")
            }
            for line in lines {
                try handle(line: line)
                if self.stream == nil { break }
            }
        }

        /// Reads one event: parsed once, its object decoded from the tree (a `JSONValue` object
        /// is kept as parsed).
        private mutating func handle(line: [UInt8]) throws(KubeError) {
            let event: JSONValue
            do {
                event = try JSONValue(parsing: line)
            } catch {
                throw .decoding("a watch event is not JSON: \(error)")
            }
            guard let type = event["type"]?.stringValue else { throw .decoding("a watch event has no type") }
            let object = event["object"]
            let version = object?["metadata"]?["resourceVersion"]?.stringValue
            let reaction = cursor.received(type: type, resourceVersion: version, errorCode: object?["code"]?.intValue)
            if reaction == .relist {
                sequence.logger.debug("watch expired (410); relisting", metadata: ["kube.resource": "\(sequence.resource)"])
                stream = nil
                return
            }
            func decoded<T: Decodable>(_: T.Type) throws(KubeError) -> T {
                do {
                    return try JSONValueDecoder().decode(T.self, from: object ?? .null)
                } catch {
                    throw .decoding("a \(type) event's object: \(error)")
                }
            }
            switch type {
            case "ADDED": pending.append(.added(try decoded(Object.self)))
            case "MODIFIED": pending.append(.modified(try decoded(Object.self)))
            case "DELETED": pending.append(.deleted(try decoded(Object.self)))
            case "BOOKMARK": pending.append(.bookmark(resourceVersion: version ?? ""))
            case "ERROR": pending.append(.error(try decoded(Status.self)))
            default: throw .decoding("unknown watch event type \"\(type)\"")
            }
        }

        /// Waits as the retry policy says for this many failures in a row; false when cancelled.
        private mutating func backOff() async -> Bool {
            let policy = sequence.client.retryPolicy
            let delay = policy.backoff(attempt: Swift.max(cursor.consecutiveFailures, 1), random: sequence.dependencies.random())
            do {
                try await sequence.dependencies.sleep(delay)
                return true
            } catch {
                return false
            }
        }
    }
}
