import Foundation
import Manifests
import Testing

/// Inputs that once crashed the decoder (or crash other YAML libraries): each must now decode to
/// diagnostics, quickly, without crashing. hack/fuzz.sh says where new ones come from.
@Suite(.tags(.unit, .hostile)) struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fuzz-regressions")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test(arguments: inputs)
    func decodesToDiagnostics(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let result = ManifestDecoder().decode(bytes, file: name)
        #expect(result.manifests.isEmpty)
        #expect(!result.diagnostics.isEmpty)
        for diagnostic in result.diagnostics { #expect(!diagnostic.description.isEmpty) }
    }
}
