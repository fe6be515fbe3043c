import Foundation
import HTTP

/// Everything needed to talk to one API server: where, how to trust it, who we are, and the
/// namespace to use when a call names none. The result of `ConfigResolver.resolve`.
public struct ClientConfig: Sendable, Equatable {
    public var server: String
    public var tls: TLSConfiguration
    public var credentials: Credentials
    public var namespace: String
    /// The cluster's `proxy-url`; nil: the proxy environment variables.
    public var proxyURL: String?
    /// The User-Agent sent with every request; callers name themselves (a controller its identity).
    public var userAgent = "hms-controller/0.1 (linux) kube-client"
    /// The cluster's `tls-server-name`, which this client cannot honour yet (it warns).
    public var tlsServerName: String? { clusterInfo.tlsServerName }
    /// Where this came from, for logs and errors: `kubeconfig /home/me/.kube/config, context "dev"`.
    public var source: String
    /// What an exec plugin with `provideClusterInfo` is told about the cluster.
    public var clusterInfo: ExecClusterInfo

    public init(server: String, tls: TLSConfiguration = TLSConfiguration(), credentials: Credentials = .none, namespace: String = "default", source: String = "flags") {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
        clusterInfo = ExecClusterInfo(server: server, certificateAuthorityData: nil, insecureSkipTLSVerify: tls.insecureSkipVerify, tlsServerName: nil)
    }
}

/// How requests prove who sends them (client certificates live in `TLSConfiguration`).
public enum Credentials: Sendable, Equatable, CustomStringConvertible {
    case none
    case bearerToken(Secret<String>)
    /// A token read from a file and read again when it may have rotated (service-account tokens).
    case tokenFile(String)
    case basic(username: String, password: Secret<String>)
    case exec(Kubeconfig.ExecConfig)

    public var description: String {
        switch self {
        case .none: "none"
        case .bearerToken: "bearer token"
        case .tokenFile(let path): "token file \(path)"
        case .basic(let username, _): "basic auth as \(username)"
        case .exec(let exec): "exec plugin \(exec.command)"
        }
    }
}

/// `ExecCredential.spec.cluster`, sent to plugins that ask for it.
public struct ExecClusterInfo: Sendable, Equatable {
    public var server: String
    public var certificateAuthorityData: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?

    public init(server: String, certificateAuthorityData: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil) {
        self.server = server
        self.certificateAuthorityData = certificateAuthorityData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
    }
}

/// kubectl's global flags that change the configuration.
public struct ConfigOverrides: Sendable, Equatable {
    public var kubeconfig: String?
    public var context: String?
    public var cluster: String?
    public var user: String?
    public var namespace: String?
    public var server: String?
    public var token: Secret<String>?
    public var insecureSkipTLSVerify: Bool?

    public init(kubeconfig: String? = nil, context: String? = nil, cluster: String? = nil, user: String? = nil, namespace: String? = nil, server: String? = nil, token: String? = nil, insecureSkipTLSVerify: Bool? = nil) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
        self.server = server
        self.token = token.map(Secret.init)
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }
}

/// What resolution reads from the process: environment variables, the home directory, and
/// where a pod's service-account files are. Tests point these at temporary directories.
public struct ConfigEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String?
    public var serviceAccountDirectory: String

    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public init(variables: [String: String], homeDirectory: String?, serviceAccountDirectory: String = ConfigEnvironment.defaultServiceAccountDirectory) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.serviceAccountDirectory = serviceAccountDirectory
    }

    public static var process: ConfigEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return ConfigEnvironment(variables: variables, homeDirectory: variables["HOME"] ?? NSHomeDirectory())
    }
}
