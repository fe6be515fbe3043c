import Foundation
import Manifests
import Testing

/// Each `golden/NAME.yaml` is an invalid manifest; `golden/NAME.expected` holds exactly what
/// `hmsctl validate` prints for it. Run with UPDATE_GOLDEN=1 to rewrite the expectations (then
/// read every changed one before committing).
@Suite(.tags(.unit, .golden)) struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    @Test func thereAreAtLeastThirtyCases() {
        #expect(Self.cases.count >= 30)
    }

    @Test(arguments: cases)
    func invalidManifest(_ name: String) throws {
        let source = Self.directory.appendingPathComponent("\(name).yaml")
        let bytes = [UInt8](try Data(contentsOf: source))
        let result = ManifestDecoder().decode(bytes, file: "\(name).yaml")
        #expect(!result.diagnostics.isEmpty, "\(name).yaml should be invalid")
        let rendered = result.diagnostics.map(\.description).joined(separator: "\n") + "\n"
        let expectedURL = Self.directory.appendingPathComponent("\(name).expected")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(rendered == expected)
    }
}
