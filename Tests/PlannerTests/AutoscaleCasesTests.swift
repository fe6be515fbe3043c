import Foundation
import Planner
import Testing

/// The shared worked cases (Fixtures/autoscale-cases.json, copied from
/// ../shared/autoscale-cases/cases.json): each must give the replicas and the proposal upstream
/// Kubernetes gives.
@Suite(.tags(.unit)) struct AutoscaleCasesTests {
    struct WorkedCase: Sendable, CustomTestStringConvertible {
        var situation: AutoscaleSituation
        var testDescription: String { situation.name ?? "unnamed case" }
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/autoscale-cases.json")

    static func load() throws -> [AutoscaleSituation] {
        try JSONDecoder().decode([AutoscaleSituation].self, from: Data(contentsOf: fixture))
    }

    /// Test arguments cannot throw; `theFixtureReadsWhole` fails loudly if this comes back empty.
    static let cases: [WorkedCase] = ((try? load()) ?? []).map(WorkedCase.init)

    @Test func theFixtureReadsWhole() throws {
        let situations = try Self.load()
        #expect(situations.count == 14)
        #expect(Set(situations.compactMap(\.name)).count == situations.count, "case names are unique")
    }

    @Test(arguments: cases)
    func givesTheExpectedReplicasAndProposal(_ workedCase: WorkedCase) throws {
        let situation = workedCase.situation
        #expect(situation.validate().isEmpty)
        let recommendation = Autoscaler.recommend(situation.moment())
        let expectedReplicas = try #require(situation.expectedReplicas)
        #expect(recommendation.desiredReplicas == expectedReplicas, "\(recommendation.reasons)")
        // A case that stops before the metrics has no proposal to expect.
        #expect(recommendation.proposal == situation.expectedProposal, "\(recommendation.reasons)")
    }
}
