/// PEM material given either as a file to read or as the bytes themselves (kubeconfig's
/// `certificate-authority` versus `certificate-authority-data`).
public enum PEMSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case data([UInt8])

    /// Never the bytes: a key must not reach a log line.
    public var description: String {
        switch self {
        case .file(let path): path
        case .data(let bytes): "<\(bytes.count) bytes of inline data>"
        }
    }
}

/// How a client checks the server and proves who it is. The server is verified unless
/// `insecureSkipVerify` is set, which the caller asks for explicitly and the client warns about.
public struct TLSConfiguration: Sendable, Equatable {
    /// Trusted certificate authorities; nil: the system's.
    public var certificateAuthority: PEMSource?
    public var clientCertificate: PEMSource?
    public var clientKey: PEMSource?
    public var insecureSkipVerify: Bool

    public init(certificateAuthority: PEMSource? = nil, clientCertificate: PEMSource? = nil, clientKey: PEMSource? = nil, insecureSkipVerify: Bool = false) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
    }
}
