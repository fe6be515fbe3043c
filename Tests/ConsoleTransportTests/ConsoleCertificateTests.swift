import ConnectionGuards
@testable import ConsoleTransport
import Foundation
import Logging
import Testing

/// Real PEM files in a temporary directory, NIOSSL parsing them; time passed in.
@Suite(.tags(.unit)) struct ConsoleCertificateTests {
    let directory: URL
    var certificate: URL { directory.appendingPathComponent("tls.crt") }
    var key: URL { directory.appendingPathComponent("tls.key") }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ certificatePEM: String, _ keyPEM: String) throws {
        try Data(certificatePEM.utf8).write(to: certificate)
        try Data(keyPEM.utf8).write(to: key)
    }

    static let serialA = try! KeyPair(KeyPairFiles(certificate: Array(Fixtures.certificateA.utf8), key: Array(Fixtures.keyA.utf8))).serial
    static let serialB = try! KeyPair(KeyPairFiles(certificate: Array(Fixtures.certificateB.utf8), key: Array(Fixtures.keyB.utf8))).serial

    @Test func aPairLoadsAndAMismatchedOneDoesNot() throws {
        #expect(Self.serialA.count >= 2 && Self.serialA != Self.serialB)
        func refusal(_ certificate: String, _ key: String) -> String? {
            do {
                _ = try KeyPair(KeyPairFiles(certificate: Array(certificate.utf8), key: Array(key.utf8)))
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(Fixtures.certificateA, Fixtures.keyB)?.hasPrefix("the private key is not the certificate's") == true)
        #expect(refusal("not a certificate", Fixtures.keyA) == "the certificate file holds no PEM certificate")
        #expect(refusal("", Fixtures.keyA) == "the certificate file holds no PEM certificate")
        #expect(refusal(Fixtures.certificateA, "") == "the key file holds no PEM private key (an encrypted one is not supported)")
        #expect(refusal(Fixtures.certificateA + "\n" + Fixtures.certificateB, Fixtures.keyA) == nil, "a chain: the leaf first")
    }

    @Test func theFilesAreReadAgainWhenTheyChangeAndABadPairKeepsTheOld() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(Fixtures.certificateA, Fixtures.keyA)
        let start = ContinuousClock.now
        let served = try ConsoleCertificate(certificatePath: certificate.path, keyPath: key.path, interval: .seconds(2), logger: Logger(label: "test"))
        #expect(served.pair(now: start).serial == Self.serialA)

        try write(Fixtures.certificateB, Fixtures.keyB)
        #expect(served.pair(now: start + .seconds(1)).serial == Self.serialA, "not yet looked at")
        #expect(served.pair(now: start + .seconds(3)).serial == Self.serialB)

        try write(Fixtures.certificateA, Fixtures.keyB)
        #expect(served.pair(now: start + .seconds(6)).serial == Self.serialB, "a mismatched pair keeps the one served")
        try FileManager.default.removeItem(at: key)
        #expect(served.pair(now: start + .seconds(9)).serial == Self.serialB, "so does a missing file")
    }

    @Test func aBadPairAtStartIsAnError() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(Fixtures.certificateA, Fixtures.keyB)
        #expect(throws: (any Error).self) {
            try ConsoleCertificate(certificatePath: certificate.path, keyPath: key.path, logger: Logger(label: "test"))
        }
    }
}

@Suite(.tags(.unit)) struct ConnectionGateTests {
    @Test func admitsUpToTheLimitThenRefusesWarningOncePerMinute() {
        let gate = ConnectionGate(limit: 2, warnEvery: .seconds(60))
        let second: UInt64 = 1_000_000_000
        #expect(gate.admit(now: 5 * second) == .admitted)
        #expect(gate.admit(now: 5 * second) == .admitted)
        #expect(gate.admit(now: 5 * second) == .refused(warn: true))
        #expect(gate.admit(now: 6 * second) == .refused(warn: false))
        #expect(gate.openConnections == 2)
        gate.release()
        #expect(gate.admit(now: 7 * second) == .admitted)
        #expect(gate.admit(now: 64 * second) == .refused(warn: false), "59 s after the warning")
        #expect(gate.admit(now: 65 * second) == .refused(warn: true))
        #expect(gate.openConnections == 2)
    }
}
