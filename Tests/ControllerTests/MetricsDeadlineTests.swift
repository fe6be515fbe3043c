@testable import Controller
import Testing

/// A metrics read that hangs costs its own deadline, and delays no other read beyond it.
@Suite(.tags(.unit)) struct MetricsDeadlineTests {
    @Test func aReadThatHangsEndsAtItsDeadlineAndTheOthersAnswer() async {
        let clock = ContinuousClock()
        let start = clock.now
        let answers = await concurrentMap(["hangs", "answers"]) { namespace in
            await AutoscaleReader.within(.milliseconds(200), orElse: "deadline") {
                // A read that never answers unless cancelled.
                if namespace == "hangs" { try? await Task.sleep(for: .seconds(3600)) }
                return namespace
            }
        }
        #expect(answers == ["deadline", "answers"])
        // Far less than the hour the read hangs: it was cancelled, not waited out. (Not a speed
        // check: on a loaded 2-core machine other tests can hold the shared threads for a while.)
        #expect(clock.now - start < .seconds(600))
    }
}
