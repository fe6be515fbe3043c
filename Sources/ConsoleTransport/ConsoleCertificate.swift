import Foundation
public import Logging
public import NIOSSL
import Synchronization

/// A certificate chain and its key, checked to belong together.
public struct KeyPair: Sendable {
    public let chain: [NIOSSLCertificate]
    public let key: NIOSSLPrivateKey

    /// Parses the PEM bytes; throws when either does not parse or the key is not the certificate's.
    public init(_ files: KeyPairFiles) throws {
        let chain = (try? NIOSSLCertificate.fromPEMBytes(files.certificate)) ?? []
        guard !chain.isEmpty else { throw TLSFileError("the certificate file holds no PEM certificate") }
        guard let key = try? NIOSSLPrivateKey(bytes: files.key, format: .pem) else {
            throw TLSFileError("the key file holds no PEM private key (an encrypted one is not supported)")
        }
        // BoringSSL refuses a key that is not the leaf certificate's when it makes a context.
        do {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw TLSFileError("the private key is not the certificate's (\(error))")
        }
        self.chain = chain
        self.key = key
    }

    /// The leaf's serial number in hex, to tell certificates apart in the log (nothing secret).
    public var serial: String {
        chain[0].serialNumber.map { String(format: "%02x", $0) }.joined()
    }

    var override: NIOSSLContextConfigurationOverride {
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(key)
        return override
    }
}

public struct TLSFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The console's certificate, served from two PEM files and reloaded when they change. Every TLS
/// handshake asks it for the pair (NIOSSL's `sslContextCallback`); at most every `interval` that
/// reads the two files again, on the console's event loop: a few KB, from a Secret's tmpfs.
public final class ConsoleCertificate: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let reload: Mutex<CertificateReload<KeyPair>>
    private let logger: Logger

    /// Throws when the files do not hold a valid pair: at start, a bad pair is an error.
    public init(certificatePath: String, keyPath: String, interval: Duration = .seconds(2), logger: Logger) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.logger = logger
        let files = try Self.read(certificatePath: certificatePath, keyPath: keyPath)
        reload = Mutex(CertificateReload(serving: try KeyPair(files), from: files, at: .now, interval: interval))
    }

    public var current: KeyPair { reload.withLock { $0.current } }

    /// The pair to serve now, having looked at the files if it was time to.
    public func pair(now: ContinuousClock.Instant = .now) -> KeyPair {
        let (outcome, pair) = reload.withLock { reload in
            let outcome = reload.look(now: now, read: { try Self.read(certificatePath: certificatePath, keyPath: keyPath) }, load: KeyPair.init)
            return (outcome, reload.current)
        }
        switch outcome {
        case .reloaded:
            logger.notice("console: TLS certificate reloaded", metadata: ["cert": "\(certificatePath)", "serial": "\(pair.serial)"])
        case .kept(let reason):
            logger.error("console: keeping the TLS certificate served so far", metadata: [
                "cert": "\(certificatePath)", "key": "\(keyPath)", "error": "\(reason)", "serial": "\(pair.serial)",
            ])
        case .notDue, .unchanged, .stillKept:
            break
        }
        return pair
    }

    /// Server TLS (1.2 and up) whose handshakes take the pair from `pair()`.
    public func tlsConfiguration() -> TLSConfiguration {
        let first = current
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: first.chain.map { .certificate($0) }, privateKey: .privateKey(first.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { _, promise in promise.succeed(self.pair().override) }
        return configuration
    }

    static func read(certificatePath: String, keyPath: String) throws -> KeyPairFiles {
        func bytes(_ path: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else { throw TLSFileError("cannot read \(path)") }
            return Array(data)
        }
        return KeyPairFiles(certificate: try bytes(certificatePath), key: try bytes(keyPath))
    }
}
