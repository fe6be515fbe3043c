import ArgumentParser
import Console
import ConsoleTransport
import Controller
import Foundation
import Hummingbird
import JSON
import Kube
import Logging
import Metrics
import Model
import Prometheus
import ServiceLifecycle

/// `hms-controller`: reconciles the cluster with the ops.hms.gov resources, in the cluster or beside it.
@main
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hms-controller",
        abstract: "Reconcile services, budgets and directives, with leader election, health and metrics.")

    @Option(help: "Path to the kubeconfig file (else $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    @Option(help: "Desired state from this directory of manifests (re-read when a file changes) instead of the custom resources.")
    var manifests: String?

    @Flag(help: "Elect a leader through a Lease, so that of several replicas only one acts.")
    var leaderElect = false

    @Option(help: "The Lease's name.")
    var leaseName = "hms-controller"

    @Option(help: "The Lease's namespace (default: the pod's namespace, else default).")
    var leaseNamespace: String?

    @Option(help: "How long others wait, from the last change they saw to the Lease, before they take it over (Go syntax: 15s, 1m).")
    var leaderElectLeaseDuration = FlagDuration(argument: "15s")!

    @Option(help: "How long the leader keeps acting without a successful renewal of the Lease; each renewal is cut off at it. Shorter than the lease duration.")
    var leaderElectRenewDeadline = FlagDuration(argument: "10s")!

    @Option(help: "How often the Lease is acquired or renewed. The renew deadline must exceed 1.2 times it.")
    var leaderElectRetryPeriod = FlagDuration(argument: "2s")!

    @Option(help: "This replica's identity in the Lease (default: the host name).")
    var identity: String?

    @Option(help: "Where /metrics is served, HOST:PORT; port 0 picks a free one.")
    var metricsAddr = ":8080"

    @Option(help: "Where /healthz and /readyz are served, HOST:PORT; port 0 picks a free one.")
    var healthAddr = ":8081"

    @Option(help: "Where the operations console is served (/ops), HOST:PORT.")
    var consoleAddr = ":4400"

    @Option(help: "Console connections open at once; over it a new connection is closed at once.")
    var consoleMaxConnections = 512

    @Option(help: "Seconds a console client has to send a whole request, counted from the connection's accept, or from the first byte of the next request on a kept-alive connection; slower clients are disconnected (slowloris).")
    var consoleHeaderTimeoutSeconds = 10.0

    @Option(help: "Seconds a kept-alive console connection may wait for its next request, or a request for its next part, before it is closed.")
    var consoleIdleTimeoutSeconds = 60.0

    @Option(name: .customLong("console-tls-cert"), help: "Serve the console over HTTPS with this certificate chain (PEM file), with --console-tls-key. Both files are read again when they change.")
    var consoleTLSCert: String?

    @Option(name: .customLong("console-tls-key"), help: "The private key (PEM file) of --console-tls-cert.")
    var consoleTLSKey: String?

    /// Whether the console is served over HTTPS: its session cookie can then be `Secure` and `__Host-`.
    var consoleTLS: Bool { consoleTLSCert != nil }

    @Option(help: "Console bearer tokens, one `TOKEN USER ROLE` a line (role viewer or approver). Without it the cluster checks tokens (TokenReview, SubjectAccessReview).")
    var consoleTokenFile: String?

    @Option(help: "At most this many live-update streams (/ops/events) open on the console; 4 per session.")
    var consoleMaxStreams = 64

    @Option(help: "Seconds between the timers' looks: AutoscaleRules due, Budget spend, the manifests directory, requeues of gated actions.")
    var syncSeconds = 5.0

    @Option(help: "Seconds between resyncs: every resource reconciled again from the caches although no watch event came.")
    var resyncSeconds = 600.0

    @Option(help: "How many namespaces are reconciled at once: a namespace whose requests are slow holds up only its own worker.")
    var workers = 4

    @Option(help: "The decision journal (JSON lines). Default: $HMS_JOURNAL or ~/.local/state/hms/journal.jsonl.")
    var journal: String?

    @Option(help: ArgumentHelp("Run the controller's clock this many seconds ahead of the system clock (behind when negative). For tests that pin the calendar, with the same offset given to the mock cluster.", visibility: .hidden))
    var clockOffsetSeconds: Double = 0

    @Option(help: "Rotate the journal (to FILE.1, replacing the older one) when an append would take it past this many bytes.")
    var journalMaxBytes = Journal.defaultMaxBytes

    @Flag(help: "Run one full reconcile pass and exit (for CI jobs and tests).")
    var once = false

    @Option(name: [.customShort("v"), .long], help: "Log verbosity: 0 notices, 2 every action, 5 requests.")
    var verbosity = 0

    var leaseTiming: LeaseTiming {
        var timing = LeaseTiming()
        timing.leaseDuration = leaderElectLeaseDuration.duration
        timing.renewDeadline = leaderElectRenewDeadline.duration
        timing.retryPeriod = leaderElectRetryPeriod.duration
        return timing
    }

    func validate() throws {
        if (consoleTLSCert == nil) != (consoleTLSKey == nil) {
            throw ValidationError("--console-tls-cert and --console-tls-key go together: give both, or neither")
        }
        guard consoleMaxConnections >= 1 else { throw ValidationError("--console-max-connections must be at least 1, not \(consoleMaxConnections)") }
        do { try leaseTiming.validate() } catch { throw ValidationError("--leader-elect-*: \(error.description)") }
        for (flag, seconds) in [("header", consoleHeaderTimeoutSeconds), ("idle", consoleIdleTimeoutSeconds)] where !(seconds > 0 && seconds <= 86_400) {
            throw ValidationError("--console-\(flag)-timeout-seconds must be more than 0 and at most 86400, not \(seconds)")
        }
    }

    func run() async throws {
        let (logger, registry) = bootstrapLoggingAndMetrics()

        var config: ClientConfig
        do {
            config = try ConfigResolver.resolve(ConfigOverrides(kubeconfig: kubeconfig, context: context))
        } catch {
            logger.critical("no cluster configuration", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        let name = identity ?? ProcessInfo.processInfo.hostName
        // Requests carry the identity, so an audit log tells the replicas apart.
        config.userAgent = "hms-controller/0.1 (\(name))"
        // Every request counts on /metrics, the informers' lists and watches too.
        let client = try KubeClient(config: config, logger: logger, observe: ControllerMetrics.apiRequest)
        let cluster = ClusterAccess(client: client, fieldManager: "hms-controller")
        var settings = ControllerLoop.Settings()
        settings.manifestsDirectory = manifests
        settings.syncPeriod = .milliseconds(Int(syncSeconds * 1000))
        settings.resyncPeriod = .milliseconds(Int(resyncSeconds * 1000))
        settings.workers = min(max(1, workers), 64)
        settings.clock = .system(offsetBy: clockOffsetSeconds)
        let elector = leaderElect
            ? LeaderElector(cluster: cluster, name: leaseName, namespace: leaseNamespace ?? config.namespace, identity: name, timing: leaseTiming,
                            clock: settings.clock, logger: logger)
            : nil
        let journalFile = Journal(path: journal ?? Journal.defaultPath(), maxBytes: journalMaxBytes)
        let loop = ControllerLoop(cluster: cluster, journal: journalFile, elector: elector, identity: name, settings: settings, logger: logger)
        // Actions a crashed predecessor sent without journaling their result: ask the cluster.
        do {
            let recovered = try await JournalRecovery.recover(journalFile, cluster: cluster, actor: name, now: settings.clock.now())
            if recovered > 0 { logger.notice("journal: completed unfinished intents from the cluster", metadata: ["intents": "\(recovered)"]) }
        } catch {
            logger.warning("journal: cannot complete unfinished intents", metadata: ["journal": "\(journalFile.path)", "error": "\(error)"])
        }

        if once {
            guard await loop.pass() != nil else { throw ExitCode(1) }
            return
        }

        let healthApp = try healthApplication(loop, logger: logger)
        let metricsApp = try metricsApplication(registry, logger: logger)
        let (consoleApp, listener) = try consoleApplication(loop, cluster: cluster, journal: journalFile, clock: settings.clock, logger: logger)
        var services: [any Service] = [healthApp, metricsApp, consoleApp, LoopService(loop: loop)]
        if let elector { services.append(ElectionService(elector: elector)) }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("hms-controller starting", metadata: [
            "identity": "\(name)", "leader-elect": "\(leaderElect)", "source": "\(manifests ?? "custom resources")",
        ])
        try await group.run()
        try await listener.eventLoopGroup.shutdownGracefully()
    }

    /// Logs as JSON lines unless standard error is a terminal; metrics in a Prometheus registry.
    func bootstrapLoggingAndMetrics() -> (Logger, PrometheusCollectorRegistry) {
        let level: Logger.Level = verbosity >= 5 ? .debug : verbosity >= 2 ? .info : .notice
        let json = isatty(2) != 1
        LoggingSystem.bootstrap { label in
            // Stamped with the system clock unshifted: log lines are read next to other programs' logs.
            var handler: any LogHandler = json ? JSONLogHandler(label: label, clock: .system) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return (Logger(label: "hms-controller"), registry)
    }

    /// `/healthz` and `/readyz`, on their own listener: a flooded console cannot starve them.
    func healthApplication(_ loop: ControllerLoop, logger: Logger) throws -> some ApplicationProtocol {
        let health = try Endpoint(healthAddr, label: "health")
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/readyz") { _, _ -> Response in
            loop.isReady ? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: loop.readiness)))
                : Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "caches not synced yet")))
        }
        return Application(
            router: router, configuration: .init(address: health.address), services: [],
            onServerRunning: { channel in logger.notice("health endpoints listening", metadata: ["addr": "\(channel.localAddress?.description ?? "")"]) },
            logger: logger)
    }

    func metricsApplication(_ registry: PrometheusCollectorRegistry, logger: Logger) throws -> some ApplicationProtocol {
        let metrics = try Endpoint(metricsAddr, label: "metrics")
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router, configuration: .init(address: metrics.address), services: [],
            onServerRunning: { channel in logger.notice("metrics endpoint listening", metadata: ["addr": "\(channel.localAddress?.description ?? "")"]) },
            logger: logger)
    }

    /// The ops console: who may sign in (a token file, else the cluster's reviews), its listener
    /// (limits, TLS) and its routes.
    func consoleApplication(_ loop: ControllerLoop, cluster: ClusterAccess, journal: Journal, clock: WallClock, logger: Logger) throws
        -> (some ApplicationProtocol, ConsoleListener)
    {
        let authenticator: any Authenticator
        if let consoleTokenFile {
            do {
                authenticator = try StaticTokens(parsing: String(contentsOfFile: consoleTokenFile, encoding: .utf8))
            } catch {
                logger.critical("cannot read the console token file", metadata: ["file": "\(consoleTokenFile)", "error": "\(error)"])
                throw ExitCode(1)
            }
        } else {
            authenticator = ReviewAuthenticator(reviewer: KubeAccessReviewer(cluster: cluster))
        }
        let console = try Endpoint(consoleAddr, label: "console")
        let limits = ConsoleLimits(
            maxConnections: consoleMaxConnections, headerTimeout: .milliseconds(Int64(consoleHeaderTimeoutSeconds * 1000)),
            idleTimeout: .milliseconds(Int64(consoleIdleTimeoutSeconds * 1000)))
        let listener: ConsoleListener
        do {
            listener = try ConsoleListener(limits: limits, certificatePath: consoleTLSCert, keyPath: consoleTLSKey, logger: logger)
        } catch {
            logger.critical("cannot load the console's TLS certificate and key", metadata: ["cert": "\(consoleTLSCert ?? "")", "key": "\(consoleTLSKey ?? "")", "error": "\(error)"])
            throw ExitCode(1)
        }
        let secure = consoleTLS
        let server = ConsoleServer(
            loop: loop, cluster: cluster, journal: JournalTailCache(journal: Journal(path: journal.path, tailBytes: Journal.consoleTailBytes)),
            authenticator: authenticator, logger: logger, secure: secure, streams: StreamSlots(total: consoleMaxStreams), clock: clock)
        let application = Application(
            router: server.router(), server: listener.server, configuration: .init(address: console.address), services: [],
            onServerRunning: { channel in
                logger.notice("ops console listening", metadata: ["addr": "\(channel.localAddress?.description ?? "")", "path": "/ops", "tls": "\(secure)"])
            },
            eventLoopGroupProvider: .shared(listener.eventLoopGroup), logger: logger)
        return (application, listener)
    }
}

/// `HOST:PORT` or `:PORT` as controller-runtime takes them.
struct Endpoint {
    let address: BindAddress

    init(_ text: String, label: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
            throw ValidationError("--\(label)-addr must be HOST:PORT or :PORT, not \(text)")
        }
        address = .hostname(parts[0].isEmpty ? "0.0.0.0" : String(parts[0]), port: port)
    }
}

/// The reconcile loop as a service: cancelled on graceful shutdown.
struct LoopService: Service {
    let loop: ControllerLoop

    func run() async throws {
        await cancelWhenGracefulShutdown { await loop.run() }
    }
}

/// Leader election as a service: on shutdown it releases the lease so a successor takes over at once.
struct ElectionService: Service {
    let elector: LeaderElector

    func run() async throws {
        await cancelWhenGracefulShutdown { await elector.run() }
        await elector.release()
    }
}

/// One JSON object per line, for log collectors: time, level, label, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    let clock: WallClock
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, clock: WallClock) {
        self.label = label
        self.clock = clock
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: JSONValue = [
            "time": .string(ISO8601DateFormatter().string(from: clock.now())), "level": .string(event.level.rawValue), "logger": .string(label),
            "message": .string("\(event.message)"),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = .string("\(value)")
        }
        FileHandle.standardError.write(Data((object.jsonText + "\n").utf8))
    }
}
