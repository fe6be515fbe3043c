/// The bytes of a certificate chain and its private key (PEM), as read from their two files.
public struct KeyPairFiles: Equatable, Sendable {
    public var certificate: [UInt8]
    public var key: [UInt8]

    public init(certificate: [UInt8], key: [UInt8]) {
        self.certificate = certificate
        self.key = key
    }
}

/// Which certificate the console serves as its files change (cert-manager rotates them in place).
/// A value: reading the files, making a pair from their bytes, and the time are passed in.
/// It looks at most once per `interval`, loads a pair only when the bytes differ from what it
/// serves, and keeps the old pair when the new one does not load (half-written, mismatched).
public struct CertificateReload<Pair> {
    public enum Outcome: Equatable, Sendable {
        /// Less than `interval` since the last look: the files were not read.
        case notDue
        case unchanged
        case reloaded
        /// The files cannot be read, or their pair does not load: the old pair stays. Said once
        /// per distinct problem, so that a log is not flooded every few seconds.
        case kept(reason: String)
        /// The same problem as last time: the old pair still stays.
        case stillKept
    }

    private enum Problem: Equatable {
        case unreadable(String)
        case invalid(KeyPairFiles)
    }

    public let interval: Duration
    public private(set) var current: Pair
    private var servedFiles: KeyPairFiles
    private var lastLook: ContinuousClock.Instant
    private var problem: Problem?

    public init(serving pair: Pair, from files: KeyPairFiles, at now: ContinuousClock.Instant, interval: Duration) {
        self.interval = interval
        self.current = pair
        self.servedFiles = files
        self.lastLook = now
    }

    public mutating func look(
        now: ContinuousClock.Instant, read: () throws -> KeyPairFiles, load: (KeyPairFiles) throws -> Pair
    ) -> Outcome {
        guard now - lastLook >= interval else { return .notDue }
        lastLook = now
        let files: KeyPairFiles
        do {
            files = try read()
        } catch {
            return keep(.unreadable("\(error)"), reason: "\(error)")
        }
        if files == servedFiles {
            problem = nil
            return .unchanged
        }
        if problem == .invalid(files) { return .stillKept }
        do {
            current = try load(files)
        } catch {
            return keep(.invalid(files), reason: "the new certificate and key do not load: \(error)")
        }
        servedFiles = files
        problem = nil
        return .reloaded
    }

    private mutating func keep(_ new: Problem, reason: String) -> Outcome {
        defer { problem = new }
        return problem == new ? .stillKept : .kept(reason: reason)
    }
}
