/// Reads one quoted literal (cel-spec "String and Bytes Values"): single or triple quotes, raw or
/// with escapes. Strings come out as UTF-8; in bytes literals `\x` and octal escapes are raw bytes.
struct CELStringLiteralReader {
    struct Failure: Error {
        var message: String
        var offset: Int?
    }

    let scalars: [Unicode.Scalar]
    var offset: Int
    let raw: Bool
    let bytes: Bool

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        offset + ahead < scalars.count ? scalars[offset + ahead] : nil
    }

    mutating func read() throws(Failure) -> [UInt8] {
        let start = offset
        let quote = scalars[offset]
        let triple = peek(1) == quote && peek(2) == quote
        offset += triple ? 3 : 1
        var output: [UInt8] = []
        while true {
            guard let scalar = peek() else { throw Failure(message: "unterminated string literal", offset: start) }
            if scalar == quote && (!triple || (peek(1) == quote && peek(2) == quote)) {
                offset += triple ? 3 : 1
                return output
            }
            if !triple && (scalar == "\n" || scalar == "\r") {
                throw Failure(message: "newline in a single-quoted string literal (use triple quotes)", offset: offset)
            }
            if scalar == "\\" && !raw {
                try readEscape(into: &output)
            } else {
                output.append(contentsOf: Array(String(scalar).utf8))
                offset += 1
            }
        }
    }

    private mutating func readEscape(into output: inout [UInt8]) throws(Failure) {
        let start = offset
        offset += 1
        guard let scalar = peek() else { throw Failure(message: "unterminated string literal", offset: start) }
        offset += 1
        let simple: [Unicode.Scalar: UInt8] = [
            "a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, "\"": 34, "`": 96, "?": 63,
        ]
        if let byte = simple[scalar] {
            output.append(byte)
            return
        }
        switch scalar {
        case "x", "X": try appendCode(hexDigits: 2, start: start, into: &output)
        case "u": try appendCode(hexDigits: 4, start: start, into: &output)
        case "U": try appendCode(hexDigits: 8, start: start, into: &output)
        case "0"..."3":
            guard let second = peek(), let third = peek(1), ("0"..."7").contains(second), ("0"..."7").contains(third) else {
                throw Failure(message: "an octal escape takes three digits", offset: start)
            }
            offset += 2
            let value = (scalar.value - 48) * 64 + (second.value - 48) * 8 + (third.value - 48)
            try append(code: value, rawByte: true, start: start, into: &output)
        default:
            throw Failure(message: "invalid escape sequence '\\\(scalar.escaped(asASCII: true))'", offset: start)
        }
    }

    private mutating func appendCode(hexDigits: Int, start: Int, into output: inout [UInt8]) throws(Failure) {
        guard offset + hexDigits <= scalars.count else { throw Failure(message: "incomplete escape sequence", offset: start) }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[offset..<offset + hexDigits])
        guard let value = UInt32(String(text), radix: 16) else {
            throw Failure(message: "invalid hexadecimal escape sequence", offset: start)
        }
        offset += hexDigits
        if bytes && hexDigits > 2 {
            throw Failure(message: "\\u and \\U escapes are not allowed in bytes literals", offset: start)
        }
        try append(code: value, rawByte: hexDigits == 2, start: start, into: &output)
    }

    private func append(code: UInt32, rawByte: Bool, start: Int, into output: inout [UInt8]) throws(Failure) {
        if bytes && rawByte {
            output.append(UInt8(code))
            return
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw Failure(message: "escape sequence names no Unicode code point", offset: start)
        }
        output.append(contentsOf: Array(String(scalar).utf8))
    }
}
