import ArgumentParser
import Controller
import Foundation
import Kube
import Logging
import Manifests
import Model
import Planner

/// The global flags every cluster command takes, named as kubectl names them.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to the kubeconfig file (else $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    @Option(name: [.customShort("n"), .long], help: "The namespace (else the context's, else default).")
    var namespace: String?

    @Option(help: "The address of the Kubernetes API server, overriding the kubeconfig.")
    var server: String?

    @Option(help: "A bearer token for the API server. It is never printed, even at -v 9.")
    var token: String?

    @Option(name: [.customShort("v"), .long], help: "Log verbosity: 0 warnings only, 4 requests, 9 everything.")
    var verbosity = 0

    /// A client for the resolved configuration, with logs to standard error at the chosen level.
    func cluster(fieldManager: String, terminal: Terminal) throws -> ClusterAccess {
        Self.bootstrapLogging(verbosity)
        let overrides = ConfigOverrides(kubeconfig: kubeconfig, context: context, namespace: namespace, server: server, token: token)
        do {
            var config = try ConfigResolver.resolve(overrides)
            config.userAgent = "hmsctl/0.1.0 (\(currentUser()))"
            var logger = Logger(label: "hmsctl")
            logger.logLevel = Self.level(verbosity)
            return ClusterAccess(client: try KubeClient(config: config, logger: logger), fieldManager: fieldManager)
        } catch {
            terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    static func level(_ verbosity: Int) -> Logger.Level {
        switch verbosity {
        case ..<1: .warning
        case 1...3: .info
        case 4...6: .debug
        default: .trace
        }
    }

    nonisolated(unsafe) private static var bootstrapped = false

    static func bootstrapLogging(_ verbosity: Int) {
        guard !bootstrapped else { return }
        bootstrapped = true
        let level = level(verbosity)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Who runs hmsctl, for the journal and for approvals.
func currentUser() -> String {
    let environment = ProcessInfo.processInfo.environment
    return environment["USER"] ?? environment["LOGNAME"] ?? ProcessInfo.processInfo.userName
}

/// Manifests from `-f`, or every error and exit 1 before anything touches the cluster.
func loadValidManifests(_ files: FileOptions, terminal: Terminal) throws -> [Manifest] {
    let result = ManifestLoader(recursive: files.recursive).load(files.paths, standardInput: terminal.input)
    guard result.diagnostics.isEmpty else {
        for diagnostic in result.diagnostics { terminal.printError(diagnostic.description) }
        let errors = result.diagnostics.count
        terminal.printError("\(errors) \(plural(errors, "error")); nothing was written.")
        throw ExitCode(1)
    }
    return result.manifests
}

/// The desired state of a plan: the manifests, plus what the cluster holds that they do not name
/// (the policies, budgets, rules and approvals that govern them).
func desiredState(_ manifests: [Manifest], cluster: ClusterAccess, terminal: Terminal) async throws -> DesiredState {
    try await ClusterContext.read(for: manifests, cluster: cluster, terminal: terminal).desiredState(manifests.map(\.resource))
}

/// What the cluster holds around a set of manifests: the resources of our kinds that they do not
/// name, and the stored run state of the Directives they do. Storing the manifests changes
/// neither, so `apply` reads it while it stores them.
struct ClusterContext: Sendable {
    var unnamed: [AnyResource] = []
    var liveDirectives: [ObjectRef: Directive] = [:]
    /// What the cluster holds that does not decode or validate: left out of the plan, and still
    /// counted (an invalid policy holds back the changes it could govern).
    var invalid: [InvalidObject] = []

    static func read(for manifests: [Manifest], cluster: ClusterAccess, terminal: Terminal) async throws -> ClusterContext {
        let named = Set(manifests.map { $0.resource.resource.ref })
        let namespaces = Set(manifests.map { $0.resource.resource.ref.namespace })
        var context = ClusterContext()
        for namespace in namespaces.sorted() {
            do {
                // Services come from the manifests only: their kind is not read back.
                let read = try await cluster.resources(namespace: namespace, kinds: AnyResource.kinds.filter { $0.kind != ServiceSpec.kind })
                context.invalid += read.invalid.filter { !named.contains($0.ref) }
                for resource in read.valid {
                    if case .directive(let live) = resource {
                        // A Directive's runs live in the cluster: plan with its stored status, not from scratch.
                        if named.contains(live.ref) { context.liveDirectives[live.ref] = live }
                        continue
                    }
                    guard !named.contains(resource.resource.ref) else { continue }
                    context.unnamed.append(resource)
                }
            } catch {
                try terminal.failOnMissingCRDs(error)
            }
        }
        terminal.warnAboutInvalid(context.invalid)
        return context
    }

    func desiredState(_ resources: [AnyResource]) -> DesiredState {
        let declared = resources.map { resource in
            guard case .directive(var directive) = resource, let live = liveDirectives[directive.ref] else { return resource }
            directive.adoptingRunState(of: live)
            return .directive(directive)
        }
        return DesiredState(declared + unnamed, invalid: invalid)
    }
}

extension Terminal {
    /// One line on standard error per invalid object the cluster holds, with every field error.
    func warnAboutInvalid(_ objects: [InvalidObject]) {
        for object in objects.sorted(by: { $0.ref < $1.ref }) {
            printError("warning: \(object.kind) \(object.namespace)/\(object.name) in the cluster is invalid and left out: \(object.summary())")
        }
    }

    /// A 404 on our kinds means the CustomResourceDefinitions are not installed, or the namespace
    /// does not exist: say which, and how to mend it.
    func failOnMissingCRDs(_ error: KubeError) throws -> Never {
        printError("error: \(explained(error))")
        throw ExitCode(1)
    }
}

extension Directive {
    /// What the cluster knows of a stored Directive that the manifest cannot: its identity, age,
    /// run request and status.
    mutating func adoptingRunState(of live: Directive) {
        metadata.uid = live.metadata.uid
        metadata.creationTimestamp = live.metadata.creationTimestamp
        if let request = live.metadata.annotations?[DirectiveNaming.runRequestAnnotation] {
            metadata.annotations = (metadata.annotations ?? [:]).merging([DirectiveNaming.runRequestAnnotation: request]) { mine, _ in mine }
        }
        status = live.status
    }
}

/// The error as a user can act on it: a missing namespace or missing CRDs named as such.
func explained(_ error: KubeError) -> String {
    guard error.reason == .notFound else { return "\(error)" }
    if let namespace = missingNamespace(error) {
        return "namespace \"\(namespace)\" not found; create it first: kubectl create namespace \(namespace)"
    }
    return "the ops.hms.gov CustomResourceDefinitions are not installed in this cluster; install them with: hmsctl crds | kubectl apply -f -"
}

/// The namespace a 404 names, when what was missing is a namespace (`details.kind: namespaces`).
func missingNamespace(_ error: KubeError) -> String? {
    guard case .api(let api) = error, let details = api.status?.details, details.kind == "namespaces" else { return nil }
    return details.name
}
