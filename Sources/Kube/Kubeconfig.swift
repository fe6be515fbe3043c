import Foundation
import HTTP
import YAML

/// A kubeconfig file (clientcmd's `Config`, version v1) as far as a client needs it. Entries keep
/// where they were defined, so that later errors can point at them; relative file paths are
/// already resolved against the file's directory, as kubectl does.
public struct Kubeconfig: Sendable, Equatable {
    /// Where an entry was defined.
    public struct Origin: Sendable, Equatable {
        public var file: String
        public var mark: Mark?

        public init(file: String, mark: Mark? = nil) {
            self.file = file
            self.mark = mark
        }
    }

    public struct Cluster: Sendable, Equatable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?
        public var proxyURL: String?
        public var origin: Origin
        /// Marks of fields, for errors about them later (`server`, `certificate-authority`...).
        public var fieldMarks: [String: Mark] = [:]

        public init(origin: Origin) { self.origin = origin }
    }

    public struct User: Sendable, Equatable {
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: Secret<[UInt8]>?
        public var token: Secret<String>?
        public var tokenFile: String?
        public var username: String?
        public var password: Secret<String>?
        public var exec: ExecConfig?
        /// Legacy `auth-provider` plugins (gcp, azure, oidc) are gone from kubectl; we name them in an error.
        public var authProviderName: String?
        public var origin: Origin
        public var fieldMarks: [String: Mark] = [:]

        public init(origin: Origin) { self.origin = origin }
    }

    /// `users[].user.exec`: a credential plugin (client.authentication.k8s.io).
    public struct ExecConfig: Sendable, Equatable {
        public var command: String
        public var args: [String] = []
        public var env: [(name: String, value: String)] = []
        public var apiVersion: String
        public var installHint: String?
        public var provideClusterInfo = false
        public var interactiveMode: String?

        public init(command: String, apiVersion: String) {
            self.command = command
            self.apiVersion = apiVersion
        }

        public static func == (a: ExecConfig, b: ExecConfig) -> Bool {
            a.command == b.command && a.args == b.args && a.env.map(\.name) == b.env.map(\.name)
                && a.env.map(\.value) == b.env.map(\.value) && a.apiVersion == b.apiVersion
                && a.installHint == b.installHint && a.provideClusterInfo == b.provideClusterInfo
                && a.interactiveMode == b.interactiveMode
        }
    }

    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String
        public var namespace: String?
        public var origin: Origin

        public init(cluster: String, user: String, namespace: String? = nil, origin: Origin) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
            self.origin = origin
        }
    }

    /// Named entries in file order.
    public var clusters: [(name: String, cluster: Cluster)] = []
    public var users: [(name: String, user: User)] = []
    public var contexts: [(name: String, context: Context)] = []
    public var currentContext: String?

    public init() {}

    public func cluster(named name: String) -> Cluster? { clusters.first { $0.name == name }?.cluster }
    public func user(named name: String) -> User? { users.first { $0.name == name }?.user }
    public func context(named name: String) -> Context? { contexts.first { $0.name == name }?.context }

    public var isEmpty: Bool { clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext == nil }

    public static func == (a: Kubeconfig, b: Kubeconfig) -> Bool {
        a.clusters.map(\.name) == b.clusters.map(\.name) && a.clusters.map(\.cluster) == b.clusters.map(\.cluster)
            && a.users.map(\.name) == b.users.map(\.name) && a.users.map(\.user) == b.users.map(\.user)
            && a.contexts.map(\.name) == b.contexts.map(\.name) && a.contexts.map(\.context) == b.contexts.map(\.context)
            && a.currentContext == b.currentContext
    }

    /// Merges files as kubectl does: for clusters, users and contexts the first file that
    /// defines a name wins; the first `current-context` set wins.
    public static func merging(_ configs: [Kubeconfig]) -> Kubeconfig {
        var merged = Kubeconfig()
        for config in configs {
            for entry in config.clusters where merged.cluster(named: entry.name) == nil { merged.clusters.append(entry) }
            for entry in config.users where merged.user(named: entry.name) == nil { merged.users.append(entry) }
            for entry in config.contexts where merged.context(named: entry.name) == nil { merged.contexts.append(entry) }
            if merged.currentContext == nil, let current = config.currentContext, !current.isEmpty {
                merged.currentContext = current
            }
        }
        return merged
    }
}

extension Kubeconfig {
    /// Parses a kubeconfig. `file` names it in errors and anchors its relative paths. Fields we
    /// do not use are ignored, as kubectl ignores them; fields we use must have the right type.
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> Kubeconfig {
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser().documents(bytes)
        } catch {
            throw ConfigError(source: file, mark: error.mark, message: error.message)
        }
        guard documents.count <= 1 else {
            throw ConfigError(source: file, message: "a kubeconfig is one YAML document, found \(documents.count)")
        }
        guard let document = documents.first, !document.isNull(document.root) else { return Kubeconfig() }
        do {
            return Kubeconfig(try YAMLDecoder(strictness: .lenient).decode(KubeconfigFile.self, from: document), file: file)
        } catch {
            let problem = error.errors.first
            let field = problem.map { $0.path.components.isEmpty ? "(top level)" : "\($0.path)" }
            throw ConfigError(source: file, mark: problem?.mark, field: field, message: problem?.message ?? "the file cannot be read")
        }
    }

    public static func load(file: String) throws(ConfigError) -> Kubeconfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: file)
            throw ConfigError(source: file, message: exists ? "the file cannot be read" : "no such file")
        }
        return try parse(Array(data), file: file)
    }
}
