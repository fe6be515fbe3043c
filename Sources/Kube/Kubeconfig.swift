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
        let documents: [Node]
        do {
            documents = try YAMLParser().parse(bytes)
        } catch {
            throw ConfigError(source: file, mark: error.mark, message: error.message)
        }
        guard documents.count <= 1 else {
            throw ConfigError(source: file, message: "a kubeconfig is one YAML document, found \(documents.count)")
        }
        guard let root = documents.first, root.resolved != .null else { return Kubeconfig() }
        // Not NSString.deletingLastPathComponent: it traps on a bare file name.
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? ""
        let reader = ConfigReader(file: file, directory: file.hasPrefix("/") && directory.isEmpty ? "/" : directory)
        return try reader.config(root)
    }

    public static func load(file: String) throws(ConfigError) -> Kubeconfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: file)
            throw ConfigError(source: file, message: exists ? "the file cannot be read" : "no such file")
        }
        return try parse(Array(data), file: file)
    }
}

/// Reads the node tree, field by field, keeping positions for errors.
private struct ConfigReader {
    let file: String
    let directory: String

    func error(_ node: Node, _ field: String, _ message: String) -> ConfigError {
        ConfigError(source: file, mark: node.mark, field: field, message: message)
    }

    func mapping(_ node: Node, _ field: String) throws(ConfigError) -> [Node.Pair] {
        if node.resolved == .null { return [] }
        guard let pairs = node.mapping else { throw error(node, field, "expected a mapping, found \(node.kindDescription)") }
        return pairs
    }

    func list(_ node: Node, _ field: String) throws(ConfigError) -> [Node] {
        if node.resolved == .null { return [] }
        guard let items = node.sequence else { throw error(node, field, "expected a list, found \(node.kindDescription)") }
        return items
    }

    func string(_ node: Node, _ field: String) throws(ConfigError) -> String {
        switch node.resolved {
        case .string(let s)?: return s
        // kubectl reads YAML into JSON strings: a bare number or boolean where a string belongs
        // is refused there too, but a null is an empty value.
        case .null?: return ""
        default: throw error(node, field, "expected a string, found \(node.kindDescription)")
        }
    }

    func bool(_ node: Node, _ field: String) throws(ConfigError) -> Bool {
        switch node.resolved {
        case .bool(let b)?: return b
        case .null?: return false
        default: throw error(node, field, "expected true or false, found \(node.kindDescription)")
        }
    }

    func base64(_ node: Node, _ field: String) throws(ConfigError) -> [UInt8] {
        let text = try string(node, field)
        guard let data = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
            // Never echo the value: it may be a key.
            throw error(node, field, "expected base64-encoded data, found something else (\(text.count) characters)")
        }
        return Array(data)
    }

    /// A path as written, made absolute against the kubeconfig's directory.
    func path(_ node: Node, _ field: String) throws(ConfigError) -> String? {
        let text = try string(node, field)
        if text.isEmpty { return nil }
        return resolve(text)
    }

    func resolve(_ written: String) -> String {
        var trimmed = Substring(written)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        let path = String(trimmed)
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : "\(directory)/\(path)"
    }

    func config(_ root: Node) throws(ConfigError) -> Kubeconfig {
        var config = Kubeconfig()
        for pair in try mapping(root, "(top level)") {
            let key = pair.key.scalar?.string ?? ""
            switch key {
            case "clusters":
                for (index, item) in try list(pair.value, key).enumerated() {
                    let (name, body) = try namedEntry(item, "clusters[\(index)]", body: "cluster")
                    config.clusters.append((name, try cluster(body, "clusters[\(index)].cluster", origin: Kubeconfig.Origin(file: file, mark: item.mark))))
                }
            case "users":
                for (index, item) in try list(pair.value, key).enumerated() {
                    let (name, body) = try namedEntry(item, "users[\(index)]", body: "user")
                    config.users.append((name, try user(body, "users[\(index)].user", origin: Kubeconfig.Origin(file: file, mark: item.mark))))
                }
            case "contexts":
                for (index, item) in try list(pair.value, key).enumerated() {
                    let (name, body) = try namedEntry(item, "contexts[\(index)]", body: "context")
                    config.contexts.append((name, try context(body, "contexts[\(index)].context", origin: Kubeconfig.Origin(file: file, mark: item.mark))))
                }
            case "current-context":
                let current = try string(pair.value, key)
                config.currentContext = current.isEmpty ? nil : current
            case "kind":
                let kind = try string(pair.value, key)
                if !kind.isEmpty && kind != "Config" { throw error(pair.value, key, "expected \"Config\", found \"\(kind)\"") }
            case "apiVersion":
                let version = try string(pair.value, key)
                if !version.isEmpty && version != "v1" { throw error(pair.value, key, "expected \"v1\", found \"\(version)\"") }
            default:
                break
            }
        }
        return config
    }

    /// `- name: x` plus the body under `bodyKey`; a name is required and unique per list is the
    /// merge's business (first wins), as in kubectl.
    func namedEntry(_ item: Node, _ field: String, body bodyKey: String) throws(ConfigError) -> (String, Node) {
        _ = try mapping(item, field)
        guard let nameNode = item["name"] else { throw error(item, "\(field).name", "a name is required") }
        let name = try string(nameNode, "\(field).name")
        if name.isEmpty { throw error(nameNode, "\(field).name", "a name is required") }
        return (name, item[bodyKey] ?? Node.null)
    }

    func cluster(_ node: Node, _ field: String, origin: Kubeconfig.Origin) throws(ConfigError) -> Kubeconfig.Cluster {
        var cluster = Kubeconfig.Cluster(origin: origin)
        for pair in try mapping(node, field) {
            let key = pair.key.scalar?.string ?? ""
            let path = "\(field).\(key)"
            cluster.fieldMarks[key] = pair.value.mark
            switch key {
            case "server": cluster.server = try string(pair.value, path)
            case "certificate-authority": cluster.certificateAuthority = try self.path(pair.value, path)
            case "certificate-authority-data": cluster.certificateAuthorityData = try base64(pair.value, path)
            case "insecure-skip-tls-verify": cluster.insecureSkipTLSVerify = try bool(pair.value, path)
            case "tls-server-name": cluster.tlsServerName = try string(pair.value, path)
            case "proxy-url": cluster.proxyURL = try string(pair.value, path)
            default: break
            }
        }
        return cluster
    }

    func user(_ node: Node, _ field: String, origin: Kubeconfig.Origin) throws(ConfigError) -> Kubeconfig.User {
        var user = Kubeconfig.User(origin: origin)
        for pair in try mapping(node, field) {
            let key = pair.key.scalar?.string ?? ""
            let path = "\(field).\(key)"
            user.fieldMarks[key] = pair.value.mark
            switch key {
            case "client-certificate": user.clientCertificate = try self.path(pair.value, path)
            case "client-certificate-data": user.clientCertificateData = try base64(pair.value, path)
            case "client-key": user.clientKey = try self.path(pair.value, path)
            case "client-key-data": user.clientKeyData = Secret(try base64(pair.value, path))
            case "token":
                let token = try string(pair.value, path)
                user.token = token.isEmpty ? nil : Secret(token)
            case "tokenFile": user.tokenFile = try self.path(pair.value, path)
            case "username": user.username = try string(pair.value, path)
            case "password": user.password = Secret(try string(pair.value, path))
            case "exec": user.exec = try exec(pair.value, path)
            case "auth-provider":
                if pair.value.resolved != .null {
                    user.authProviderName = try pair.value["name"].map { node throws(ConfigError) in try string(node, "\(path).name") } ?? ""
                }
            default: break
            }
        }
        return user
    }

    func exec(_ node: Node, _ field: String) throws(ConfigError) -> Kubeconfig.ExecConfig? {
        if node.resolved == .null { return nil }
        _ = try mapping(node, field)
        guard let commandNode = node["command"], case let command = try string(commandNode, "\(field).command"), !command.isEmpty else {
            throw error(node, "\(field).command", "an exec plugin needs a command")
        }
        guard let versionNode = node["apiVersion"], case let version = try string(versionNode, "\(field).apiVersion"), !version.isEmpty else {
            throw error(node, "\(field).apiVersion", "an exec plugin needs an apiVersion (client.authentication.k8s.io/v1 or v1beta1)")
        }
        guard ExecCredentialProtocol.supportedVersions.contains(version) else {
            throw error(versionNode, "\(field).apiVersion", "\"\(version)\" is not supported; use client.authentication.k8s.io/v1 or v1beta1")
        }
        // Only a command with a slash is a path relative to the kubeconfig; a bare name is looked up in PATH.
        var exec = Kubeconfig.ExecConfig(command: command.contains("/") ? resolve(command) : command, apiVersion: version)
        for pair in try mapping(node, field) {
            let key = pair.key.scalar?.string ?? ""
            let path = "\(field).\(key)"
            switch key {
            case "args":
                exec.args = try list(pair.value, path).enumerated().map { (index, item) throws(ConfigError) in try string(item, "\(path)[\(index)]") }
            case "env":
                for (index, item) in try list(pair.value, path).enumerated() {
                    let itemPath = "\(path)[\(index)]"
                    _ = try mapping(item, itemPath)
                    guard let name = item["name"] else { throw error(item, "\(itemPath).name", "a name is required") }
                    exec.env.append((try string(name, "\(itemPath).name"), try item["value"].map { node throws(ConfigError) in try string(node, "\(itemPath).value") } ?? ""))
                }
            case "installHint": exec.installHint = try string(pair.value, path)
            case "provideClusterInfo": exec.provideClusterInfo = try bool(pair.value, path)
            case "interactiveMode":
                let mode = try string(pair.value, path)
                guard ["", "Never", "IfAvailable", "Always"].contains(mode) else {
                    throw error(pair.value, path, "expected Never, IfAvailable or Always, found \"\(mode)\"")
                }
                exec.interactiveMode = mode.isEmpty ? nil : mode
            default: break
            }
        }
        return exec
    }

    func context(_ node: Node, _ field: String, origin: Kubeconfig.Origin) throws(ConfigError) -> Kubeconfig.Context {
        var context = Kubeconfig.Context(cluster: "", user: "", origin: origin)
        for pair in try mapping(node, field) {
            let key = pair.key.scalar?.string ?? ""
            let path = "\(field).\(key)"
            switch key {
            case "cluster": context.cluster = try string(pair.value, path)
            case "user": context.user = try string(pair.value, path)
            case "namespace":
                let namespace = try string(pair.value, path)
                context.namespace = namespace.isEmpty ? nil : namespace
            default: break
            }
        }
        return context
    }
}
