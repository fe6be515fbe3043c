import Foundation
import HTTP
import Kube
import Synchronization

/// A transport that answers from a script and records what it was asked. Running out of script
/// answers 403, which ends any retry or watch loop.
final class FakeTransport: KubeTransport {
    enum Reply: Sendable {
        case response(Int, String, headers: HTTPHeaders = [:])
        case failure(HTTPError)
        /// A streamed body: these lines (each followed by a newline), then the end or a cut.
        case stream(Int, [String], cutBy: HTTPError? = nil)
    }

    private let state: Mutex<(replies: [Reply], requests: [HTTPRequest])>

    init(_ replies: [Reply]) {
        state = Mutex((replies, []))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    /// Method and path with query, relative to the server.
    var targets: [String] { requests.map { "\($0.method) \($0.url.replacingOccurrences(of: "https://k8s.test:6443", with: ""))" } }

    private func next(_ request: HTTPRequest) -> Reply {
        state.withLock { state in
            state.requests.append(request)
            if state.replies.isEmpty { return .response(403, Self.status(403, "Forbidden", "the fake has no more replies")) }
            return state.replies.removeFirst()
        }
    }

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        switch next(request) {
        case .response(let code, let body, let headers): return HTTPResponse(status: code, headers: headers, body: Array(body.utf8))
        case .failure(let error): throw error
        case .stream(let code, let lines, _): return HTTPResponse(status: code, body: Array(lines.map { $0 + "\n" }.joined().utf8))
        }
    }

    func stream(_ request: HTTPRequest) async throws(HTTPError) -> StreamedResponse {
        switch next(request) {
        case .response(let code, let body, let headers): return StreamedResponse(status: code, headers: headers, body: .chunks([Array(body.utf8)]))
        case .failure(let error): throw error
        case .stream(let code, let lines, let cut):
            // Cut each line in two, so that events arrive across chunks as they do on the wire.
            let chunks = lines.flatMap { line -> [[UInt8]] in
                let bytes = Array((line + "\n").utf8)
                return [Array(bytes[..<(bytes.count / 2)]), Array(bytes[(bytes.count / 2)...])]
            }
            return StreamedResponse(status: code, body: .chunks(chunks, endingWith: cut))
        }
    }

    static func status(_ code: Int, _ reason: String, _ message: String) -> String {
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"\(message)\",\"reason\":\"\(reason)\",\"code\":\(code)}"
    }
}

/// Sleeps that return at once and are remembered; a fixed clock and random source.
final class TestWorld: Sendable {
    private let sleeps = Mutex<[Duration]>([])
    private let clock: Mutex<Date>

    init(now: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        clock = Mutex(now)
    }

    var slept: [Duration] { sleeps.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { clock.withLock { $0 += seconds } }

    func dependencies(runProcess: @escaping @Sendable (ProcessInvocation) async throws(KubeError) -> ProcessResult = KubeDependencies.live.runProcess) -> KubeDependencies {
        KubeDependencies(
            now: { [self] in clock.withLock { $0 } },
            sleep: { [self] duration in sleeps.withLock { $0.append(duration) } },
            random: { 0.5 },
            runProcess: runProcess
        )
    }
}

struct TestPod: Codable, Sendable, Equatable {
    struct Metadata: Codable, Sendable, Equatable {
        var name: String
        var resourceVersion: String?
    }

    var metadata: Metadata

    init(_ name: String, _ resourceVersion: String? = nil) {
        metadata = Metadata(name: name, resourceVersion: resourceVersion)
    }

    var json: String {
        "{\"metadata\":{\"name\":\"\(metadata.name)\"\(metadata.resourceVersion.map { ",\"resourceVersion\":\"\($0)\"" } ?? "")}}"
    }

    func event(_ type: String) -> String { "{\"type\":\"\(type)\",\"object\":\(json)}" }
}

extension HTTPError {
    static let refused = HTTPError(.couldNotConnect, request: "", message: "Connection refused", curlCode: 7, requestMayHaveBeenSent: false)
    static let reset = HTTPError(.receiveFailed, request: "", message: "Connection reset by peer", curlCode: 56, requestMayHaveBeenSent: true)
}
