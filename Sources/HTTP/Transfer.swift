import Synchronization

/// What a body callback tells curl.
enum BodyVerdict {
    case accepted
    /// Hold the data: the reader is behind. curl delivers the same bytes again after `unpause`.
    case pause
    /// Nobody wants the rest: end the transfer.
    case abort
}

/// One request in flight. Created by the caller, then touched only by the engine thread, which
/// resumes the caller's continuation when the transfer ends; hence `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    enum Delivery {
        case buffered(CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>)
        case streaming(head: CheckedContinuation<Result<HTTPStreamingResponse, HTTPError>, Never>, body: BodyChannel, lease: TransferLease)
    }

    let id: Int
    let request: HTTPRequest
    private var delivery: Delivery?
    private var streamingBody: BodyChannel?
    private var status = 0
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []

    init(id: Int, request: HTTPRequest, delivery: Delivery) {
        self.id = id
        self.request = request
        self.delivery = delivery
    }

    /// Works on the bytes, making Strings only of a field's name and value: every response
    /// passes through here once per header line.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer, handle: EasyHandle) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end == 0 {
            let code = handle.responseCode()
            if code >= 200 { headComplete(status: code) }
        } else if end >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
            bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/")
        {
            // A new status line (after `100 Continue`, say) starts a new set of headers.
            headers = HTTPHeaders()
        } else if let colon = bytes[..<end].firstIndex(of: UInt8(ascii: ":")) {
            var start = colon + 1
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            var last = end
            while last > start, bytes[last - 1] == UInt8(ascii: " ") || bytes[last - 1] == UInt8(ascii: "\t") { last -= 1 }
            headers.add(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self),
                        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<last]), as: UTF8.self))
        }
    }

    /// For a streamed response the caller gets status and headers as soon as they are in.
    private func headComplete(status: Int) {
        self.status = status
        guard case .streaming(let head, let channel, let lease)? = delivery else { return }
        streamingBody = channel
        delivery = nil
        head.resume(returning: .success(HTTPStreamingResponse(status: status, headers: headers, body: HTTPResponseBody(channel: channel, lease: lease))))
    }

    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> BodyVerdict {
        if let streamingBody { return streamingBody.offer(bytes) }
        body.append(contentsOf: bytes)
        return .accepted
    }

    /// The transfer is over, well or badly; `error` is nil when curl finished it.
    func complete(error: HTTPError?, status finalStatus: Int) {
        switch delivery {
        case .buffered(let continuation)?:
            if let error {
                continuation.resume(returning: .failure(error))
            } else {
                continuation.resume(returning: .success(HTTPResponse(status: finalStatus, headers: headers, body: body)))
            }
        case .streaming(let head, let channel, let lease)?:
            if let error {
                head.resume(returning: .failure(error))
            } else {
                // Finished before the header callback saw the end of the head (no body at all).
                streamingBody = channel
                head.resume(returning: .success(HTTPStreamingResponse(status: finalStatus, headers: headers, body: HTTPResponseBody(channel: channel, lease: lease))))
            }
        case nil:
            break
        }
        delivery = nil
        streamingBody?.finish(error)
        streamingBody = nil
        body = []
    }
}

/// The chunks of a streamed body between the engine thread, which offers them, and the reader.
/// Past `highWater` buffered bytes the transfer pauses, so a slow reader never makes memory grow;
/// below `lowWater` it resumes.
final class BodyChannel: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        /// The most ever buffered: what a slow reader cost in memory.
        var peakBuffered = 0
        var paused = false
        var abandoned = false
        var end: Result<Void, HTTPError>?
        var waiter: CheckedContinuation<Result<[UInt8]?, HTTPError>, Never>?
    }

    private let state = Mutex(State())
    private let highWater: Int
    private let lowWater: Int
    /// Asks the engine to unpause the transfer.
    private let resume: @Sendable () -> Void

    init(highWater: Int = 1 << 20, resume: @escaping @Sendable () -> Void) {
        self.highWater = highWater
        self.lowWater = highWater / 4
        self.resume = resume
    }

    /// Engine thread.
    func offer(_ bytes: UnsafeRawBufferPointer) -> BodyVerdict {
        let (verdict, waiter): (BodyVerdict, CheckedContinuation<Result<[UInt8]?, HTTPError>, Never>?) = state.withLock { state in
            if state.abandoned { return (.abort, nil) }
            if let waiting = state.waiter {
                state.waiter = nil
                return (.accepted, waiting)
            }
            if state.buffered >= highWater {
                state.paused = true
                return (.pause, nil)
            }
            state.chunks.append(Array(bytes))
            state.buffered += bytes.count
            state.peakBuffered = max(state.peakBuffered, state.buffered)
            return (.accepted, nil)
        }
        waiter?.resume(returning: .success(Array(bytes)))
        return verdict
    }

    /// Whether the transfer waits for the reader, the most ever buffered, and whether the
    /// transfer is over: what tests of the back-pressure look at.
    var pressure: (paused: Bool, peakBuffered: Int, ended: Bool) {
        state.withLock { ($0.paused, $0.peakBuffered, $0.end != nil) }
    }

    /// Engine thread: the transfer is over.
    func finish(_ error: HTTPError?) {
        let waiter = state.withLock { state in
            state.end = error.map { .failure($0) } ?? .success(())
            defer { state.waiter = nil }
            return state.waiter
        }
        guard let waiter else { return }
        if let error { waiter.resume(returning: .failure(error)) } else { waiter.resume(returning: .success(nil)) }
    }

    /// The next chunk; nil at the end of the body.
    func next() async -> Result<[UInt8]?, HTTPError> {
        await withCheckedContinuation { continuation in
            let (immediate, wake): (Result<[UInt8]?, HTTPError>?, Bool) = state.withLock { state in
                if state.head < state.chunks.count {
                    let chunk = state.chunks[state.head]
                    state.chunks[state.head] = []
                    state.head += 1
                    state.buffered -= chunk.count
                    if state.head == state.chunks.count {
                        state.chunks.removeAll(keepingCapacity: true)
                        state.head = 0
                    }
                    let wake = state.paused && state.buffered <= lowWater
                    if wake { state.paused = false }
                    return (.success(chunk), wake)
                }
                if let end = state.end {
                    switch end {
                    case .success: return (.success(nil), false)
                    case .failure(let error): return (.failure(error), false)
                    }
                }
                state.waiter = continuation
                let wake = state.paused
                state.paused = false
                return (nil, wake)
            }
            if wake { resume() }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// The reader is gone: the next offer ends the transfer.
    func abandon() {
        let waiter = state.withLock { state in
            state.abandoned = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .failure(HTTPError(.cancelled, request: "", message: "the reader stopped reading")))
    }
}

/// Keeps a streamed transfer and its client alive while someone holds the body; the last holder
/// letting go cancels the transfer, so an abandoned watch closes its connection.
final class TransferLease: Sendable {
    let id: Int
    let client: HTTPClient

    init(id: Int, client: HTTPClient) {
        self.id = id
        self.client = client
    }

    deinit { client.cancel(transfer: id) }
}
