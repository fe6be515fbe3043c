import HTTP
import Testing

@Suite(.tags(.unit)) struct LineSplitterTests {
    @Test func linesComeOutWhateverWayTheChunksAreCut() throws {
        let text = Array("{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}".utf8)
        for cut in 0...text.count {
            var splitter = LineSplitter()
            var lines = try splitter.push(Array(text[..<cut]))
            lines += try splitter.push(Array(text[cut...]))
            if let last = splitter.finish() { lines.append(last) }
            #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"], "cut at \(cut)")
        }
    }

    @Test func anEndlessLineIsRefused() {
        var splitter = LineSplitter(maxLineLength: 8)
        #expect(throws: LineSplitter.Failure.lineTooLong(10)) { try splitter.push(Array("0123456789".utf8)) }
    }
}

@Suite(.tags(.unit)) struct HTTPRequestTests {
    @Test func idempotenceFollowsTheMethodUnlessTheCallerKnowsBetter() {
        let methods: [HTTPMethod] = [.get, .head, .put, .delete, .post, .patch]
        #expect(methods.map { HTTPRequest(method: $0, url: "http://h/").isIdempotent } == [true, true, true, true, false, false])
        #expect(HTTPRequest(method: .patch, url: "http://h/", isIdempotent: true).isIdempotent)
    }
}

@Suite(.tags(.unit)) struct HTTPHeadersTests {
    @Test func namesCompareWithoutCase() {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        #expect(headers["content-type"] == "application/json")
        headers.replace("CONTENT-TYPE", "text/plain")
        #expect(headers.fields == [HTTPHeaders.Field(name: "CONTENT-TYPE", value: "text/plain")])
        #expect(headers["Accept"] == nil)
    }

    @Test func credentialsAreNeverPrinted() {
        let headers: HTTPHeaders = ["Authorization": "Bearer s3cr3t", "Accept": "application/json"]
        #expect(headers.description == "Authorization: <redacted>\nAccept: application/json")
        let request = HTTPRequest(url: "https://example.invalid/api", headers: headers)
        #expect(request.description == "GET https://example.invalid/api")
        #expect(!"\(request)".contains("s3cr3t"))
    }

    @Test func inlineKeysAreNeverPrinted() {
        #expect(PEMSource.data(Array("-----BEGIN PRIVATE KEY-----".utf8)).description == "<27 bytes of inline data>")
        #expect(PEMSource.file("/etc/key.pem").description == "/etc/key.pem")
    }
}

@Suite(.tags(.unit)) struct HTTPErrorTests {
    @Test func curlCodesSortIntoKinds() {
        #expect(HTTPError(.couldNotConnect, request: "GET http://127.0.0.1:1/", message: "Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server", curlCode: 7).description
            == "GET http://127.0.0.1:1/: could not connect: Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server (curl error 7)")
    }
}

#if os(Linux)
import Glibc

/// A vanished peer is found within 45 s, not Linux's ten minutes: the settings reach the socket.
@Suite(.tags(.unit)) struct DeadConnectionsTests {
    func option(_ socket: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = -1
        var size = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(socket, Int32(IPPROTO_TCP), name, &value, &size)
        return value
    }

    @Test func aTCPSocketGivesUpAfterThreeProbesAndFortyFiveSecondsUnacknowledged() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        #expect(option(socket, Int32(TCP_KEEPCNT)) != 3)
        #expect(DeadConnections.configure(socket: socket))
        #expect(option(socket, Int32(TCP_KEEPCNT)) == 3)
        #expect(option(socket, Int32(TCP_USER_TIMEOUT)) == 45_000)
        // What curl sets itself, with the probes above: 15 s + 3 x 10 s.
        #expect(DeadConnections.idleSeconds + DeadConnections.probes * DeadConnections.probeIntervalSeconds <= 45)
    }
}
#endif
