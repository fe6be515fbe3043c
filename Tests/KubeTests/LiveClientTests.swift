import Foundation
import HTTP
import Kube
import TestSupport
import Testing

/// The whole client, libcurl included, against the local test servers: a kubeconfig that
/// authenticates with a client certificate, one that only trusts, and a watch over a real stream.
@Suite(.enabled(if: Tools.haveTLS, "python3 or openssl is not installed: run hack/test.sh, which installs them"), .tags(.live))
struct LiveClientTests {
    let certificates: TestCertificates
    let directory: TemporaryDirectory

    init() throws {
        certificates = try TestCertificates.shared()
        directory = try TemporaryDirectory()
    }

    struct Echo: Decodable {
        var headers: [String: String]
        var clientCN: String?
    }

    func resolve(_ kubeconfig: String) throws -> ClientConfig {
        let file = try directory.write("kubeconfig", kubeconfig)
        return try ConfigResolver.resolve(ConfigOverrides(kubeconfig: file), environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
    }

    func echo(_ client: KubeClient) async throws(KubeError) -> Echo {
        let request = KubeRequest(method: .get, path: "/echo")
        let response = try await client.send(request)
        do {
            return try JSONDecoder().decode(Echo.self, from: Data(response.body))
        } catch {
            throw .decoding("\(error)")
        }
    }

    @Test func aKubeconfigWithAClientCertificateAuthenticates() async throws {
        let server = try certificates.server(requireClientCertificate: true)
        let config = try resolve("""
        current-context: live
        clusters:
        - name: live
          cluster:
            server: \(server.baseURL)
            certificate-authority-data: \(Data(try certificates.read(certificates.caCertificate)).base64EncodedString())
        users:
        - name: admin
          user:
            client-certificate: \(certificates.clientCertificate)
            client-key-data: \(Data(try certificates.read(certificates.clientKey)).base64EncodedString())
        contexts:
        - {name: live, context: {cluster: live, user: admin}}
        """)
        let echo = try await echo(try KubeClient(config: config))
        #expect(echo.clientCN == "hms-test-user")
        #expect(echo.headers["authorization"] == nil)
    }

    @Test func aTokenGoesOverTLSToATrustedServer() async throws {
        let server = try certificates.server()
        let config = try resolve("""
        current-context: live
        clusters: [{name: live, cluster: {server: "\(server.baseURL)", certificate-authority: \(certificates.caCertificate)}}]
        users: [{name: u, user: {token: live-token}}]
        contexts: [{name: live, context: {cluster: live, user: u}}]
        """)
        let echo = try await echo(try KubeClient(config: config))
        #expect(echo.headers["authorization"] == "Bearer live-token")
    }

    @Test func withoutTheCAAServerCertificateIsRefusedAndNothingIsRetried() async throws {
        let server = try certificates.server()
        let config = try resolve("""
        current-context: live
        clusters: [{name: live, cluster: {server: "\(server.baseURL)"}}]
        users: [{name: u, user: {token: live-token}}]
        contexts: [{name: live, context: {cluster: live, user: u}}]
        """)
        let client = try KubeClient(config: config, retryPolicy: RetryPolicy(maxAttempts: 1))
        let error = await #expect(throws: KubeError.self) { try await echo(client) }
        guard case .transport(let failure)? = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(failure.kind == .serverCertificate)
        #expect(failure.description.hasPrefix("GET \(server.baseURL)/echo: the server's TLS certificate is not trusted"))
        #expect(!failure.description.contains("live-token"))
    }

    struct Pod: Decodable, Sendable, Equatable {
        struct Metadata: Decodable, Sendable, Equatable { var name: String; var resourceVersion: String }
        var metadata: Metadata
    }

    @Test func aWatchStreamsOverARealConnectionAndResumes() async throws {
        let server = try LocalServer()
        let client = try KubeClient(config: ClientConfig(server: server.baseURL, namespace: "team"))
        var names: [String] = []
        var iterator = client.watch(Pod.self, .pods, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: nil)).makeAsyncIterator()
        while names.count < 7, let event = try await iterator.next() {
            switch event {
            case .relisted(let pods, let version):
                #expect(version == "100")
                names += pods.map(\.metadata.name)
            case .added(let pod):
                names.append(pod.metadata.name)
            default:
                Issue.record("unexpected event \(event)")
            }
        }
        // The first stream ends after three events; the second starts from the last one seen.
        #expect(names == ["pod-100", "pod-101", "pod-102", "pod-103", "pod-104", "pod-105", "pod-106"])
    }
}
