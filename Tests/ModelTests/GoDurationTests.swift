import Model
import Testing

@Suite(.tags(.unit)) struct GoDurationTests {
    @Test func readsWhatKubernetesFlagsWrite() {
        #expect(GoDuration.parse("15s") == .seconds(15))
        #expect(GoDuration.parse("1m30s") == .seconds(90))
        #expect(GoDuration.parse("500ms") == .milliseconds(500))
        #expect(GoDuration.parse("1.5h") == .seconds(5400))
    }

    @Test func refusesWhatIsNotADuration() {
        for text in ["", "15", "s", "-5s", "1d", "1e400s", "1..2s", "9999999h", "15 s"] {
            #expect(GoDuration.parse(text) == nil, "\(text)")
        }
    }
}
