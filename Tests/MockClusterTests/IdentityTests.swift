import Foundation
import Testing
@testable import MockCluster

@Suite(.tags(.unit)) struct IdentityTests {
    @Test func uidsHaveTheCanonicalShape() {
        var cluster = MockCluster(now: Date(timeIntervalSince1970: 0))
        let uid = cluster.newUID()
        #expect(uid.count == 36)
        #expect(uid.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(uid != cluster.newUID())
    }
}
