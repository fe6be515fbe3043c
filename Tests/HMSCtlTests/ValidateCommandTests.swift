import Foundation
import Testing

/// `hmsctl validate` in this process: what it prints and how it ends.
@Suite(.tags(.unit)) struct ValidateCommandTests {
    @Test func theExamplesAreValid() async {
        let run = await InProcess.hmsctl(["validate", "-f", Repository.path("manifests/examples")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasSuffix("resources valid.\n"))
        #expect(run.stderr.isEmpty)
    }

    @Test func everyErrorOfEveryFileIsPrintedAndTheExitCodeIsOne() async throws {
        let golden = Repository.path("Tests/ManifestsTests/golden")
        let run = await InProcess.hmsctl([
            "validate", "-f", "\(golden)/replicas-not-integer.yaml", "-f", "\(golden)/multiple-documents-second-and-fourth-bad.yaml",
            "-f", Repository.path("manifests/examples"),
        ])
        #expect(run.status == 1)
        let expected = try ["replicas-not-integer", "multiple-documents-second-and-fourth-bad"].map { name in
            try String(contentsOfFile: "\(golden)/\(name).expected", encoding: .utf8).replacingOccurrences(of: "\(name).yaml:", with: "\(golden)/\(name).yaml:")
        }.joined()
        #expect(run.stderr.hasPrefix(expected))
        #expect(run.stderr.hasSuffix("3 errors; 17 valid resources.\n"))
        #expect(run.stdout.isEmpty)
    }

    @Test func pastAHundredErrorsTheRestAreCountedNotPrinted() async {
        let documents = (0..<150).map { "---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web-\($0)}\nspec: {image: registry.gov/web:1, replicas: \($0)x}\n" }
        let run = await InProcess.hmsctl(["validate", "-f", "-"], stdin: documents.joined())
        #expect(run.status == 1)
        #expect(run.stderr.components(separatedBy: ": error: ").count - 1 == 100)
        #expect(run.stderr.hasSuffix("50 more errors not shown.\n150 errors; 0 valid resources.\n"))
    }

    @Test func withoutAFileItSaysHowToUseIt() async {
        let run = await InProcess.hmsctl(["validate"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Give at least one -f PATH."))
    }

    @Test func crdsAreTheCommittedOnes() async throws {
        let run = await InProcess.hmsctl(["crds"])
        #expect(run.status == 0)
        let committed = try ["approvals", "autoscalerules", "budgets", "directives", "governancepolicies", "servicespecs"].map {
            try String(contentsOfFile: Repository.path("manifests/crds/ops.hms.gov_\($0).yaml"), encoding: .utf8)
        }
        for crd in committed { #expect(run.stdout.contains(crd)) }
    }
}

/// The built `hmsctl` as a user runs it, for what only the program does: its exit status through
/// ArgumentParser's `main`, its real standard input, output and error.
@Suite(.tags(.process)) struct BuiltBinaryTests {
    @Test func theExamplesAreValidOnStandardOutputWithStatusZero() throws {
        let run = try BuiltBinary.hmsctl(["validate", "-f", "manifests/examples"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasSuffix("resources valid.\n"))
        #expect(run.stderr.isEmpty)
    }

    @Test func standardInputIsReadAndErrorsGoToStandardErrorWithStatusOne() throws {
        let manifest = """
            apiVersion: ops.hms.gov/v1alpha1
            kind: GovernancePolicy
            metadata: {name: default}
            spec: {maxReplicasWithoutApproval: ten}
            """
        let run = try BuiltBinary.hmsctl(["validate", "-f", "-"], stdin: manifest)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == """
            <stdin>:4:36: error: spec.maxReplicasWithoutApproval: expected an integer, found "ten"
            spec: {maxReplicasWithoutApproval: ten}
                                               ^
            1 error; 0 valid resources.

            """)
    }

    @Test func aUsageErrorExitsWith64() throws {
        let run = try BuiltBinary.hmsctl(["autoscale", "recommend"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Missing expected argument '--input <file>'"))
    }
}
