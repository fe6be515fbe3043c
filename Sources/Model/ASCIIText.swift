import Foundation

// Checks that most text, being ASCII, answers from its bytes; other text keeps the Character (or
// Foundation) reading it always had, which canonical equivalence and grapheme clusters can change.

extension String {
    /// `contains(where: \.isWhitespace)`. In ASCII the whitespace characters are tab, line feed,
    /// vertical tab, form feed, carriage return and space.
    var containsWhitespace: Bool {
        for byte in utf8 {
            if byte >= 0x80 { return contains(where: \.isWhitespace) }
            if byte == 0x20 || (0x09...0x0D).contains(byte) { return true }
        }
        return false
    }

    /// Foundation's `contains(_:)` for one ASCII character other than CR and LF (which pair up).
    func contains(ascii character: Unicode.Scalar) -> Bool {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return contains(String(character)) }
        return utf8.contains(UInt8(ascii: character))
    }
}
