import Foundation
import JSON

/// The client.authentication.k8s.io ExecCredential exchange, as pure functions: what the plugin
/// is told (`KUBERNETES_EXEC_INFO`) and what its output means.
public enum ExecCredentialProtocol {
    public static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// What a plugin returned. The secret parts stay wrapped.
    public struct Credential: Sendable, Equatable {
        public var token: Secret<String>?
        public var clientCertificateData: String?
        public var clientKeyData: Secret<String>?
        /// nil: valid until the server refuses it.
        public var expiration: Date?
    }

    /// The JSON for `KUBERNETES_EXEC_INFO`. We never have a terminal to lend: `interactive` is false.
    public static func execInfo(apiVersion: String, cluster: ExecClusterInfo?) -> String {
        var spec: JSONValue = ["interactive": false]
        if let cluster {
            var info: JSONValue = ["server": .string(cluster.server)]
            if let ca = cluster.certificateAuthorityData { info["certificate-authority-data"] = .string(Data(ca).base64EncodedString()) }
            if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = true }
            if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
            spec["cluster"] = info
        }
        let object: JSONValue = ["apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": spec]
        return object.jsonText
    }

    private struct Output: Decodable {
        struct Status: Decodable {
            var token: String?
            var clientCertificateData: String?
            var clientKeyData: String?
            var expirationTimestamp: String?
        }
        var apiVersion: String?
        var kind: String?
        var status: Status?
    }

    /// Reads a plugin's standard output. Errors never quote it: it holds the credential.
    public static func parse(_ output: [UInt8], apiVersion: String, command: String) throws(KubeError) -> Credential {
        let plugin = "exec plugin \"\(command)\""
        let decoded: Output
        do {
            decoded = try JSONValueDecoder().decode(Output.self, fromJSON: output)
        } catch {
            throw .credentials("\(plugin) did not print an ExecCredential as JSON (\(output.count) bytes of output)")
        }
        guard decoded.kind == "ExecCredential" else {
            throw .credentials("\(plugin) printed kind \"\(decoded.kind ?? "")\", expected \"ExecCredential\"")
        }
        guard decoded.apiVersion == apiVersion else {
            throw .credentials("\(plugin) answered in apiVersion \"\(decoded.apiVersion ?? "")\", but the kubeconfig asks for \"\(apiVersion)\"")
        }
        guard let status = decoded.status else { throw .credentials("\(plugin) printed no status") }
        let hasToken = !(status.token ?? "").isEmpty
        let hasCertificate = !(status.clientCertificateData ?? "").isEmpty
        let hasKey = !(status.clientKeyData ?? "").isEmpty
        guard hasToken || hasCertificate else {
            throw .credentials("\(plugin) printed neither a token nor a client certificate")
        }
        guard hasCertificate == hasKey else {
            throw .credentials("\(plugin) printed a client certificate without its key, or a key without its certificate")
        }
        var expiration: Date?
        if let text = status.expirationTimestamp, !text.isEmpty {
            guard let date = parseTimestamp(text) else {
                throw .credentials("\(plugin) printed an expirationTimestamp that is not an RFC 3339 time: \"\(text)\"")
            }
            expiration = date
        }
        return Credential(
            token: hasToken ? status.token.map(Secret.init) : nil,
            clientCertificateData: hasCertificate ? status.clientCertificateData : nil,
            clientKeyData: hasKey ? status.clientKeyData.map(Secret.init) : nil,
            expiration: expiration
        )
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
