/// A transfer that did not produce a response: no connection, a TLS refusal, a timeout, a cut
/// stream. A response with an error status is not an `HTTPError`; it is a response.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidRequest
        case couldNotResolveHost
        case couldNotConnect
        case timedOut
        /// The server's certificate was not trusted (unknown CA, wrong host name, expired).
        case serverCertificate
        /// Our own TLS material could not be used (unreadable CA file, bad client certificate or key).
        case tlsConfiguration
        /// The TLS handshake failed, for instance because the server wanted a client certificate.
        case tlsHandshake
        case sendFailed
        case receiveFailed
        case cancelled
        case other
    }

    public var kind: Kind
    /// What was being done, `GET https://host/path`: never a header, so never a token.
    public var request: String
    /// libcurl's own words, from its error buffer when it filled one.
    public var message: String
    /// The CURLcode, 0 for failures of our own.
    public var curlCode: Int
    /// False when the request certainly never left this machine (no connection was made), which
    /// makes any request, even a POST, safe to try again.
    public var requestMayHaveBeenSent: Bool

    public init(_ kind: Kind, request: String, message: String, curlCode: Int = 0, requestMayHaveBeenSent: Bool = true) {
        self.kind = kind
        self.request = request
        self.message = message
        self.curlCode = curlCode
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
    }

    public var description: String {
        let code = curlCode == 0 ? "" : " (curl error \(curlCode))"
        return "\(request): \(summary): \(message)\(code)"
    }

    /// A few words a person can act on, before curl's own.
    public var summary: String {
        switch kind {
        case .invalidRequest: "invalid request"
        case .couldNotResolveHost: "could not resolve host"
        case .couldNotConnect: "could not connect"
        case .timedOut: "timed out"
        case .serverCertificate: "the server's TLS certificate is not trusted (is the right certificate authority configured?)"
        case .tlsConfiguration: "the TLS configuration could not be used"
        case .tlsHandshake: "the TLS handshake failed"
        case .sendFailed: "sending failed"
        case .receiveFailed: "receiving failed"
        case .cancelled: "cancelled"
        case .other: "transfer failed"
        }
    }

    /// Sorts CURLcodes into kinds. Codes are stable parts of libcurl's ABI.
    static func kind(forCurlCode code: Int) -> Kind {
        switch code {
        case 1, 3, 43, 48: .invalidRequest  // unsupported protocol, malformed URL, bad argument, unknown option
        case 5, 6: .couldNotResolveHost
        case 7: .couldNotConnect
        case 28: .timedOut
        case 60, 83, 90, 91: .serverCertificate  // peer verification, issuer, pinned key, cert status
        case 58, 77, 53, 54, 66: .tlsConfiguration  // local cert problem, CA file, engine
        case 35, 59, 80: .tlsHandshake
        case 55: .sendFailed
        case 16, 18, 52, 56, 92: .receiveFailed  // HTTP/2 framing, partial file, empty reply, recv, stream
        case 23, 42: .cancelled  // write callback refused (consumer gone), aborted by callback
        default: .other
        }
    }
}
