import Foundation
import YAML

typealias YAMLMark = Mark
import HTTP

/// Finds the configuration as kubectl does, and says loudly when a source is wrong:
///
/// 1. `--kubeconfig FILE`: that file only; it must exist.
/// 2. `$KUBECONFIG`: a `:`-separated list, merged (first file wins per name, first
///    `current-context` wins); files that do not exist are skipped, malformed ones are errors.
/// 3. `~/.kube/config`, when it exists.
/// 4. In a pod: when no file gave any configuration, `KUBERNETES_SERVICE_HOST` and
///    `KUBERNETES_SERVICE_PORT` are set and the service-account token exists.
///
/// Then `--context`, `--cluster`, `--user`, `--server`, `--token`, `--namespace` and
/// `--insecure-skip-tls-verify` override what the files say. As kubectl, credentials are only
/// sent over https.
public enum ConfigResolver {
    public static func resolve(_ overrides: ConfigOverrides = ConfigOverrides(), environment: ConfigEnvironment = .process) throws(ConfigError) -> ClientConfig {
        let files = kubeconfigFiles(overrides, environment: environment)
        var configs: [Kubeconfig] = []
        for file in files { configs.append(try Kubeconfig.load(file: file)) }
        let merged = Kubeconfig.merging(configs)
        let described = files.isEmpty ? "no kubeconfig" : files.joined(separator: ":")

        if merged.isEmpty, overrides.kubeconfig == nil, overrides.server == nil, inClusterPossible(environment) {
            return try inCluster(overrides, environment: environment)
        }
        if merged.isEmpty, overrides.server == nil {
            throw ConfigError(source: "configuration", message: noConfigurationMessage(files: files, environment: environment))
        }

        let (contextName, context, cluster, user) = try chosen(merged, overrides: overrides, described: described)
        let server = try serverURL(overrides.server ?? cluster.server ?? "", cluster: cluster)
        let tls = try tlsConfiguration(cluster: cluster, user: user, overrides: overrides)
        let secure = server.hasPrefix("https://")
        let credentials = secure ? try self.credentials(user: user, overrides: overrides) : .none
        var config = ClientConfig(
            server: server,
            tls: secure ? tls : TLSConfiguration(),
            credentials: credentials,
            namespace: overrides.namespace ?? context?.namespace ?? "default",
            source: "kubeconfig \(described)" + (contextName.map { ", context \"\($0)\"" } ?? "")
        )
        if let proxy = cluster.proxyURL, !proxy.isEmpty { config.proxyURL = proxy }
        var caData = cluster.certificateAuthorityData
        if caData == nil, let path = cluster.certificateAuthority {
            caData = try read(path, cluster.origin, cluster.fieldMarks["certificate-authority"], "certificate-authority")
        }
        config.clusterInfo = ExecClusterInfo(server: server, certificateAuthorityData: caData, insecureSkipTLSVerify: tls.insecureSkipVerify, tlsServerName: cluster.tlsServerName)
        return config
    }

    /// The context the overrides or the files name, and its cluster and user (empty ones when
    /// `--server` stands in for them).
    private static func chosen(_ merged: Kubeconfig, overrides: ConfigOverrides, described: String) throws(ConfigError)
        -> (contextName: String?, context: Kubeconfig.Context?, cluster: Kubeconfig.Cluster, user: Kubeconfig.User)
    {
        let contextName = overrides.context ?? merged.currentContext
        var context: Kubeconfig.Context?
        if let contextName {
            guard let found = merged.context(named: contextName) else {
                let known = merged.contexts.map { "\"\($0.name)\"" }.joined(separator: ", ")
                let source = overrides.context != nil ? "--context" : described
                throw ConfigError(source: source, message: "context \"\(contextName)\" does not exist\(known.isEmpty ? "" : " (contexts: \(known))")")
            }
            context = found
        } else if overrides.server == nil {
            let known = merged.contexts.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw ConfigError(source: described, message: "no current-context is set; pass --context\(known.isEmpty ? "" : " (contexts: \(known))")")
        }

        var cluster = Kubeconfig.Cluster(origin: Kubeconfig.Origin(file: "--server"))
        if let clusterName = overrides.cluster ?? context?.cluster, !clusterName.isEmpty {
            guard let found = merged.cluster(named: clusterName) else {
                throw ConfigError(source: context?.origin.file ?? "--cluster", mark: context?.origin.mark, field: contextName.map { "context \"\($0)\"" },
                                  message: "cluster \"\(clusterName)\" is not defined")
            }
            cluster = found
        }
        var user = Kubeconfig.User(origin: Kubeconfig.Origin(file: "--user"))
        if let userName = overrides.user ?? context?.user, !userName.isEmpty {
            guard let found = merged.user(named: userName) else {
                throw ConfigError(source: context?.origin.file ?? "--user", mark: context?.origin.mark, field: contextName.map { "context \"\($0)\"" },
                                  message: "user \"\(userName)\" is not defined")
            }
            user = found
        }

        return (contextName, context, cluster, user)
    }

    /// The kubeconfig files that resolution reads, in order.
    public static func kubeconfigFiles(_ overrides: ConfigOverrides, environment: ConfigEnvironment) -> [String] {
        if let explicit = overrides.kubeconfig { return [explicit] }
        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted && FileManager.default.fileExists(atPath: $0) }
        }
        if let home = environment.homeDirectory {
            let file = "\(home)/.kube/config"
            if FileManager.default.fileExists(atPath: file) { return [file] }
        }
        return []
    }

    public static func inClusterPossible(_ environment: ConfigEnvironment) -> Bool {
        var isDirectory: ObjCBool = false
        return !(environment.variables["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty
            && !(environment.variables["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
            && FileManager.default.fileExists(atPath: "\(environment.serviceAccountDirectory)/token", isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    /// A pod's own configuration: the API server from the environment, the service account's
    /// token (read again as it rotates), CA and namespace from its directory.
    public static func inCluster(_ overrides: ConfigOverrides = ConfigOverrides(), environment: ConfigEnvironment) throws(ConfigError) -> ClientConfig {
        let host = environment.variables["KUBERNETES_SERVICE_HOST"] ?? ""
        let port = environment.variables["KUBERNETES_SERVICE_PORT"] ?? ""
        guard !host.isEmpty, !port.isEmpty else {
            throw ConfigError(source: "in-cluster configuration", message: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        guard UInt16(port) != nil else {
            throw ConfigError(source: "in-cluster configuration", field: "KUBERNETES_SERVICE_PORT", message: "expected a port number, found \"\(port)\"")
        }
        let directory = environment.serviceAccountDirectory
        let tokenFile = "\(directory)/token"
        let caFile = "\(directory)/ca.crt"
        guard FileManager.default.isReadableFile(atPath: tokenFile) else {
            throw ConfigError(source: tokenFile, message: "the service-account token cannot be read")
        }
        guard let ca = FileManager.default.contents(atPath: caFile) else {
            throw ConfigError(source: caFile, message: "the service-account CA certificate cannot be read")
        }
        var namespace = "default"
        if let data = FileManager.default.contents(atPath: "\(directory)/namespace") {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        let server = "https://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        var config = ClientConfig(
            server: server,
            tls: TLSConfiguration(certificateAuthority: .file(caFile)),
            credentials: overrides.token.map(Credentials.bearerToken) ?? .tokenFile(tokenFile),
            namespace: overrides.namespace ?? namespace,
            source: "in-cluster (service account in \(directory))"
        )
        config.clusterInfo.certificateAuthorityData = Array(ca)
        return config
    }

    private static func noConfigurationMessage(files: [String], environment: ConfigEnvironment) -> String {
        var tried = ["no --kubeconfig"]
        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            tried.append("$KUBECONFIG (\(list)) names no file with any configuration")
        } else {
            tried.append("$KUBECONFIG is not set")
        }
        tried.append("no \(environment.homeDirectory.map { "\($0)/.kube/config" } ?? "~/.kube/config")")
        tried.append("not in a cluster (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and \(environment.serviceAccountDirectory)/token are not all there)")
        return "no configuration found: " + tried.joined(separator: ", ")
    }

    private static func serverURL(_ server: String, cluster: Kubeconfig.Cluster) throws(ConfigError) -> String {
        guard !server.isEmpty else {
            throw ConfigError(source: cluster.origin.file, mark: cluster.origin.mark, message: "the cluster has no server")
        }
        // kubectl takes `host:port` to mean https.
        var url = server.contains("://") ? server : "https://\(server)"
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), URL(string: url)?.host != nil else {
            throw ConfigError(source: cluster.origin.file, mark: cluster.fieldMarks["server"] ?? cluster.origin.mark, field: "server", message: "expected an http or https URL, found \"\(server)\"")
        }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    private static func tlsConfiguration(cluster: Kubeconfig.Cluster, user: Kubeconfig.User, overrides: ConfigOverrides) throws(ConfigError) -> TLSConfiguration {
        var tls = TLSConfiguration()
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthority = .data(data)
        } else if let path = cluster.certificateAuthority {
            try requireReadable(path, cluster.origin, cluster.fieldMarks["certificate-authority"], "certificate-authority")
            tls.certificateAuthority = .file(path)
        }
        if let insecure = overrides.insecureSkipTLSVerify {
            // The flag wins, and a CA from the file no longer applies, as in kubectl.
            tls.insecureSkipVerify = insecure
            if insecure { tls.certificateAuthority = nil }
        } else if cluster.insecureSkipTLSVerify {
            if tls.certificateAuthority != nil {
                throw ConfigError(source: cluster.origin.file, mark: cluster.fieldMarks["insecure-skip-tls-verify"], field: "insecure-skip-tls-verify",
                                  message: "a certificate authority and insecure-skip-tls-verify cannot both be set")
            }
            tls.insecureSkipVerify = true
        }
        if let data = user.clientCertificateData {
            tls.clientCertificate = .data(data)
        } else if let path = user.clientCertificate {
            try requireReadable(path, user.origin, user.fieldMarks["client-certificate"], "client-certificate")
            tls.clientCertificate = .file(path)
        }
        if let data = user.clientKeyData {
            tls.clientKey = .data(data.value)
        } else if let path = user.clientKey {
            try requireReadable(path, user.origin, user.fieldMarks["client-key"], "client-key")
            tls.clientKey = .file(path)
        }
        if (tls.clientCertificate == nil) != (tls.clientKey == nil) {
            throw ConfigError(source: user.origin.file, mark: user.origin.mark, field: tls.clientKey == nil ? "client-key" : "client-certificate",
                              message: "a client certificate needs both a certificate and a key")
        }
        return tls
    }

    private static func credentials(user: Kubeconfig.User, overrides: ConfigOverrides) throws(ConfigError) -> Credentials {
        if let token = overrides.token { return .bearerToken(token) }
        if let token = user.token { return .bearerToken(token) }
        if let path = user.tokenFile {
            try requireReadable(path, user.origin, user.fieldMarks["tokenFile"], "tokenFile")
            return .tokenFile(path)
        }
        if let exec = user.exec { return .exec(exec) }
        if let username = user.username, !username.isEmpty {
            return .basic(username: username, password: user.password ?? Secret(""))
        }
        if let provider = user.authProviderName {
            throw ConfigError(source: user.origin.file, mark: user.fieldMarks["auth-provider"], field: "auth-provider",
                              message: "auth-provider \"\(provider)\" is not supported (kubectl dropped these plugins); use an exec credential plugin")
        }
        return .none
    }

    private static func requireReadable(_ path: String, _ origin: Kubeconfig.Origin, _ mark: YAMLMark?, _ field: String) throws(ConfigError) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ConfigError(source: origin.file, mark: mark, field: field, message: "\(path) cannot be read")
        }
    }

    private static func read(_ path: String, _ origin: Kubeconfig.Origin, _ mark: YAMLMark?, _ field: String) throws(ConfigError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(source: origin.file, mark: mark, field: field, message: "\(path) cannot be read")
        }
        return Array(data)
    }
}
