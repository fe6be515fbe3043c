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
    /// The source line the mark points into, for the caret: at most `excerptWidth` columns of it
    /// around the mark, with `…` where it was cut.
    public var sourceLine: String?
    /// The caret's column in `sourceLine`, counted from 1; nil: the mark's column.
    public var sourceColumn: Int?

    /// How much of a source line a diagnostic shows: a minified or generated file may have one
    /// line of megabytes, and every error on it would otherwise print all of it.
    public static let excerptWidth = 120

    public init(file: String, mark: Mark?, path: FieldPath? = nil, message: String, sourceLine: String? = nil, sourceColumn: Int? = nil) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
        self.sourceLine = sourceLine
        self.sourceColumn = sourceColumn
    }

    /// A diagnostic whose excerpt is cut from `lines` around the mark.
    init(file: String, mark: Mark?, path: FieldPath?, message: String, lines: SourceLines) {
        let excerpt = mark.flatMap { lines.excerpt(line: $0.line, column: $0.column) }
        self.init(file: file, mark: mark, path: path, message: message, sourceLine: excerpt?.text, sourceColumn: excerpt?.column)
    }

    /// At most `excerptWidth` columns of `line` around `column` (from 1), `…` marking each cut
    /// within them, and the column's place in what is kept.
    public static func excerpt(_ line: some Collection<Character>, column: Int) -> (text: String, column: Int) {
        let count = line.count
        guard count > excerptWidth else { return (String(line), column) }
        let caret = min(max(0, column - 1), count)
        let kept = excerptWidth - 2  // room for a marker at either end
        let start = max(0, min(caret - kept / 2, count - kept))
        let end = min(count, start + kept)
        let from = line.index(line.startIndex, offsetBy: start), to = line.index(from, offsetBy: end - start)
        let text = (start > 0 ? "…" : "") + String(line[from..<to]) + (end < count ? "…" : "")
        return (text, caret - start + 1 + (start > 0 ? 1 : 0))
    }

    /// The one-line form: `FILE:LINE:COLUMN: error: PATH: MESSAGE`.
    public var summary: String {
        let location = mark.map { "\(file):\($0.line):\($0.column)" } ?? file
        let field = path.map { $0.components.isEmpty ? "" : "\($0): " } ?? ""
        return "\(location): error: \(field)\(message)"
    }

    public var description: String {
        guard let mark, let source = sourceLine else { return summary }
        let (line, column) = sourceColumn.map { (source, $0) } ?? Self.excerpt(source, column: mark.column)
        // Keep tabs so the caret lines up under the same column in a terminal.
        let lead = line.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
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

    /// The last line cut from, as characters: the many errors of one long line decode it once.
    private var cached: (number: Int, characters: [Character])?

    /// At most `Diagnostic.excerptWidth` columns of line `number` around `column`.
    func excerpt(line number: Int, column: Int) -> (text: String, column: Int)? {
        if let cached, cached.number == number { return Diagnostic.excerpt(cached.characters, column: column) }
        guard let text = line(number) else { return nil }
        let characters = Array(text)
        cached = (number, characters)
        return Diagnostic.excerpt(characters, column: column)
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
