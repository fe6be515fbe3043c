import Foundation
import Manifests
import Testing
import YAML

/// A long stream is decoded in slices on several threads; what comes out must be exactly what one
/// thread reading it whole finds: the same resources in the same order, the same diagnostics at
/// the same lines.
@Suite(.tags(.unit)) struct SlicedDecodingTests {
    static let invalid = """
        apiVersion: ops.hms.gov/v1alpha1
        kind: ServiceSpec
        metadata: {name: broken, namespace: demo}
        spec:
          image: registry.gov/app:1
          replicas: 2
          resources: {cpu: 5 cores}
          colour: blue

        """

    /// The every-field fixture and an invalid document, `copies` times over: well past the size
    /// at which the decoder cuts a stream.
    static func stream(copies: Int, ending tail: String = "") throws -> [UInt8] {
        let fixture = try String(contentsOf: EveryFieldTests.fixture, encoding: .utf8)
        var text = ""
        for _ in 0..<copies { text += "---\n" + fixture + "---\n" + invalid }
        return Array((text + tail).utf8)
    }

    @Test func slicesDecodeAsTheWholeStream() throws {
        let bytes = try Self.stream(copies: 80)
        #expect(bytes.count > 512 * 1024)
        #expect(StreamSlice.cut(bytes, into: 4).count == 4)
        let whole = ManifestDecoder(threads: 1).decode(bytes, file: "big.yaml")
        let sliced = ManifestDecoder(threads: 4).decode(bytes, file: "big.yaml")
        #expect(whole.manifests.count == 80 * 6)  // one of each kind per copy of the fixture
        #expect(whole.diagnostics.count == 80 * 2)
        #expect(sliced.manifests == whole.manifests)
        #expect(sliced.diagnostics == whole.diagnostics)
        // The last invalid document's errors point at its own lines of the whole file.
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let last = try #require(sliced.diagnostics.last)
        #expect(lines[last.mark!.line - 1] == "  colour: blue")
    }

    /// `validate` keeps only where each valid resource is defined: the same diagnostics, the same
    /// count and places, and no resource held.
    @Test func definitionsWithoutTheResourcesMatchTheKeptOnes() throws {
        let bytes = try Self.stream(copies: 80)
        let kept = ManifestDecoder(threads: 4).decode(bytes, file: "big.yaml")
        let dropped = ManifestDecoder(threads: 4, keepsResources: false).decode(bytes, file: "big.yaml")
        #expect(dropped.manifests.isEmpty)
        #expect(dropped.validCount == kept.manifests.count)
        #expect(dropped.definitions.map(\.mark) == kept.manifests.map(\.mark))
        #expect(dropped.definitions.map(\.file) == kept.manifests.map(\.file))
        #expect(dropped.diagnostics == kept.diagnostics)
    }

    @Test func aSyntaxErrorIsReportedAsInTheWholeStream() throws {
        let bytes = try Self.stream(copies: 80, ending: "---\nkind: [ServiceSpec\n")
        let whole = ManifestDecoder(threads: 1).decode(bytes, file: "big.yaml")
        let sliced = ManifestDecoder(threads: 4).decode(bytes, file: "big.yaml")
        #expect(whole.diagnostics.last?.message.contains("did not find expected") == true)
        #expect(sliced.manifests == whole.manifests)
        #expect(sliced.diagnostics == whole.diagnostics)
    }
}

@Suite(.tags(.unit)) struct StreamSliceTests {
    static func lines(_ count: Int, document: String) -> [UInt8] {
        Array(String(repeating: document, count: count).utf8)
    }

    @Test func cutsOnlyWhereADocumentStarts() {
        let bytes = Self.lines(20_000, document: "---\na: 1\nb: |\n  --- not a start\n")
        let slices = StreamSlice.cut(bytes, into: 3, minimumSize: 0)
        #expect(slices.count == 3)
        #expect(slices.first?.range.lowerBound == 0)
        #expect(slices.last?.range.upperBound == bytes.count)
        for (slice, next) in zip(slices, slices.dropFirst()) {
            #expect(slice.range.upperBound == next.range.lowerBound)
            #expect(Array(bytes[next.range.prefix(4)]) == Array("---\n".utf8))
            // firstLine is the line number of the slice's first byte in the whole stream.
            let before = bytes[..<next.range.lowerBound].filter { $0 == UInt8(ascii: "\n") }.count
            #expect(next.firstLine == before + 1)
        }
    }

    @Test func aStreamWithDirectivesStaysWhole() {
        var bytes = Self.lines(20_000, document: "---\na: 1\n")
        bytes += Array("%YAML 1.1\n---\na: 2\n".utf8)
        #expect(StreamSlice.cut(bytes, into: 2, minimumSize: 0) == [StreamSlice(range: bytes.indices, firstLine: 1)])
    }

    @Test func aShortStreamOrOneDocumentStaysWhole() {
        let short = Self.lines(10, document: "---\na: 1\n")
        #expect(StreamSlice.cut(short, into: 2).count == 1)
        let one = Array(("a:\n" + String(repeating: "- 1\n", count: 100_000)).utf8)
        #expect(StreamSlice.cut(one, into: 2, minimumSize: 0).count == 1)
    }

    @Test func marksCountFromTheSlicesFirstLine() throws {
        let bytes = Array("a: 1\n---\nb: [2\n".utf8)
        var marks: [Int] = []
        try YAMLParser().forEachDocument(bytes, in: 0..<5, firstLine: 1) { marks.append($0.mark(of: $0.root).line) }
        try YAMLParser().forEachDocument(bytes, in: 5..<9, firstLine: 2) { _ in }
        #expect(marks == [1])
        #expect(throws: YAMLError.self) { try YAMLParser().forEachDocument(bytes, in: 9..<bytes.count, firstLine: 3) { _ in } }
        do {
            try YAMLParser().forEachDocument(bytes, in: 9..<bytes.count, firstLine: 3) { _ in }
        } catch {
            #expect(error.mark?.line ?? 0 >= 3)
        }
    }
}
