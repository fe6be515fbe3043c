import Foundation
import Model
import Testing

@Suite(.tags(.unit)) struct RFC3339Tests {
    @Test func microTimesHaveExactlySixFractionalDigits() {
        #expect(RFC3339.microString(from: Date(timeIntervalSince1970: 1_800_000_000.000123)) == "2027-01-15T08:00:00.000123Z")
        #expect(RFC3339.microString(from: Date(timeIntervalSince1970: 1_800_000_000)) == "2027-01-15T08:00:00.000000Z")
    }
}
