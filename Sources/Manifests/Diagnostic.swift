import Model
import YAML

/// One problem in one manifest, rendered like a compiler's error:
///
///     manifests/web.yaml:12:15: error: spec.replicas: expected an integer, found "three"
///       replicas: three
///                 ^
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var mark: Mark?
    /// The field the problem is about, when there is one.
    public var path: FieldPath?
    public var message: String
    /// The source line the mark points into, for the caret.
    public var sourceLine: String?

    public init(file: String, mark: Mark?, path: FieldPath? = nil, message: String, sourceLine: String? = nil) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
        self.sourceLine = sourceLine
    }

    /// The one-line form: `FILE:LINE:COLUMN: error: PATH: MESSAGE`.
    public var summary: String {
        let location = mark.map { "\(file):\($0.line):\($0.column)" } ?? file
        let field = path.map { $0.components.isEmpty ? "" : "\($0): " } ?? ""
        return "\(location): error: \(field)\(message)"
    }

    public var description: String {
        guard let mark, let line = sourceLine else { return summary }
        // Keep tabs so the caret lines up under the same column in a terminal.
        let lead = line.prefix(max(0, mark.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        return "\(summary)\n\(line)\n\(lead)^"
    }
}

/// The lines of a source, found on first use (only errors need them) and then once for all: a
/// long file with many errors is not read again for each.
final class SourceLines {
    let bytes: [UInt8]
    /// Where each line starts; the last line runs to the end of the source.
    private lazy var starts: [Int] = [0] + bytes.indices.lazy.filter { self.bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Line `number`, counted from 1, without its line break.
    func line(_ number: Int) -> String? {
        guard number >= 1, number <= starts.count else { return nil }
        let end = number < starts.count ? starts[number] - 1 : bytes.count
        return text(starts[number - 1]..<end)
    }

    private func text(_ range: Range<Int>) -> String {
        var line = String(decoding: bytes[range], as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        if line.hasPrefix("\u{FEFF}") { line.removeFirst() }
        // Never echo control characters to a terminal; one replacement keeps the columns.
        return String(line.unicodeScalars.map { scalar in
            scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F ? "\u{FFFD}" : Character(scalar)
        })
    }
}
