import ConsoleTransport
import HummingbirdCore
import Logging
import NIOPosix

/// How the console listens, from hms-controller's flags: its limits, TLS when a certificate is
/// given, and an event loop of its own, so that a flood of console connections does not queue
/// the health and metrics listeners' work behind it.
struct ConsoleListener {
    let server: HTTPServerBuilder
    let eventLoopGroup: MultiThreadedEventLoopGroup
    let certificate: ConsoleCertificate?

    init(limits: ConsoleLimits, certificatePath: String?, keyPath: String?, logger: Logger) throws {
        if let certificatePath, let keyPath {
            certificate = try ConsoleCertificate(certificatePath: certificatePath, keyPath: keyPath, logger: logger)
        } else {
            certificate = nil
        }
        server = .console(limits, certificate: certificate)
        eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }
}
