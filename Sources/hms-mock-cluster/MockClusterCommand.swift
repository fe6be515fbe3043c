import ArgumentParser
import Foundation
import MockCluster
import MockClusterServer
import Model
import NIOCore
import NIOPosix

/// `hms-mock-cluster`: a simulated Kubernetes cluster for tests and the demo.
@main
struct MockClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hms-mock-cluster",
        abstract: "Serve a simulated Kubernetes cluster on 127.0.0.1 for kubectl, hmsctl and tests.")

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 6443

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for this cluster to FILE once it listens.")
    var kubeconfigOut: String?

    @Option(help: "Keep objects in FILE across restarts.")
    var state: String?

    @Option(help: "Seconds a new pod takes to become ready.")
    var podStartupSeconds = 1.0

    @Option(help: "Seconds a Job runs when no test decided otherwise.")
    var jobSeconds = 2.0

    @Option(help: "Run the cluster's clock this many seconds ahead of the system clock (behind when negative), for tests that pin the calendar.")
    var clockOffsetSeconds: Double = 0

    @Option(help: "Connections open at once; more are closed as they arrive.")
    var maxConnections = 1024

    @Option(help: "Seconds a client has to send a whole request (slowloris guard).")
    var headerTimeoutSeconds = 30.0

    @Option(help: "Seed for generated names, uids and injected faults.")
    var seed: UInt64 = 0x6d6f_636b

    @Option(
        help: ArgumentHelp(
            "Tokens and roles that TokenReview and SubjectAccessReview answer from (JSON or YAML).",
            discussion: """
                The same document as `PUT /mock/v1/auth`, which replaces it at run time:
                  {"tokens": [{"token": "t-1", "user": "alice", "groups": ["ops"]}],
                   "roles": [{"user": "alice", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]}]}
                A role grants its verbs on its resources to one user or group, in every namespace unless it \
                lists `namespaces`; "*" matches anything. Without --authorize the mock's own API does not check tokens.
                """,
            valueName: "file"))
    var auth: String?

    @Flag(
        help: ArgumentHelp(
            "Authenticate every request and authorize it with the RBAC objects stored in the cluster.",
            discussion: """
                Bearer tokens from --auth, ServiceAccount tokens minted by TokenRequest \
                (`kubectl create token SA`), and the --kubeconfig-out token, an administrator in system:masters. \
                A request without a known token gets 401; one RBAC does not allow gets 403.
                """))
    var authorize = false

    @Option(name: .customLong("tls-cert-file"), help: ArgumentHelp(
        "Serve HTTPS with this PEM certificate (kubectl sends tokens only over TLS); the kubeconfig trusts it.",
        discussion: "--kubeconfig-out writes the file as the cluster's certificate authority: give a self-signed certificate.",
        valueName: "file"))
    var tlsCertFile: String?

    @Option(name: .customLong("tls-private-key-file"), help: ArgumentHelp("The private key of --tls-cert-file (PEM).", valueName: "file"))
    var tlsPrivateKeyFile: String?

    func validate() throws {
        guard clockOffsetSeconds.isFinite, abs(clockOffsetSeconds) <= 100 * 365 * 86_400 else {
            throw ValidationError("--clock-offset-seconds must be within a hundred years")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard headerTimeoutSeconds.isFinite, headerTimeoutSeconds > 0, headerTimeoutSeconds <= 86_400 else {
            throw ValidationError("--header-timeout-seconds must be more than 0 and at most a day")
        }
        guard (tlsCertFile == nil) == (tlsPrivateKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-private-key-file go together")
        }
        if let auth, !FileManager.default.isReadableFile(atPath: auth) {
            throw ValidationError("cannot read the --auth file \(auth)")
        }
    }

    func run() async throws {
        // One event loop, and Swift's tasks (the simulation's clock) run on it too: everything the
        // mock does happens on one thread, so the lock around the cluster is never contended. Two
        // loops contending for it cost more CPU than they saved.
        NIOSingletons.groupLoopCountSuggestion = 1
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var options = MockClusterServer.Options()
        options.host = host
        options.port = port
        options.stateFile = state
        options.clock = .system(offsetBy: clockOffsetSeconds)
        options.settings.podStartupSeconds = podStartupSeconds
        options.settings.jobSeconds = jobSeconds
        options.settings.seed = seed
        options.maxConnections = maxConnections
        options.headerTimeoutSeconds = headerTimeoutSeconds
        options.settings.authorize = authorize
        if let tlsCertFile, let tlsPrivateKeyFile { options.tls = (tlsCertFile, tlsPrivateKeyFile) }
        let authority = try tlsCertFile.map { try Data(contentsOf: URL(fileURLWithPath: $0)).base64EncodedString() }
        if let auth {
            do {
                options.settings.access = try AccessTables(file: auth, bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: auth))))
            } catch let problem as AccessTables.FileProblem {
                FileHandle.standardError.write(Data("hms-mock-cluster: \(problem)\n".utf8))
                throw ExitCode.failure
            }
        }
        let server = try MockClusterServer(options: options)
        let kubeconfigOut = kubeconfigOut
        let host = host
        try await server.run { port in
            let url = "\(authority == nil ? "http" : "https")://\(host):\(port)"
            if let kubeconfigOut {
                do {
                    try Kubeconfig.text(server: url, certificateAuthority: authority).write(toFile: kubeconfigOut, atomically: true, encoding: .utf8)
                } catch {
                    FileHandle.standardError.write(Data("hms-mock-cluster: cannot write \(kubeconfigOut): \(error)\n".utf8))
                }
            }
            // Scripts wait for this line; write it unbuffered.
            FileHandle.standardOutput.write(Data("hms-mock-cluster listening on \(url)\n".utf8))
        }
    }
}

enum Kubeconfig {
    static func text(server: String, certificateAuthority: String?) -> String {
        let trust = certificateAuthority.map { "\n    certificate-authority-data: \($0)" } ?? ""
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: hms-mock
          cluster:
            server: \(server)\(trust)
        users:
        - name: hms-mock
          user:
            token: \(MockCluster.adminToken)
        contexts:
        - name: hms-mock
          context:
            cluster: hms-mock
            user: hms-mock
            namespace: default
        current-context: hms-mock

        """
    }
}

