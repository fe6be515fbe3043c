#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long stream cut into slices at document starts, so that each can be parsed on its own thread.
///
/// A line that begins with `---` and a space or line break starts a document wherever it is (YAML
/// forbids it inside a scalar), so a cut there parses to the same documents as the whole stream.
/// A directive (`%YAML`, `%TAG`) belongs to the document after it and would be cut off from it:
/// a stream with directives stays whole. So does a stream that a syntax error breaks, which the
/// caller learns by parsing; it then parses the whole stream again to report it as a whole.
public struct StreamSlice: Sendable, Equatable {
    public var range: Range<Int>
    /// The line of the whole stream on which the slice starts, counted from 1.
    public var firstLine: Int

    public init(range: Range<Int>, firstLine: Int) {
        self.range = range
        self.firstLine = firstLine
    }

    /// The whole stream as one slice.
    public static func whole(_ bytes: [UInt8]) -> StreamSlice {
        StreamSlice(range: bytes.indices, firstLine: 1)
    }

    /// At most `count` slices of about equal size; one slice (the whole stream) when it cannot be
    /// cut or is too short to be worth it (64 KiB, about 300 small resources, decode in some 8 ms:
    /// past that a second thread pays for itself).
    public static func cut(_ bytes: [UInt8], into count: Int, minimumSize: Int = 64 * 1024) -> [StreamSlice] {
        let whole = [Self.whole(bytes)]
        guard count > 1, bytes.count >= minimumSize else { return whole }
        let step = bytes.count / count
        var slices: [StreamSlice] = []
        var start = 0, startLine = 1
        var line = 1
        var nextCut = step
        let found: Bool = bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                // `index` is at the start of line `line`.
                if buffer[index] == UInt8(ascii: "%") { return false }
                if index >= nextCut, slices.count < count - 1, isDocumentStart(buffer, at: index) {
                    slices.append(StreamSlice(range: start..<index, firstLine: startLine))
                    start = index
                    startLine = line
                    nextCut = index + step
                }
                // memchr: several times faster than a loop over the bytes of a long stream.
                guard let base = buffer.baseAddress,
                      let newline = memchr(base + index, Int32(UInt8(ascii: "\n")), buffer.count - index) else { break }
                index = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
                line += 1
            }
            return true
        }
        guard found, !slices.isEmpty else { return whole }
        return slices + [StreamSlice(range: start..<bytes.count, firstLine: startLine)]
    }

    private static func isDocumentStart(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 3 <= buffer.count, buffer[index] == UInt8(ascii: "-"), buffer[index + 1] == UInt8(ascii: "-"),
            buffer[index + 2] == UInt8(ascii: "-")
        else { return false }
        guard index + 3 < buffer.count else { return true }
        let next = buffer[index + 3]
        return next == UInt8(ascii: " ") || next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") || next == UInt8(ascii: "\t")
    }
}
