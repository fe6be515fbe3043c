import Foundation
import MockCluster
import NIOCore
import NIOHTTP1

/// One connection's requests, answered on its event loop: the head and body are gathered, the
/// cluster answers under its lock, and the answer is written back. A plain NIO handler rather
/// than an async layer: the mock serves thousands of small writes a second on one thread, and
/// handing each request to a task and back cost more than answering it.
final class ClusterHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBody = 64 << 20
    static let watchPollInterval = TimeAmount.milliseconds(20)

    private let server: MockClusterServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    /// The watch this connection streams, if any: polled until it ends.
    private var watch: Watch?
    private var watchDeadline: ContinuousClock.Instant?

    init(server: MockClusterServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll(keepingCapacity: true)
            bodyTooLarge = false
            // curl asks before sending a body over 1 MB, and waits a second for an answer.
            if requestHead.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: requestHead.version, status: .continue))), promise: nil)
            }
        case .body(var buffer):
            guard !bodyTooLarge else { return }
            if body.count + buffer.readableBytes > Self.maxBody {
                bodyTooLarge = true
                body = []
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            if bodyTooLarge {
                write(APIResponse(status: 413, contentType: "text/plain", body: .bytes(Array("request body too large\n".utf8))),
                      keepAlive: false, context: context)
                return
            }
            answer(requestHead, context: context)
        }
    }

    private func answer(_ requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers: [String: String] = [:]
        for (name, value) in requestHead.headers {
            let lowered = name.lowercased()
            headers[lowered] = headers[lowered].map { "\($0),\(value)" } ?? value
        }
        let request = APIRequest(method: requestHead.method.rawValue, target: requestHead.uri, headers: headers, body: body)
        let response = server.cluster.withLock { $0.handle(request, now: server.now()) }
        let keepAlive = requestHead.isKeepAlive
        guard response.delaySeconds > 0 else {
            write(response, keepAlive: keepAlive, context: context)
            return
        }
        // Injected latency: answer later, without holding up the event loop meanwhile.
        let delay = TimeAmount.nanoseconds(Int64(response.delaySeconds * 1_000_000_000))
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard context.channel.isActive else { return }
            write(response, keepAlive: keepAlive, context: context)
        }
    }

    private func write(_ response: APIResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        for warning in response.warningHeaders { headers.add(name: "Warning", value: warning) }
        let status = HTTPResponseStatus(statusCode: response.status)
        switch response.body {
        case .bytes(let bytes):
            headers.add(name: "Content-Length", value: String(bytes.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            finish(keepAlive: keepAlive, context: context)
        case .parts(let parts):
            let length = parts.reduce(0) { $0 + $1.count }
            headers.add(name: "Content-Length", value: String(length))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            // A list's items are copied once, into one buffer of the body's size: one allocation and
            // one write rather than one of each per item, and a large body's memory goes back to the
            // system as soon as it is sent.
            var body = context.channel.allocator.buffer(capacity: length)
            for part in parts { body.writeBytes(part) }
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            finish(keepAlive: keepAlive, context: context)
        case .connectionReset:
            context.close(promise: nil)
        case .watch(let opened):
            // No Content-Length: the stream is chunked, and lasts until the watch ends.
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            if !opened.initial.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: opened.initial)))), promise: nil)
            }
            context.flush()
            guard !opened.endsAfterInitial else {
                finish(keepAlive: keepAlive, context: context)
                return
            }
            watch = opened
            // Bounded and finite before it becomes a duration: the query is the client's.
            watchDeadline = opened.timeoutSeconds.flatMap { $0.isFinite ? ContinuousClock.now.advanced(by: .milliseconds(Int64(max(0, min($0, 1e9)) * 1000))) : nil }
            scheduleWatchPoll(keepAlive: keepAlive, context: context)
        }
    }

    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    /// Writes what changed since the last poll, until the watch times out, the client goes away
    /// or the server stops.
    private func scheduleWatchPoll(keepAlive: Bool, context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.watchPollInterval) { [self] in
            guard var current = watch, context.channel.isActive else {
                watch = nil
                return
            }
            let (lines, ended) = server.cluster.withLock { $0.poll(&current, now: server.now()) }
            watch = current
            if !lines.isEmpty {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: lines)))), promise: nil)
            }
            if ended || watchDeadline.map({ ContinuousClock.now >= $0 }) == true || server.isStopping.load(ordering: .relaxed) {
                watch = nil
                finish(keepAlive: keepAlive, context: context)
            } else {
                scheduleWatchPoll(keepAlive: keepAlive, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
