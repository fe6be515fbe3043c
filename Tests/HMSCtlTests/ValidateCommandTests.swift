import Foundation
import Testing

/// Runs the built `hmsctl` as a user would, and checks what it prints and how it exits.
struct ValidateCommandTests: HMSCtlRunner {
    @Test func theExamplesAreValid() throws {
        let run = try hmsctl(["validate", "-f", "manifests/examples"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasSuffix("resources valid.\n"))
        #expect(run.stderr.isEmpty)
    }

    @Test func everyErrorOfEveryFileIsPrintedAndTheExitCodeIsOne() throws {
        let golden = "Tests/ManifestsTests/golden"
        let run = try hmsctl(["validate", "-f", "\(golden)/replicas-not-integer.yaml", "-f", "\(golden)/multiple-documents-second-and-fourth-bad.yaml", "-f", "manifests/examples"])
        #expect(run.status == 1)
        let expected = try ["replicas-not-integer", "multiple-documents-second-and-fourth-bad"].map { name in
            try String(contentsOf: Self.repository.appendingPathComponent("\(golden)/\(name).expected"), encoding: .utf8)
                .replacingOccurrences(of: "\(name).yaml:", with: "\(golden)/\(name).yaml:")
        }.joined()
        #expect(run.stderr.hasPrefix(expected))
        #expect(run.stderr.hasSuffix("3 errors; 17 valid resources.\n"))
        #expect(run.stdout.isEmpty)
    }

    @Test func pastAHundredErrorsTheRestAreCountedNotPrinted() throws {
        let documents = (0..<150).map { "---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web-\($0)}\nspec: {image: registry.gov/web:1, replicas: \($0)x}\n" }
        let run = try hmsctl(["validate", "-f", "-"], stdin: documents.joined())
        #expect(run.status == 1)
        #expect(run.stderr.components(separatedBy: ": error: ").count - 1 == 100)
        #expect(run.stderr.hasSuffix("50 more errors not shown.\n150 errors; 0 valid resources.\n"))
    }

    @Test func standardInputIsRead() throws {
        let manifest = """
            apiVersion: ops.hms.gov/v1alpha1
            kind: GovernancePolicy
            metadata: {name: default}
            spec: {maxReplicasWithoutApproval: ten}
            """
        let run = try hmsctl(["validate", "-f", "-"], stdin: manifest)
        #expect(run.status == 1)
        #expect(run.stderr == """
            <stdin>:4:36: error: spec.maxReplicasWithoutApproval: expected an integer, found "ten"
            spec: {maxReplicasWithoutApproval: ten}
                                               ^
            1 error; 0 valid resources.

            """)
    }

    @Test func withoutAFileItSaysHowToUseIt() throws {
        let run = try hmsctl(["validate"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Give at least one -f PATH."))
    }

    @Test func crdsAreTheCommittedOnes() throws {
        let run = try hmsctl(["crds"])
        #expect(run.status == 0)
        let committed = try ["approvals", "autoscalerules", "budgets", "directives", "governancepolicies", "servicespecs"].map {
            try String(contentsOf: Self.repository.appendingPathComponent("manifests/crds/ops.hms.gov_\($0).yaml"), encoding: .utf8)
        }
        for crd in committed { #expect(run.stdout.contains(crd)) }
    }
}
