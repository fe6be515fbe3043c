import Foundation
import YAML

/// A kubeconfig as written (clientcmd's `Config`, version v1), read by the lenient YAML decoder
/// as kubectl reads it: fields we do not use are ignored, null reads as empty, and fields we use
/// must have the right type. Values stay as written; `Kubeconfig(_:file:)` resolves paths.
struct KubeconfigFile: Decodable {
    var clusters: [Named<ClusterFields>]
    var users: [Named<UserFields>]
    var contexts: [Named<ContextFields>]
    var currentContext: String

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, clusters, users, contexts, currentContext = "current-context"
    }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        for (key, expected) in [(CodingKeys.kind, "Config"), (.apiVersion, "v1")] {
            let written = try fields.written(String.self, key) ?? ""
            if !written.isEmpty && written != expected {
                throw DecodingError.dataCorruptedError(forKey: key, in: fields, debugDescription: "expected \"\(expected)\", found \"\(written)\"")
            }
        }
        clusters = try fields.decodeIfPresent([Named<ClusterFields>].self, forKey: .clusters) ?? []
        users = try fields.decodeIfPresent([Named<UserFields>].self, forKey: .users) ?? []
        contexts = try fields.decodeIfPresent([Named<ContextFields>].self, forKey: .contexts) ?? []
        currentContext = try fields.written(String.self, .currentContext) ?? ""
    }
}

/// The body of a named entry: `cluster`, `user` or `context`; absent or null, it is empty.
protocol EntryBody: Decodable {
    static var key: String { get }
    init()
}

/// `- name: x` and the body under its key, and where the entry starts. The name is required;
/// that names are unique is the merge's business (the first wins), as in kubectl.
struct Named<Body: EntryBody>: Decodable {
    var name: String
    var body: Body
    var mark: Mark?

    init(from decoder: any Decoder) throws {
        mark = decoder.yamlMark
        let fields = try decoder.container(keyedBy: FieldKey.self)
        let nameKey = FieldKey("name")
        guard let name = try fields.written(String.self, nameKey) else {
            throw DecodingError.keyNotFound(nameKey, .init(codingPath: fields.codingPath, debugDescription: "a name is required"))
        }
        if name.isEmpty { throw DecodingError.dataCorruptedError(forKey: nameKey, in: fields, debugDescription: "a name is required") }
        self.name = name
        body = try fields.decodeIfPresent(Body.self, forKey: FieldKey(Body.key)) ?? Body()
    }
}

struct ClusterFields: EntryBody {
    static let key = "cluster"
    var server: String?
    var certificateAuthority: String?
    var certificateAuthorityData: [UInt8]?
    var insecureSkipTLSVerify = false
    var tlsServerName: String?
    var proxyURL: String?
    /// Where each field's value is, for errors about it later.
    var fieldMarks: [String: Mark] = [:]

    init() {}

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: FieldKey.self)
        server = try fields.written(String.self, "server")
        certificateAuthority = try fields.written(String.self, "certificate-authority")
        certificateAuthorityData = try fields.base64("certificate-authority-data")
        insecureSkipTLSVerify = try fields.written(Bool.self, "insecure-skip-tls-verify") ?? false
        tlsServerName = try fields.written(String.self, "tls-server-name")
        proxyURL = try fields.written(String.self, "proxy-url")
        fieldMarks = try fields.marks()
    }
}

struct UserFields: EntryBody {
    static let key = "user"
    var clientCertificate: String?
    var clientCertificateData: [UInt8]?
    var clientKey: String?
    var clientKeyData: [UInt8]?
    var token: String?
    var tokenFile: String?
    var username: String?
    var password: String?
    var exec: ExecFields?
    /// Legacy `auth-provider` plugins (gcp, azure, oidc) are gone from kubectl; we name them in an error.
    var authProviderName: String?
    var fieldMarks: [String: Mark] = [:]

    struct AuthProvider: Decodable {
        var name: String

        init(from decoder: any Decoder) throws {
            name = try decoder.container(keyedBy: FieldKey.self).written(String.self, "name") ?? ""
        }
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: FieldKey.self)
        clientCertificate = try fields.written(String.self, "client-certificate")
        clientCertificateData = try fields.base64("client-certificate-data")
        clientKey = try fields.written(String.self, "client-key")
        clientKeyData = try fields.base64("client-key-data")
        token = try fields.written(String.self, "token")
        tokenFile = try fields.written(String.self, "tokenFile")
        username = try fields.written(String.self, "username")
        password = try fields.written(String.self, "password")
        exec = try fields.decodeNil(forKey: "exec") ? nil : fields.decode(ExecFields.self, forKey: "exec")
        authProviderName = try fields.decodeNil(forKey: "auth-provider") ? nil : fields.decode(AuthProvider.self, forKey: "auth-provider").name
        fieldMarks = try fields.marks()
    }
}

/// `users[].user.exec`: a credential plugin (client.authentication.k8s.io).
struct ExecFields: Decodable {
    var command: String
    var apiVersion: String
    var args: [String]
    var env: [EnvEntry]
    var installHint: String?
    var provideClusterInfo: Bool
    var interactiveMode: String?

    struct EnvEntry: Decodable {
        var name: String
        var value: String

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: FieldKey.self)
            guard let name = try fields.written(String.self, "name") else {
                throw DecodingError.keyNotFound(FieldKey("name"), .init(codingPath: fields.codingPath, debugDescription: "a name is required"))
            }
            self.name = name
            value = try fields.written(String.self, "value") ?? ""
        }
    }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: FieldKey.self)
        func required(_ name: String, _ problem: String) throws -> String {
            guard let value = try fields.written(String.self, FieldKey(name)), !value.isEmpty else {
                throw DecodingError.keyNotFound(FieldKey(name), .init(codingPath: fields.codingPath, debugDescription: problem))
            }
            return value
        }
        command = try required("command", "an exec plugin needs a command")
        apiVersion = try required("apiVersion", "an exec plugin needs an apiVersion (client.authentication.k8s.io/v1 or v1beta1)")
        guard ExecCredentialProtocol.supportedVersions.contains(apiVersion) else {
            throw DecodingError.dataCorruptedError(forKey: "apiVersion", in: fields, debugDescription: "\"\(apiVersion)\" is not supported; use client.authentication.k8s.io/v1 or v1beta1")
        }
        args = try fields.decodeIfPresent([String].self, forKey: "args") ?? []
        env = try fields.decodeIfPresent([EnvEntry].self, forKey: "env") ?? []
        installHint = try fields.written(String.self, "installHint")
        provideClusterInfo = try fields.written(Bool.self, "provideClusterInfo") ?? false
        let mode = try fields.written(String.self, "interactiveMode") ?? ""
        guard ["", "Never", "IfAvailable", "Always"].contains(mode) else {
            throw DecodingError.dataCorruptedError(forKey: "interactiveMode", in: fields, debugDescription: "expected Never, IfAvailable or Always, found \"\(mode)\"")
        }
        interactiveMode = mode.isEmpty ? nil : mode
    }
}

struct ContextFields: EntryBody {
    static let key = "context"
    var cluster = ""
    var user = ""
    var namespace: String?

    init() {}

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: FieldKey.self)
        cluster = try fields.written(String.self, "cluster") ?? ""
        user = try fields.written(String.self, "user") ?? ""
        namespace = try fields.written(String.self, "namespace")
    }
}

/// A kubeconfig's field names are written as kubectl writes them (`certificate-authority`).
struct FieldKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init(stringLiteral name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// The value as written when the key is there, null reading as empty; nil when it is not.
    func written<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        contains(key) ? try decode(T.self, forKey: key) : nil
    }

    /// Inline data (`...-data`): base64, whitespace allowed. A key may be in it, so the value is
    /// never echoed.
    func base64(_ key: Key) throws -> [UInt8]? {
        guard let text = try written(String.self, key) else { return nil }
        guard let data = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "expected base64-encoded data, found something else (\(text.count) characters)")
        }
        return Array(data)
    }

    /// Where the value of each key is.
    func marks() throws -> [String: Mark] {
        var marks: [String: Mark] = [:]
        for key in allKeys { marks[key.stringValue] = try superDecoder(forKey: key).yamlMark }
        return marks
    }
}

// MARK: - From the file as written to the configuration a client uses

extension Kubeconfig {
    /// Relative paths are made absolute against the directory of `file`, as kubectl does.
    init(_ written: KubeconfigFile, file: String) {
        self.init()
        let paths = ConfigPaths(file: file)
        func origin(_ mark: Mark?) -> Origin { Origin(file: file, mark: mark) }
        clusters = written.clusters.map { ($0.name, Cluster($0.body, origin: origin($0.mark), paths: paths)) }
        users = written.users.map { ($0.name, User($0.body, origin: origin($0.mark), paths: paths)) }
        contexts = written.contexts.map { entry in
            let namespace = entry.body.namespace.flatMap { $0.isEmpty ? nil : $0 }
            return (entry.name, Context(cluster: entry.body.cluster, user: entry.body.user, namespace: namespace, origin: origin(entry.mark)))
        }
        currentContext = written.currentContext.isEmpty ? nil : written.currentContext
    }
}

extension Kubeconfig.Cluster {
    init(_ written: ClusterFields, origin: Kubeconfig.Origin, paths: ConfigPaths) {
        self.init(origin: origin)
        server = written.server
        certificateAuthority = paths.path(written.certificateAuthority)
        certificateAuthorityData = written.certificateAuthorityData
        insecureSkipTLSVerify = written.insecureSkipTLSVerify
        tlsServerName = written.tlsServerName
        proxyURL = written.proxyURL
        fieldMarks = written.fieldMarks
    }
}

extension Kubeconfig.User {
    init(_ written: UserFields, origin: Kubeconfig.Origin, paths: ConfigPaths) {
        self.init(origin: origin)
        clientCertificate = paths.path(written.clientCertificate)
        clientCertificateData = written.clientCertificateData
        clientKey = paths.path(written.clientKey)
        clientKeyData = written.clientKeyData.map(Secret.init)
        token = written.token.flatMap { $0.isEmpty ? nil : Secret($0) }
        tokenFile = paths.path(written.tokenFile)
        username = written.username
        password = written.password.map(Secret.init)
        exec = written.exec.map { exec in
            // Only a command with a slash is a path relative to the kubeconfig; a bare name is looked up in PATH.
            var config = Kubeconfig.ExecConfig(command: exec.command.contains("/") ? paths.resolve(exec.command) : exec.command, apiVersion: exec.apiVersion)
            config.args = exec.args
            config.env = exec.env.map { ($0.name, $0.value) }
            config.installHint = exec.installHint
            config.provideClusterInfo = exec.provideClusterInfo
            config.interactiveMode = exec.interactiveMode
            return config
        }
        authProviderName = written.authProviderName
        fieldMarks = written.fieldMarks
    }
}

/// Paths in a kubeconfig are relative to its directory.
struct ConfigPaths {
    let directory: String

    init(file: String) {
        // Not NSString.deletingLastPathComponent: it traps on a bare file name.
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? ""
        self.directory = file.hasPrefix("/") && directory.isEmpty ? "/" : directory
    }

    /// A path as written, made absolute; an empty one is no path.
    func path(_ written: String?) -> String? {
        guard let written, !written.isEmpty else { return nil }
        return resolve(written)
    }

    func resolve(_ written: String) -> String {
        var trimmed = Substring(written)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        let path = String(trimmed)
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : "\(directory)/\(path)"
    }
}
