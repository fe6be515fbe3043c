import Foundation
import HTTP
import TestSupport
import Testing

/// Against an HTTPS test server with a certificate from a CA made for the test run.
@Suite(.enabled(if: Tools.haveTLS, "python3 or openssl is not installed: run hack/test.sh, which installs them"), .tags(.live))
struct TLSTests {
    let certificates: TestCertificates

    init() throws {
        certificates = try TestCertificates.shared()
    }

    func get(_ server: LocalServer, _ tls: TLSConfiguration) async throws -> HTTPResponse {
        try await HTTPClient(configuration: .init(tls: tls)).send(HTTPRequest(url: "\(server.baseURL)/echo"))
    }

    @Test func anUnknownCAIsRefusedWithACertificateError() async throws {
        let server = try certificates.server()
        let error = await #expect(throws: HTTPError.self) { try await get(server, TLSConfiguration()) }
        #expect(error?.kind == .serverCertificate)
        #expect(error?.curlCode == 60)
        #expect(error?.description.contains("the server's TLS certificate is not trusted") == true)
        #expect(error?.message.contains("certificate") == true)
    }

    @Test func theWrongCAIsRefusedToo() async throws {
        let server = try certificates.server()
        let error = await #expect(throws: HTTPError.self) {
            try await get(server, TLSConfiguration(certificateAuthority: .file(certificates.otherCACertificate)))
        }
        #expect(error?.kind == .serverCertificate)
    }

    @Test func theRightCAFromAFileIsTrusted() async throws {
        let server = try certificates.server()
        #expect(try await get(server, TLSConfiguration(certificateAuthority: .file(certificates.caCertificate))).status == 200)
    }

    @Test func theRightCAAsInlineDataIsTrusted() async throws {
        let server = try certificates.server()
        let ca = try certificates.read(certificates.caCertificate)
        #expect(try await get(server, TLSConfiguration(certificateAuthority: .data(ca))).status == 200)
    }

    @Test func skippingVerificationWorksOnlyWhenAskedForAndWarns() async throws {
        let server = try certificates.server()
        let logs = CapturedLogs()
        let client = try HTTPClient(configuration: .init(tls: TLSConfiguration(insecureSkipVerify: true)), logger: logs.logger)
        #expect(try await client.send(HTTPRequest(url: "\(server.baseURL)/echo")).status == 200)
        #expect(logs.lines.map(\.level) == [.warning])
        #expect(logs.lines.first?.message.hasPrefix("TLS verification is off (insecure-skip-tls-verify)") == true)
        _ = try HTTPClient(logger: logs.logger)
        #expect(logs.lines.count == 1, "a verifying client does not warn")
    }

    @Test func aServerThatWantsAClientCertificateRefusesClientsWithout() async throws {
        let server = try certificates.server(requireClientCertificate: true)
        await #expect(throws: HTTPError.self) {
            try await get(server, TLSConfiguration(certificateAuthority: .file(certificates.caCertificate)))
        }
    }

    @Test func aClientCertificateFromFilesIdentifiesUs() async throws {
        let server = try certificates.server(requireClientCertificate: true)
        let response = try await get(server, TLSConfiguration(
            certificateAuthority: .file(certificates.caCertificate),
            clientCertificate: .file(certificates.clientCertificate), clientKey: .file(certificates.clientKey)
        ))
        #expect(try clientCN(response) == "hms-test-user")
    }

    @Test func aClientCertificateFromInlineDataIdentifiesUs() async throws {
        let server = try certificates.server(requireClientCertificate: true)
        let response = try await get(server, TLSConfiguration(
            certificateAuthority: .data(certificates.read(certificates.caCertificate)),
            clientCertificate: .data(certificates.read(certificates.clientCertificate)),
            clientKey: .data(certificates.read(certificates.clientKey))
        ))
        #expect(try clientCN(response) == "hms-test-user")
    }

    @Test func anUnreadableCAFileIsAConfigurationError() async throws {
        let server = try certificates.server()
        let error = await #expect(throws: HTTPError.self) {
            try await get(server, TLSConfiguration(certificateAuthority: .file("/nonexistent/ca.crt")))
        }
        #expect(error?.kind == .tlsConfiguration)
        #expect(error?.message.contains("/nonexistent/ca.crt") == true)
    }

    func clientCN(_ response: HTTPResponse) throws -> String? {
        struct Echo: Decodable { var clientCN: String? }
        return try JSONDecoder().decode(Echo.self, from: Data(response.body)).clientCN
    }
}
