import Foundation

/// What goes with a request to prove who sends it.
public struct AuthMaterial: Sendable, Equatable {
    /// The `Authorization` header's value.
    public var authorization: Secret<String>?
    /// A client certificate and key from an exec plugin (PEM).
    public var clientCertificate: [UInt8]?
    public var clientKey: Secret<[UInt8]>?

    public init(authorization: Secret<String>? = nil, clientCertificate: [UInt8]? = nil, clientKey: Secret<[UInt8]>? = nil) {
        self.authorization = authorization
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}

/// Turns `Credentials` into `AuthMaterial`, caching what is costly: a token file is read again
/// at most once a minute (service-account tokens rotate, as client-go assumes), an exec plugin's
/// credential is kept until its `expirationTimestamp`. After a 401, `invalidate()` forces both
/// to be fetched again.
public actor CredentialProvider {
    public static let tokenFileRefreshInterval: TimeInterval = 60

    public let credentials: Credentials
    private let clusterInfo: ExecClusterInfo
    private let dependencies: KubeDependencies
    private let baseEnvironment: [String: String]

    private var fileToken: (token: Secret<String>, readAt: Date)?
    private var execCredential: ExecCredentialProtocol.Credential?
    private var execInFlight: Task<Result<ExecCredentialProtocol.Credential, KubeError>, Never>?

    public init(_ credentials: Credentials, clusterInfo: ExecClusterInfo, dependencies: KubeDependencies = .live, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.credentials = credentials
        self.clusterInfo = clusterInfo
        self.dependencies = dependencies
        baseEnvironment = environment
    }

    /// Whether fetching again could help after a 401.
    public var canRefresh: Bool {
        switch credentials {
        case .tokenFile, .exec: true
        default: false
        }
    }

    public func invalidate() {
        fileToken = nil
        execCredential = nil
    }

    public func material() async throws(KubeError) -> AuthMaterial {
        switch credentials {
        case .none:
            return AuthMaterial()
        case .bearerToken(let token):
            return AuthMaterial(authorization: Secret("Bearer \(token.value)"))
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password.value)".utf8).base64EncodedString()
            return AuthMaterial(authorization: Secret("Basic \(encoded)"))
        case .tokenFile(let path):
            return AuthMaterial(authorization: Secret("Bearer \(try token(fromFile: path).value)"))
        case .exec(let exec):
            let credential = try await execCredential(exec)
            return AuthMaterial(
                authorization: credential.token.map { Secret("Bearer \($0.value)") },
                clientCertificate: credential.clientCertificateData.map { Array($0.utf8) },
                clientKey: credential.clientKeyData.map { Secret(Array($0.value.utf8)) }
            )
        }
    }

    private func token(fromFile path: String) throws(KubeError) -> Secret<String> {
        let now = dependencies.now()
        if let cached = fileToken, now.timeIntervalSince(cached.readAt) < Self.tokenFileRefreshInterval {
            return cached.token
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentials("the token file \(path) cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .credentials("the token file \(path) is empty") }
        fileToken = (Secret(token), now)
        return Secret(token)
    }

    private func execCredential(_ exec: Kubeconfig.ExecConfig) async throws(KubeError) -> ExecCredentialProtocol.Credential {
        if let cached = execCredential, cached.expiration.map({ dependencies.now() < $0 }) ?? true {
            return cached
        }
        if exec.interactiveMode == "Always" {
            throw .credentials("exec plugin \"\(exec.command)\" needs a terminal (interactiveMode: Always), which this program never has")
        }
        // Concurrent requests share one run of the plugin.
        let task: Task<Result<ExecCredentialProtocol.Credential, KubeError>, Never>
        if let running = execInFlight {
            task = running
        } else {
            let invocation = invocation(for: exec)
            let run = dependencies.runProcess
            task = Task {
                do throws(KubeError) {
                    let result = try await run(invocation)
                    guard result.status == 0 else {
                        let stderr = String(decoding: result.standardError.prefix(1000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        var message = "exec plugin \"\(exec.command)\" failed with exit status \(result.status)"
                        if !stderr.isEmpty { message += ": \(stderr)" }
                        return .failure(.credentials(message))
                    }
                    return .success(try ExecCredentialProtocol.parse(result.standardOutput, apiVersion: exec.apiVersion, command: exec.command))
                } catch {
                    var error = error
                    if case .credentials(let message) = error, let hint = exec.installHint, !hint.isEmpty, message.contains("was not found") {
                        error = .credentials("\(message)\n\(hint)")
                    }
                    return .failure(error)
                }
            }
            execInFlight = task
        }
        let result = await task.value
        execInFlight = nil
        let credential = try result.get()
        execCredential = credential
        return credential
    }

    nonisolated func invocation(for exec: Kubeconfig.ExecConfig) -> ProcessInvocation {
        var environment = baseEnvironment
        for variable in exec.env { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = ExecCredentialProtocol.execInfo(apiVersion: exec.apiVersion, cluster: exec.provideClusterInfo ? clusterInfo : nil)
        return ProcessInvocation(command: exec.command, arguments: exec.args, environment: environment)
    }
}
