import Foundation
import Testing
@testable import MockCluster

@Suite struct TimestampTests {
    /// The hand-written formatter agrees with Foundation's across eras, leap days and time of day.
    @Test func wholeSecondTimestampsMatchFoundation() {
        var random = SplitMix64(seed: 7)
        let edges: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, -2_208_988_800, 253_402_300_799]
        let samples = edges + (0..<2_000).map { _ in Double(random.next() % 8_000_000_000) - 2_000_000_000 + 0.75 }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(timestamp(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false)), "\(seconds)")
        }
    }

    @Test func uidsHaveTheCanonicalShape() {
        var cluster = MockCluster(now: Date(timeIntervalSince1970: 0))
        let uid = cluster.newUID()
        #expect(uid.count == 36)
        #expect(uid.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(uid != cluster.newUID())
    }
}
