import Foundation

/// Where the test servers and scripts live, found from this file so no bundle is needed.
public enum TestFiles {
    public static let servers = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Servers")
}

/// Tools the live tests need. hack/test.sh installs them; a test that cannot have one is skipped
/// with the reason printed, never silently passed.
public enum Tools {
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static let python3 = find("python3")
    public static let openssl = find("openssl")
    public static let haveServers = python3 != nil
    public static let haveTLS = python3 != nil && openssl != nil
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `Tests/Servers/test_server.py` running on a free port of 127.0.0.1, stopped when released
/// (its standard input closes, which it takes as the signal to exit).
public final class LocalServer: @unchecked Sendable {
    public let port: Int
    public let scheme: String
    private let process: Process
    private let input: Pipe

    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    public init(arguments: [String] = []) throws {
        guard let python = Tools.python3 else { throw TestSupportError("python3 is not installed") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestFiles.servers.appendingPathComponent("test_server.py").path] + arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        scheme = arguments.contains("--cert") ? "https" : "http"
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += data
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw TestSupportError("the test server did not start: \(text)")
        }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}

/// A directory of its own under the system's temporary directory, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hms-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes a file (creating folders on the way) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        return file.path
    }
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate signed by it, plus an
/// unrelated CA, made by `Tests/Servers/make-certs.sh` once per test run.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCertificate: String { "\(directory)/ca.crt" }
    public var otherCACertificate: String { "\(directory)/other-ca.crt" }
    public var serverCertificate: String { "\(directory)/server.crt" }
    public var serverKey: String { "\(directory)/server.key" }
    public var clientCertificate: String { "\(directory)/client.crt" }
    public var clientKey: String { "\(directory)/client.key" }

    public static func shared() throws -> TestCertificates { try made.get() }

    private static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hms-test-certs-\(ProcessInfo.processInfo.processIdentifier)").path

    private static let made: Result<TestCertificates, TestSupportError> = {
        guard Tools.openssl != nil else { return .failure(TestSupportError("openssl is not installed")) }
        // The keys are throwaway, but they need not outlive the test run.
        atexit { try? FileManager.default.removeItem(atPath: TestCertificates.directory) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [TestFiles.servers.appendingPathComponent("make-certs.sh").path, directory]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return .failure(TestSupportError("make-certs.sh failed")) }
        } catch {
            return .failure(TestSupportError("make-certs.sh could not run: \(error)"))
        }
        return .success(TestCertificates(directory: directory))
    }()

    /// An HTTPS test server presenting the server certificate; with `requireClientCertificate`
    /// it refuses clients without a certificate signed by the CA.
    public func server(requireClientCertificate: Bool = false) throws -> LocalServer {
        var arguments = ["--cert", serverCertificate, "--key", serverKey]
        if requireClientCertificate { arguments += ["--client-ca", caCertificate] }
        return try LocalServer(arguments: arguments)
    }

    public func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
