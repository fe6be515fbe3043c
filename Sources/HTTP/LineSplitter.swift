/// Cuts a byte stream into lines (a watch sends one JSON object per line). Pure: chunks in,
/// complete lines out, whatever way the chunks were cut.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    /// A line longer than this is an error rather than unbounded memory.
    public let maxLineLength: Int

    public init(maxLineLength: Int = 16 << 20) {
        self.maxLineLength = maxLineLength
    }

    public enum Failure: Error, Equatable { case lineTooLong(Int) }

    /// The lines the chunk completes, without their `\n` (or `\r\n`); empty lines are skipped.
    public mutating func push(_ chunk: [UInt8]) throws(Failure) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending
            pending = []
            line += chunk[start..<newline]
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
            start = newline + 1
        }
        pending += chunk[start...]
        if pending.count > maxLineLength { throw .lineTooLong(pending.count) }
        return lines
    }

    /// What remains when the stream ends: a last line without a newline, if any.
    public mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        return pending.isEmpty ? nil : pending
    }
}
