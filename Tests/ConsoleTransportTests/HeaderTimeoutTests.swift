import ConnectionGuards
@testable import ConsoleTransport
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing

/// The handler on an EmbeddedChannel, whose clock moves only when the test says so.
@Suite(.tags(.unit)) struct HeaderTimeoutTests {
    let channel: EmbeddedChannel
    let timeouts = Tally()

    init() throws {
        channel = EmbeddedChannel()
        let timeouts = timeouts
        try channel.pipeline.syncOperations.addHandler(HeaderTimeoutHandler(timeout: .seconds(10), onTimeout: { timeouts.add() }))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4400)).wait()
    }

    func advance(_ seconds: Double) {
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(Int64(seconds * 1000)))
    }

    /// Bytes came that made no whole request: what the HTTP decoder passes on for a partial head.
    func bytes() { channel.pipeline.fireChannelReadComplete() }

    func requestRead() throws {
        try channel.writeInbound(HTTPRequestPart.end(nil))
        bytes()
    }

    func responseEnded() throws {
        try channel.writeOutbound(HTTPResponsePart.end(nil))
    }

    @Test func aConnectionThatSendsNothingIsClosedAtTheTimeoutNotBefore() {
        advance(9.9)
        #expect(channel.isActive)
        advance(0.1)
        #expect(!channel.isActive)
        #expect(timeouts.count == 1)
    }

    @Test func aByteEveryTwoSecondsDoesNotHoldTheConnection() {
        for _ in 0..<4 {
            advance(2)
            bytes()
        }
        advance(1.9)
        #expect(channel.isActive)
        advance(0.1)
        #expect(!channel.isActive)
    }

    @Test func aWholeRequestInTimeStopsTheTimer() throws {
        advance(5)
        try requestRead()
        advance(120)
        #expect(channel.isActive, "answering, however long (an event stream): the request was read")
        #expect(timeouts.count == 0)
    }

    @Test func aKeptAliveConnectionWaitsIdleThenOwesTheNextRequestFromItsFirstByte() throws {
        try requestRead()
        try responseEnded()
        advance(30)
        #expect(channel.isActive, "idle between requests: the idle timeout's business, not this handler's")
        bytes()
        advance(9.9)
        bytes()
        #expect(channel.isActive)
        advance(0.1)
        #expect(!channel.isActive)
    }

    @Test func theNextRequestInTimeKeepsTheConnection() throws {
        try requestRead()
        try responseEnded()
        advance(30)
        bytes()
        advance(5)
        try requestRead()
        try responseEnded()
        advance(60)
        #expect(channel.isActive)
    }

    @Test func pipelinedRequestsAreAnsweredBeforeTheConnectionIsIdle() throws {
        try requestRead()
        try requestRead()
        try responseEnded()
        bytes()
        advance(20)
        #expect(channel.isActive, "one request still unanswered")
        try responseEnded()
        bytes()
        advance(10)
        #expect(!channel.isActive)
    }

    @Test func aClosedConnectionLeavesNoTimer() throws {
        try channel.close().wait()
        advance(20)
        #expect(timeouts.count == 0)
    }
}

@Suite(.tags(.unit)) struct HeaderWatchTests {
    @Test func stepsOfAKeptAliveConnection() {
        var watch = HeaderWatch()
        #expect(watch.bytesArrived() == .none, "not yet open")
        #expect(watch.opened() == .startTimer)
        #expect(watch.opened() == .none, "active and added both say so")
        #expect(watch.bytesArrived() == .none, "already owes a request")
        #expect(watch.requestRead() == .stopTimer)
        #expect(watch.bytesArrived() == .none, "answering")
        #expect(watch.responseEnded() == .none)
        #expect(watch.phase == .idle)
        #expect(watch.requestRead() == .none, "a whole request in one read: no timer to stop")
        #expect(watch.responseEnded() == .none)
        #expect(watch.bytesArrived() == .startTimer)
        #expect(watch.phase == .awaitingRequest)
    }
}

final class Tally: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}
