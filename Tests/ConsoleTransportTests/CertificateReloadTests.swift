@testable import ConsoleTransport
import Testing

/// The reload decisions with a pair that is a string, files that are variables, and time passed in.
@Suite(.tags(.unit)) struct CertificateReloadTests {
    struct Unreadable: Error, CustomStringConvertible { var description: String { "no such file" } }
    struct Mismatch: Error, CustomStringConvertible { var description: String { "the key is not the certificate's" } }

    static func files(_ certificate: String, _ key: String) -> KeyPairFiles {
        KeyPairFiles(certificate: Array(certificate.utf8), key: Array(key.utf8))
    }

    /// A pair loads when the key names the certificate: "k-A" goes with "A".
    static func load(_ files: KeyPairFiles) throws -> String {
        let certificate = String(decoding: files.certificate, as: UTF8.self)
        guard String(decoding: files.key, as: UTF8.self) == "k-" + certificate else { throw Mismatch() }
        return certificate
    }

    let start = ContinuousClock.now
    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    func reload() -> CertificateReload<String> {
        CertificateReload(serving: "A", from: Self.files("A", "k-A"), at: start, interval: .seconds(2))
    }

    @Test func itLooksAtMostOncePerInterval() {
        var reload = reload()
        var reads = 0
        let read = { () throws -> KeyPairFiles in reads += 1; return Self.files("A", "k-A") }
        #expect(reload.look(now: at(1), read: read, load: Self.load) == .notDue)
        #expect(reload.look(now: at(2), read: read, load: Self.load) == .unchanged)
        #expect(reload.look(now: at(3), read: read, load: Self.load) == .notDue)
        #expect(reads == 1)
    }

    @Test func unchangedFilesAreNotLoadedAgain() {
        var reload = reload()
        var loads = 0
        let outcome = reload.look(now: at(5), read: { Self.files("A", "k-A") }, load: { loads += 1; return try Self.load($0) })
        #expect(outcome == .unchanged && loads == 0)
    }

    @Test func aNewValidPairIsServed() {
        var reload = reload()
        #expect(reload.look(now: at(2), read: { Self.files("B", "k-B") }, load: Self.load) == .reloaded)
        #expect(reload.current == "B")
        #expect(reload.look(now: at(4), read: { Self.files("B", "k-B") }, load: Self.load) == .unchanged)
    }

    @Test func aBadPairKeepsTheOldOneAndIsReportedOnce() {
        var reload = reload()
        // cert-manager wrote the certificate, not yet the key.
        let halfWritten = { Self.files("B", "k-A") }
        #expect(reload.look(now: at(2), read: halfWritten, load: Self.load)
            == .kept(reason: "the new certificate and key do not load: the key is not the certificate's"))
        #expect(reload.current == "A")
        #expect(reload.look(now: at(4), read: halfWritten, load: Self.load) == .stillKept)
        #expect(reload.current == "A")
        // Then the key.
        #expect(reload.look(now: at(6), read: { Self.files("B", "k-B") }, load: Self.load) == .reloaded)
        #expect(reload.current == "B")
    }

    @Test func unreadableFilesKeepTheOldPair() {
        var reload = reload()
        let gone = { () throws -> KeyPairFiles in throw Unreadable() }
        #expect(reload.look(now: at(2), read: gone, load: Self.load) == .kept(reason: "no such file"))
        #expect(reload.look(now: at(4), read: gone, load: Self.load) == .stillKept)
        #expect(reload.current == "A")
        #expect(reload.look(now: at(6), read: { Self.files("C", "k-C") }, load: Self.load) == .reloaded)
        #expect(reload.current == "C")
    }

    @Test func aProblemThatWentAwayIsReportedAgainWhenItComesBack() {
        var reload = reload()
        let bad = { Self.files("B", "k-A") }
        #expect(reload.look(now: at(2), read: bad, load: Self.load) != .stillKept)
        #expect(reload.look(now: at(4), read: { Self.files("A", "k-A") }, load: Self.load) == .unchanged)
        #expect(reload.look(now: at(6), read: bad, load: Self.load) != .stillKept)
    }
}
