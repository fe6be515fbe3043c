import Foundation
@testable import MockClusterServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The server's own guards, on a real socket in process: a client that never finishes its request
/// is cut off at the header timeout, and connections over the cap are closed as they arrive.
@Suite(.tags(.unit), .serialized) struct ConnectionLimitTests {
    /// A plain TCP client: blocking calls, each bounded by a receive timeout.
    final class RawConnection {
        let socket: Int32

        init(port: Int) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        }

        func send(_ text: String) {
            _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(socket, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        }

        /// What the server sends until it closes the connection or stops for the timeout; nil when
        /// the connection is still open at the timeout.
        func readUntilClosed() -> String? {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(socket, &buffer, buffer.count, 0)
                if count == 0 { return String(decoding: received, as: UTF8.self) }
                if count < 0 { return errno == ECONNRESET ? String(decoding: received, as: UTF8.self) : nil }
                received += buffer[0..<count]
            }
        }

        deinit { close(socket) }
    }

    /// Runs a server with `options` for the body, then stops it.
    func withServer(_ options: MockClusterServer.Options, _ body: (Int) async throws -> Void) async throws {
        var options = options
        options.handlesSignals = false
        let server = try MockClusterServer(options: options)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let running = Task { try await server.run { continuation.yield($0) } }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { Issue.record("the server did not listen"); return }
        try await body(port)
    }

    @Test func aClientThatNeverFinishesItsRequestIsCutOff() async throws {
        var options = MockClusterServer.Options()
        options.headerTimeoutSeconds = 0.3
        try await withServer(options) { port in
            let slow = try RawConnection(port: port)
            slow.send("GET /version HTTP/1.1\r\nHost: mock\r\n")
            let answer = slow.readUntilClosed()
            #expect(answer == "", "closed without an answer, before the client's 10 s read timeout")
            let prompt = try RawConnection(port: port)
            prompt.send("GET /version HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
            #expect(prompt.readUntilClosed()?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test func connectionsOverTheCapAreClosedAsTheyArrive() async throws {
        var options = MockClusterServer.Options()
        options.maxConnections = 2
        try await withServer(options) { port in
            var held = [try RawConnection(port: port), try RawConnection(port: port)]
            let extra = try RawConnection(port: port)
            extra.send("GET /version HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
            #expect(extra.readUntilClosed() == "", "over the cap: closed, not answered")
            held.removeAll()
            // The freed places come back once the server has seen the closes.
            var answered = false
            for _ in 0..<200 where !answered {
                let next = try RawConnection(port: port)
                next.send("GET /version HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
                answered = next.readUntilClosed()?.hasPrefix("HTTP/1.1 200") == true
                if !answered { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(answered)
        }
    }
}
