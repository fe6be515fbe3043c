@testable import Model
import Testing

@Suite(.tags(.unit)) struct SpellingTests {
    @Test func editDistance() {
        func distance(_ a: String, _ b: String, limit: Int = 10) -> Int {
            Spelling.distance(Array(a), Array(b), limit: limit)
        }
        #expect(distance("Chicgo", "Chicago") == 1)
        #expect(distance("kitten", "sitting") == 3)
        #expect(distance("", "abc") == 3)
        #expect(distance("same", "same") == 0)
        #expect(distance("abcdef", "uvwxyz", limit: 2) == 3)  // stops early
    }

    @Test func closestIgnoresCaseAndKeepsWithinTheLimit() {
        #expect(Spelling.closest(to: "replica", in: ["image", "replicas", "port"]) == "replicas")
        #expect(Spelling.closest(to: "HEALTHCHEK", in: ["healthCheck"]) == "healthCheck")
        #expect(Spelling.closest(to: "colour", in: ["image", "replicas", "port"]) == nil)
        #expect(Spelling.closest(to: "CST", in: ["EST"], maxDistance: 0) == nil)
    }
}
