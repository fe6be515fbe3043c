@testable import Controller
import Planner
import Testing

/// The work queue on a fake clock: `t0` and offsets from it, never the wall clock.
@Suite(.tags(.unit)) struct WorkQueueTests {
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { t0 + .milliseconds(milliseconds) }

    @Test func aKeyAddedTwiceIsProcessedOnce() {
        var queue = WorkQueue<String>()
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.depth == 2)
        #expect(queue.nextBatch(now: t0) == ["a", "b"])
        #expect(queue.next(now: t0) == nil)
    }

    @Test func aKeyReAddedWhileProcessingIsProcessedAgainAfterAndNotMeanwhile() {
        var queue = WorkQueue<String>()
        queue.add("a")
        #expect(queue.next(now: t0) == "a")
        queue.add("a")
        queue.add("a")
        // Never handed out twice at once.
        #expect(queue.next(now: t0) == nil)
        #expect(queue.depth == 0)
        queue.done("a")
        #expect(queue.next(now: t0) == "a")
        queue.done("a")
        #expect(queue.next(now: t0) == nil)
    }

    @Test func aKeyDoneWithoutBeingReAddedIsNotQueuedAgain() {
        var queue = WorkQueue<String>()
        queue.add("a")
        _ = queue.next(now: t0)
        queue.done("a")
        #expect(queue.depth == 0)
        #expect(queue.next(now: at(10_000)) == nil)
    }

    @Test func failuresBackOffExponentiallyPerKeyFromFiveMilliseconds() {
        var queue = WorkQueue<String>()
        var delays: [Duration] = []
        for _ in 0..<4 { delays.append(queue.addRateLimited("a", now: t0)) }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40)])
        #expect(queue.requeues("a") == 4)
        // Another key has its own count.
        #expect(queue.addRateLimited("b", now: t0) == .milliseconds(5))
        // Success forgets: the next failure starts again at 5 ms.
        queue.forget("a")
        #expect(queue.requeues("a") == 0)
        #expect(queue.addRateLimited("a", now: t0) == .milliseconds(5))
    }

    @Test func theBackoffStopsAtAThousandSeconds() {
        var backoff = ItemBackoff<String>()
        var last = Duration.zero
        for _ in 0..<80 { last = backoff.when("a") }
        #expect(last == .seconds(1000))
        var fresh = ItemBackoff<String>()
        for _ in 0..<18 { _ = fresh.when("b") }
        // 5 ms x 2^18 = 1,310.72 s: capped.
        #expect(fresh.when("b") == .seconds(1000))
    }

    @Test func aRateLimitedKeyIsReadyOnlyAfterItsBackoff() {
        var queue = WorkQueue<String>()
        queue.addRateLimited("a", now: t0)
        queue.addRateLimited("a", now: t0)  // waits 10 ms; the earlier 5 ms ready time is kept
        #expect(queue.depth == 0)
        #expect(queue.waitingCount == 1)
        #expect(queue.nextReady == at(5))
        #expect(queue.next(now: at(4)) == nil)
        #expect(queue.next(now: at(5)) == "a")
    }

    @Test func addAfterKeepsTheEarliestTime() {
        var queue = WorkQueue<String>()
        queue.add("a", after: .seconds(5), now: t0)
        queue.add("a", after: .seconds(2), now: t0)
        queue.add("a", after: .seconds(9), now: t0)
        #expect(queue.nextReady == t0 + .seconds(2))
        #expect(queue.next(now: t0 + .seconds(1)) == nil)
        #expect(queue.next(now: t0 + .seconds(2)) == "a")
        #expect(queue.waitingCount == 0)
    }

    @Test func aWaitingKeyThatIsAddedMeanwhileIsProcessedOnce() {
        var queue = WorkQueue<String>()
        queue.add("a", after: .seconds(1), now: t0)
        queue.add("a")
        #expect(queue.next(now: t0) == "a")
        // Its timer fires while it is processed: it runs again after, once.
        queue.promote(now: t0 + .seconds(1))
        #expect(queue.next(now: t0 + .seconds(1)) == nil)
        queue.done("a")
        #expect(queue.nextBatch(now: t0 + .seconds(1)) == ["a"])
    }

    @Test func theOverallBucketAllowsBurstsOfAHundredThenTenASecond() {
        var bucket = TokenBucket()
        let burst = (0..<100).map { _ in bucket.reserve(now: t0) }
        #expect(burst.allSatisfy { $0 == .zero })
        #expect(bucket.reserve(now: t0) == .milliseconds(100))
        #expect(bucket.reserve(now: t0) == .milliseconds(200))
        // A second later ten tokens came back; two were owed.
        let later = bucket.reserve(now: t0 + .seconds(1))
        #expect(later == .zero)
    }

    @Test func aRateLimitedAddWaitsForTheLongerOfBackoffAndBucket() {
        var queue = WorkQueue<Int>()
        for key in 0..<100 { #expect(queue.addRateLimited(key, now: t0) == .milliseconds(5)) }
        // The 101st failure in the same instant waits for the bucket, not its own 5 ms.
        #expect(queue.addRateLimited(100, now: t0) == .milliseconds(100))
    }

    @Test func theBatchHoldsEveryReadyKeyInOrderAndDepthCounts() {
        var queue = WorkQueue<String>()
        for key in ["c", "a", "b", "a"] { queue.add(key) }
        queue.add("later", after: .seconds(1), now: t0)
        #expect(queue.depth == 3)
        #expect(queue.nextBatch(now: t0) == ["c", "a", "b"])
        #expect(queue.processingCount == 3)
        #expect(queue.depth == 0)
        for key in ["c", "a", "b"] { queue.done(key) }
        #expect(queue.nextBatch(now: t0 + .seconds(1)) == ["later"])
    }
}

/// How a batch is shared among the controller's workers: whole namespaces per worker, and a
/// namespace another worker has waits.
@Suite(.tags(.unit)) struct WorkerDealTests {
    func key(_ namespace: String, _ name: String) -> ObjectRef { ObjectRef(kind: "ServiceSpec", namespace: namespace, name: name) }

    @Test func namespacesAreDealtWholeToAtMostTheFreeWorkers() {
        let batch = [key("a", "1"), key("b", "1"), key("a", "2"), key("c", "1"), key("d", "1"), key("e", "1")]
        let (groups, deferred) = ControllerLoop.deal(batch, busy: [], workers: 4)
        #expect(deferred.isEmpty)
        #expect(groups.count == 4)
        #expect(groups.map { Set($0.map(\.namespace)) } == [["a", "e"], ["b"], ["c"], ["d"]])
        #expect(groups[0].map(\.name) == ["1", "2", "1"])
        #expect(ControllerLoop.deal(batch, busy: [], workers: 1).groups.count == 1)
    }

    @Test func aNamespaceAnotherWorkerHasWaits() {
        let batch = [key("a", "1"), key("b", "1"), key("a", "2")]
        let (groups, deferred) = ControllerLoop.deal(batch, busy: ["a"], workers: 2)
        #expect(deferred == [key("a", "1"), key("a", "2")])
        #expect(groups == [[key("b", "1")]])
        #expect(ControllerLoop.deal([key("a", "1")], busy: ["a"], workers: 3).groups.isEmpty)
    }
}
