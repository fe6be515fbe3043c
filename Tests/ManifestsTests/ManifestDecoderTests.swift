import Foundation
import Manifests
import Model
import Testing
import YAML

@Suite(.tags(.unit)) struct ManifestDecoderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func decode(_ yaml: String) -> DecodeResult {
        ManifestDecoder().decode(Array(yaml.utf8), file: "test.yaml")
    }

    @Test func decodesAServiceSpecWithEveryField() throws {
        let result = decode("""
            apiVersion: ops.hms.gov/v1alpha1
            kind: ServiceSpec
            metadata:
              name: eligibility-api
              namespace: student-aid
              labels: {program: student-aid, fiscalYear: "2027"}
            spec:
              image: registry.gov/eligibility-api:1.4
              replicas: 4
              port: 8080
              resources: {cpu: 500m, memory: 512Mi}
              env: [{name: MODE, value: strict}]
              healthCheck: {path: /health, periodSeconds: 5, failureThreshold: 2}
              paused: false
            """)
        #expect(result.diagnostics.isEmpty)
        guard case .serviceSpec(let service) = try #require(result.manifests.first).resource else {
            Issue.record("expected a ServiceSpec")
            return
        }
        #expect(service.metadata.labels?["fiscalYear"] == "2027")
        #expect(service.spec.replicas == 4)
        #expect(service.spec.resources?.cpu?.doubleValue == 0.5)
        #expect(service.spec.resources?.memory?.doubleValue == Double(512 * 1024 * 1024))
        #expect(service.spec.healthCheck?.failureThreshold == 2)
        #expect(service.spec.env == [EnvVar(name: "MODE", value: "strict")])
    }

    @Test func reportsEveryProblemOfADocumentInOptionalFieldsNotJustTheFirst() {
        let result = decode("""
            apiVersion: ops.hms.gov/v1alpha1
            kind: ServiceSpec
            metadata: {name: web}
            spec:
              image: registry.gov/web:1
              replicas: three
              port: "8080"
              colour: blue
            """)
        #expect(result.diagnostics.map(\.summary) == [
            "test.yaml:6:13: error: spec.replicas: expected an integer, found \"three\"",
            "test.yaml:7:9: error: spec.port: expected an integer, found \"8080\"; remove the quotes: 8080",
            "test.yaml:8:3: error: spec.colour: unknown field \"colour\"; known fields: image, replicas, scaling, port, resources, env, healthCheck, paused, restartedAt",
        ])
    }

    @Test func semanticRulesPointAtTheField() {
        let result = decode("""
            apiVersion: ops.hms.gov/v1alpha1
            kind: AutoscaleRule
            metadata: {name: web}
            spec:
              target: web
              minReplicas: 8
              maxReplicas: 4
              metrics: [{type: cpu, targetUtilization: 60}]
            """)
        #expect(result.diagnostics.map(\.description) == ["""
            test.yaml:6:16: error: spec.minReplicas: minReplicas (8) must not be greater than maxReplicas (4)
              minReplicas: 8
                           ^
            """])
    }

    @Test func everyErrorOfALongStreamShowsItsOwnLine() {
        let documents = (0..<2000).map { "---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web-\($0)}\nspec:\n  image: registry.gov/web:1\n  replicas: \($0)x\n" }
        let result = decode(documents.joined() + "---\napiVersion: ops.hms.gov/v1alpha1\nkind: Approval\nmetadata: {name: last}\nspec: {action: a, approvedBy: b, expiresAt: tomorrow}")
        #expect(result.diagnostics.count == 2001)
        for (i, diagnostic) in result.diagnostics.prefix(2000).enumerated() {
            #expect(diagnostic.mark == Mark(line: 7 * i + 7, column: 13))
            #expect(diagnostic.sourceLine == "  replicas: \(i)x")
        }
        // The last line has no line break after it.
        #expect(result.diagnostics.last?.sourceLine == "spec: {action: a, approvedBy: b, expiresAt: tomorrow}")
    }

    @Test func aLongLineShowsAWindowOfAtMost120ColumnsAroundTheCaret() {
        let padding = String(repeating: "x", count: 300)
        let result = decode("apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web}\nspec: {image: registry.gov/web:1, env: [{name: A, value: \(padding)}], replicas: three}\n")
        let diagnostic = try? #require(result.diagnostics.first)
        let lines = diagnostic?.description.split(separator: "\n", omittingEmptySubsequences: false) ?? []
        #expect(lines.count == 3)
        #expect(lines.dropFirst().allSatisfy { $0.count <= 120 })
        #expect(lines[1].hasPrefix("…"))
        #expect(lines[1].hasSuffix("replicas: three}"))
        // The caret still points at the value.
        #expect(lines[2].count == lines[1].count - "three}".count + 1)
        #expect(lines[2].hasSuffix("^"))
    }

    @Test func theExcerptKeepsBothEndsMarkedAndTheCaretInPlace() {
        let line = Array(String(repeating: "a", count: 100) + "B" + String(repeating: "c", count: 100))
        let (text, column) = Diagnostic.excerpt(line, column: 101)
        #expect(text.count == 120)
        #expect(text.hasPrefix("…") && text.hasSuffix("…"))
        #expect(Array(text)[column - 1] == "B")
        #expect(Diagnostic.excerpt(Array("short"), column: 3) == ("short", 3))
        // A column past the end still points just after what is shown.
        let end = Diagnostic.excerpt(line, column: 500)
        #expect(end.text.count == 119 && end.column == 120)
    }

    @Test func anEmptyDocumentIsSkippedAndOthersStillDecode() {
        let result = decode("---\n---\napiVersion: ops.hms.gov/v1alpha1\nkind: Approval\nmetadata: {name: a}\nspec: {action: 3f2a9c, approvedBy: ops@hms.gov, expiresAt: \"2026-12-01T00:00:00Z\"}\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.manifests.map(\.resource.kind) == ["Approval"])
        #expect(result.manifests.first?.mark == Mark(line: 3, column: 1))
    }

    @Test func theWireFormatIsTheJSONTheClusterStores() throws {
        let result = decode("""
            apiVersion: ops.hms.gov/v1alpha1
            kind: Directive
            metadata: {name: power, namespace: power}
            spec:
              schedule: "05:00"
              timeZone: America/Chicago
              template: {image: registry.gov/power-worker:2.1, resources: {cpu: 250m}}
              jobs: [{id: power-tx, payload: {region: TX, megawatts: 400}}]
              slo: {finishBefore: "06:00"}
            """)
        let manifest = try #require(result.manifests.first)
        guard case .directive(let directive) = manifest.resource else { Issue.record("expected a Directive"); return }
        let json = try ResourceWriter.json(directive, pretty: false)
        #expect(json == #"{"apiVersion":"ops.hms.gov/v1alpha1","kind":"Directive","metadata":{"name":"power","namespace":"power"},"spec":{"jobs":[{"id":"power-tx","payload":{"megawatts":400,"region":"TX"}}],"schedule":"05:00","slo":{"finishBefore":"06:00"},"template":{"image":"registry.gov/power-worker:2.1","resources":{"cpu":"250m"}},"timeZone":"America/Chicago"}}"#)
        let back = try JSONDecoder().decode(Directive.self, from: Data(json.utf8))
        #expect(back == directive)
    }

    @Test func yamlOutputRoundTripsThroughTheDecoder() throws {
        let examples = ManifestLoader().load([Self.repository.appendingPathComponent("manifests/examples").path])
        #expect(examples.diagnostics.isEmpty)
        #expect(examples.manifests.count >= 10)
        let yaml = try ResourceWriter.yaml(examples.manifests.map(\.resource))
        let again = decode(yaml)
        #expect(again.diagnostics.isEmpty, "\(again.diagnostics)")
        #expect(again.manifests.map(\.resource) == examples.manifests.map(\.resource))
    }

    @Test func examplesCoverEveryKindAndCarryTheProgramLabels() {
        let examples = ManifestLoader().load([Self.repository.appendingPathComponent("manifests/examples").path])
        let kinds = Set(examples.manifests.map(\.resource.kind))
        #expect(kinds.isSuperset(of: ["ServiceSpec", "AutoscaleRule", "Budget", "Directive", "GovernancePolicy"]))
        for manifest in examples.manifests {
            let labels = manifest.resource.metadata.labels ?? [:]
            #expect(["agency", "program", "fiscalYear"].allSatisfy { labels[$0] != nil }, "\(manifest.file): \(manifest.resource.metadata.name)")
        }
    }
}

@Suite(.tags(.unit)) struct ManifestLoaderTests {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hms-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested"), withIntermediateDirectories: true)
        return dir
    }

    let budget = """
        apiVersion: ops.hms.gov/v1alpha1
        kind: Budget
        metadata: {name: NAME}
        spec:
          selector: {matchLabels: {program: p}}
          monthlyLimitUSD: 100
          pricing: {cpuCoreHourUSD: 0.03, memoryGiBHourUSD: 0.004}

        """

    @Test func directoriesReadYAMLFilesAndRecurseOnlyWhenAsked() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try budget.replacingOccurrences(of: "NAME", with: "a").write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try budget.replacingOccurrences(of: "NAME", with: "b").write(to: dir.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        try "not yaml at all: [".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try budget.replacingOccurrences(of: "NAME", with: "c").write(to: dir.appendingPathComponent("nested/c.yaml"), atomically: true, encoding: .utf8)

        let flat = ManifestLoader().load([dir.path])
        #expect(flat.diagnostics.isEmpty)
        #expect(flat.manifests.map(\.resource.metadata.name) == ["a", "b"])
        let deep = ManifestLoader(recursive: true).load([dir.path])
        #expect(deep.manifests.map(\.resource.metadata.name) == ["a", "b", "c"])
        #expect(deep.manifests.last?.file == dir.path + "/nested/c.yaml")
    }

    @Test func standardInputIsNamedInErrors() {
        let result = ManifestLoader().load(["-"]) { Array("apiVersion: v1\nkind: ConfigMap\n".utf8) }
        #expect(result.diagnostics.map(\.summary) == ["<stdin>:1:13: error: apiVersion: hmsctl reads ops.hms.gov/v1alpha1 resources, found \"v1\" (kind ConfigMap)"])
    }

    @Test func aMissingPathIsAnError() {
        let result = ManifestLoader().load(["/nonexistent/hms.yaml"])
        #expect(result.diagnostics.map(\.summary) == ["/nonexistent/hms.yaml: error: no such file or directory"])
    }

    @Test func theSameResourceTwiceIsAnError() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.yaml"), b = dir.appendingPathComponent("b.yaml")
        try budget.replacingOccurrences(of: "NAME", with: "same").write(to: a, atomically: true, encoding: .utf8)
        try ("# again\n" + budget.replacingOccurrences(of: "NAME", with: "same")).write(to: b, atomically: true, encoding: .utf8)
        let expected = ["\(b.path):2:1: error: Budget \"same\" is defined twice; first at \(a.path):1:1"]
        let result = ManifestLoader().load([a.path, b.path])
        #expect(result.diagnostics.map(\.summary) == expected)
        // Found from the definitions alone, as `validate` keeps no resource.
        let definitionsOnly = ManifestLoader(decoder: ManifestDecoder(keepsResources: false)).load([a.path, b.path])
        #expect(definitionsOnly.manifests.isEmpty)
        #expect(definitionsOnly.validCount == 2)
        #expect(definitionsOnly.diagnostics.map(\.summary) == expected)
    }
}

@Suite(.tags(.unit)) struct CustomResourceDefinitionTests {
    @Test func committedCRDsMatchTheTypes() throws {
        let dir = ManifestDecoderTests.repository.appendingPathComponent("manifests/crds")
        let files = try CustomResourceDefinitions.files()
        // No file for a kind that is gone, as `diff -r` would say.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == files.map(\.name).sorted())
        for file in files {
            let committed = try String(contentsOf: dir.appendingPathComponent(file.name), encoding: .utf8)
            #expect(committed == file.yaml, "\(file.name) is stale: run hack/gen-crds.sh")
        }
    }

    /// Helm installs the CRDs from the chart's crds/ directory: the same files, byte for byte.
    @Test func helmChartCarriesTheSameCRDs() throws {
        let manifests = ManifestDecoderTests.repository.appendingPathComponent("manifests/crds")
        let chart = ManifestDecoderTests.repository.appendingPathComponent("charts/hms-controller/crds")
        let names = try FileManager.default.contentsOfDirectory(atPath: manifests.path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: chart.path).sorted() == names)
        for name in names {
            let copy = try? Data(contentsOf: chart.appendingPathComponent(name))
            #expect(copy == (try Data(contentsOf: manifests.appendingPathComponent(name))), "charts/hms-controller/crds/\(name) differs from manifests/crds/: run hack/gen-crds.sh")
        }
    }

    @Test func schemasFollowTheCodableShape() {
        let schema = OpenAPISchema.resource(AutoscaleRule.self)
        let spec = schema.property("spec")
        #expect(spec?.required == ["target", "maxReplicas", "metrics"])
        #expect(spec?.property("metrics")?.items.first?.property("type")?.enumValues == ["cpu", "memory", "pods", "object", "external"])
        #expect(spec?.property("metrics")?.items.first?.property("targetAverageValue")?.intOrString == true)
        let labels = OpenAPISchema.resource(Directive.self).property("spec")?.property("jobs")?.items.first?.property("payload")
        #expect(labels?.preserveUnknownFields == true)
        #expect(OpenAPISchema.of(ObjectMeta.self).property("labels")?.additionalProperties.first?.type == "string")
    }

    @Test func everyKindHasStatusAndPrinterColumns() throws {
        for definition in CustomResourceDefinitions.all() {
            guard case .object(let crd) = definition, case .object(let spec) = crd["spec"],
                  case .array(let versions) = spec["versions"], case .object(let version) = versions.first else {
                Issue.record("malformed CRD")
                continue
            }
            #expect(version["subresources"] == .object(["status": .object([:])]))
            guard case .array(let columns) = version["additionalPrinterColumns"] else { Issue.record("no columns"); continue }
            #expect(columns.count >= 3)
        }
    }
}
