import ConnectionGuards
import Foundation
import Logging
import MockCluster
import Model
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
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
        /// Connections open at once; more are closed as they come.
        public var maxConnections = 1024
        /// To send a whole request, from the accept or from the first byte of a kept-alive connection's next one.
        public var headerTimeoutSeconds = 30.0
        /// Stop gracefully on SIGTERM and SIGINT. Off when the server runs inside another program
        /// (tests), which stops it by cancelling the task that runs it.
        public var handlesSignals = true
        /// The cluster's clock: the system's, or moved ahead (behind) by tests that depend on the
        /// calendar (a month's end, a weekend), which give the controller the same offset.
        public var clock = WallClock.system
        /// PEM certificate (chain) and private key files: serve HTTPS. kubectl sends a
        /// kubeconfig's token only over TLS, so `--authorize` needs it for kubectl.
        public var tls: (certificateFile: String, keyFile: String)?

        public init() {}
    }

    func now() -> Date { options.clock.now() }

    let cluster: Mutex<MockCluster>
    let options: Options
    let logger: Logger
    /// Set on SIGTERM: open watches end, so the graceful shutdown is not held up by them.
    let isStopping = Atomic<Bool>(false)

    public init(options: Options, logger: Logger = Logger(label: "hms-mock-cluster")) throws {
        let start = options.clock.now()
        var cluster = MockCluster(settings: options.settings, now: start)
        if let stateFile = options.stateFile, FileManager.default.fileExists(atPath: stateFile) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: stateFile)))
            try cluster.restore(bytes, now: start)
        }
        self.cluster = Mutex(cluster)
        self.options = options
        self.logger = logger
    }

    /// Runs until SIGINT or SIGTERM, or until the task running it is cancelled; `onListening` gets
    /// the bound port once the server accepts connections.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(
            services: [Listener(server: self, onListening: onListening), Ticker(server: self)],
            gracefulShutdownSignals: options.handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            isStopping.store(true, ordering: .relaxed)
        }
        saveState()
    }

    func saveState() {
        guard let stateFile = options.stateFile else { return }
        let bytes = cluster.withLock { $0.snapshot() }
        do {
            // Write beside, then rename(2), which replaces the file in one step or creates it: a
            // crash never leaves half a file. (Foundation's replaceItemAt removed the file when
            // there was none to replace yet.)
            let temporary = stateFile + ".tmp"
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, stateFile) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            logger.error("could not save state", metadata: ["file": "\(stateFile)", "error": "\(error)"])
        }
    }
}

/// Accepts connections and answers them (`ClusterHTTPHandler`) until shutdown: then it stops
/// accepting, and open watches end at their next poll.
struct Listener: Service {
    let server: MockClusterServer
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        let handlerServer = server
        let gate = ConnectionGate(limit: server.options.maxConnections)
        let headerTimeout = TimeAmount.milliseconds(Int64(max(0.001, min(server.options.headerTimeoutSeconds, 86_400)) * 1000))
        let tlsContext = try server.options.tls.map { files in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificateFile).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: files.keyFile, format: .pem))))
        }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard gate.admit(channel) else { return }
                    if let tlsContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MockHeaderTimeoutHandler(timeout: headerTimeout))
                    try channel.pipeline.syncOperations.addHandler(ClusterHTTPHandler(server: handlerServer))
                }
            }
            .bind(host: server.options.host, port: server.options.port)
            .get()
        await onListening(channel.localAddress?.port ?? 0)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            server.isStopping.store(true, ordering: .relaxed)
            channel.close(promise: nil)
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
        var lastSave = ContinuousClock.now
        while !server.isStopping.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(server.options.tickSeconds))
            let version = server.cluster.withLock { cluster in
                cluster.advance(to: server.now())
                return cluster.resourceVersion
            }
            if version != savedVersion, ContinuousClock.now - lastSave >= .seconds(2) {
                server.saveState()
                savedVersion = version
                lastSave = ContinuousClock.now
            }
        }
    }
}
