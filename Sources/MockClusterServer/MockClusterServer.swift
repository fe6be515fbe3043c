import Foundation
import Hummingbird
import Logging
import MockCluster
import NIOCore
import ServiceLifecycle
import Synchronization

/// The HTTP shell around `MockCluster`: it turns requests into values, answers them under a lock,
/// streams watches, and moves the simulation forward on a clock.
public final class MockClusterServer: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 0
        public var settings = MockCluster.Settings()
        /// Where to keep objects across restarts, if anywhere.
        public var stateFile: String?
        public var tickSeconds = 0.1
        /// Stop gracefully on SIGTERM and SIGINT. Off when the server runs inside another program
        /// (tests), which stops it by cancelling the task that runs it.
        public var handlesSignals = true

        public init() {}
    }

    let cluster: Mutex<MockCluster>
    let options: Options
    let logger: Logger
    /// Set on SIGTERM: open watches end, so the graceful shutdown is not held up by them.
    let isStopping = Atomic<Bool>(false)

    public init(options: Options, logger: Logger = Logger(label: "hms-mock-cluster")) throws {
        var cluster = MockCluster(settings: options.settings, now: Date())
        if let stateFile = options.stateFile, FileManager.default.fileExists(atPath: stateFile) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: stateFile)))
            try cluster.restore(bytes, now: Date())
        }
        self.cluster = Mutex(cluster)
        self.options = options
        self.logger = logger
    }

    /// Runs until SIGINT or SIGTERM; `onListening` gets the bound port once the server accepts connections.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let responder = Responder(server: self)
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: nil),
            services: [Ticker(server: self)],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: options.handlesSignals ? [.sigterm, .sigint] : [])
        saveState()
    }

    func saveState() {
        guard let stateFile = options.stateFile else { return }
        let bytes = cluster.withLock { $0.snapshot() }
        do {
            // Write beside, then rename: a crash never leaves half a file.
            let temporary = stateFile + ".tmp"
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: stateFile), withItemAt: URL(fileURLWithPath: temporary))
        } catch {
            logger.error("could not save state", metadata: ["file": "\(stateFile)", "error": "\(error)"])
        }
    }
}

/// Moves the simulation on every tick, and saves the state when it changed.
struct Ticker: Service {
    let server: MockClusterServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await tick()
        } onGracefulShutdown: {
            server.isStopping.store(true, ordering: .relaxed)
        }
    }

    private func tick() async throws {
        var savedVersion = server.cluster.withLock { $0.resourceVersion }
        var lastSave = Date()
        while !server.isStopping.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(server.options.tickSeconds))
            let version = server.cluster.withLock { cluster in
                cluster.advance(to: Date())
                return cluster.resourceVersion
            }
            if version != savedVersion, Date().timeIntervalSince(lastSave) >= 2 {
                server.saveState()
                savedVersion = version
                lastSave = Date()
            }
        }
    }
}

struct MockRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

struct Responder: HTTPResponder {
    typealias Context = MockRequestContext
    let server: MockClusterServer
    static let maxBody = 64 << 20

    func respond(to request: Request, context: MockRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maxBody)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        let value = APIRequest(
            method: request.method.rawValue, target: request.uri.string, headers: headers,
            body: Array(body.readableBytesView))
        let answer = server.cluster.withLock { $0.handle(value, now: Date()) }
        if answer.delaySeconds > 0 { try await Task.sleep(for: .seconds(answer.delaySeconds)) }
        var responseHeaders = HTTPFields()
        responseHeaders[.contentType] = answer.contentType
        switch answer.body {
        case .bytes(let bytes):
            responseHeaders[.contentLength] = String(bytes.count)
            return Response(status: .init(code: answer.status), headers: responseHeaders, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case .parts(let parts):
            let length = parts.reduce(0) { $0 + $1.count }
            responseHeaders[.contentLength] = String(length)
            return Response(status: .init(code: answer.status), headers: responseHeaders, body: Self.body(parts, length: length))
        case .connectionReset:
            context.channel.close(mode: .all, promise: nil)
            return Response(status: .init(code: 500), headers: responseHeaders, body: .init())
        case .watch(let watch):
            return Response(status: .ok, headers: responseHeaders, body: ResponseBody { writer in
                try await stream(watch, to: &writer, channel: context.channel)
            })
        }
    }

    static let chunkSize = 64 << 10

    /// A body of pieces, gathered into buffers of about `chunkSize`: a large list goes out without
    /// ever being held in full, let alone twice (the core's array and a copy in a ByteBuffer).
    private static func body(_ parts: [[UInt8]], length: Int) -> ResponseBody {
        guard length > chunkSize else { return ResponseBody(byteBuffer: gathered(parts[...], capacity: length)) }
        return ResponseBody(contentLength: length) { writer in
            var start = parts.startIndex
            while start < parts.endIndex {
                var end = start
                var size = 0
                while end < parts.endIndex, size < chunkSize {
                    size += parts[end].count
                    end += 1
                }
                try await writer.write(gathered(parts[start..<end], capacity: size))
                start = end
            }
            try await writer.finish(nil)
        }
    }

    private static func gathered(_ parts: ArraySlice<[UInt8]>, capacity: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        for part in parts { buffer.writeBytes(part) }
        return buffer
    }

    /// Writes a watch until it ends: its timeout, an expired position, or the client going away.
    private func stream(_ watch: Watch, to writer: inout any ResponseBodyWriter, channel: any Channel) async throws {
        var watch = watch
        if !watch.initial.isEmpty { try await writer.write(ByteBuffer(bytes: watch.initial)) }
        let deadline = watch.timeoutSeconds.map { Date().addingTimeInterval($0) } ?? .distantFuture
        var ended = watch.endsAfterInitial
        while !ended, channel.isActive, Date() < deadline, !Task.isCancelled, !Task.isShuttingDownGracefully,
            !server.isStopping.load(ordering: .relaxed)
        {
            try await Task.sleep(for: .milliseconds(20))
            let (lines, isOver) = server.cluster.withLock { $0.poll(&watch, now: Date()) }
            if !lines.isEmpty { try await writer.write(ByteBuffer(bytes: lines)) }
            ended = isOver
        }
        try await writer.finish(nil)
    }
}
