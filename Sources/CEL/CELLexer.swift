/// Turns an expression's code points into tokens. Comments (`//` to the end of the line) and
/// whitespace separate tokens; anything else the grammar does not know is a diagnostic.
struct CELLexer {
    let source: CELSourceText
    private var offset = 0

    static let reservedWords: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ]

    init(source: CELSourceText) { self.source = source }

    private var scalars: [Unicode.Scalar] { source.scalars }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        offset + ahead < scalars.count ? scalars[offset + ahead] : nil
    }

    mutating func tokens() throws(CELCompileError) -> [CELToken] {
        var result: [CELToken] = []
        while true {
            skipWhitespaceAndComments()
            let start = offset
            guard let scalar = peek() else {
                result.append(CELToken(kind: .end, offset: start))
                return result
            }
            let kind: CELToken.Kind
            if let literal = try stringLiteralIfAny() {
                kind = literal
            } else if Self.isDigit(scalar) || (scalar == "." && peek(1).map(Self.isDigit) == true) {
                kind = try number()
            } else if Self.isIdentifierStart(scalar) {
                kind = word()
            } else if let symbol = symbol() {
                kind = .symbol(symbol)
            } else {
                throw fail(at: start, "unexpected character '\(scalar.escaped(asASCII: true))'")
            }
            result.append(CELToken(kind: kind, offset: start))
        }
    }

    func fail(at offset: Int, _ message: String) -> CELCompileError {
        CELCompileError(diagnostics: [source.diagnostic(at: offset, message)])
    }

    private mutating func skipWhitespaceAndComments() {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                offset += 1
            } else if scalar == "/" && peek(1) == "/" {
                while let next = peek(), next != "\n" { offset += 1 }
            } else {
                return
            }
        }
    }

    /// The symbols by their first code point, two-character ones first so that `<=` is not read as `<`.
    private static let symbols: [Unicode.Scalar: [(symbol: CELToken.Symbol, second: Unicode.Scalar?)]] = {
        var table: [Unicode.Scalar: [(symbol: CELToken.Symbol, second: Unicode.Scalar?)]] = [:]
        for symbol in CELToken.Symbol.allCases where symbol != .in {
            let text = Array(symbol.rawValue.unicodeScalars)
            table[text[0], default: []].append((symbol, text.count > 1 ? text[1] : nil))
        }
        return table.mapValues { $0.sorted { $0.second != nil && $1.second == nil } }
    }()

    private mutating func symbol() -> CELToken.Symbol? {
        guard let first = peek(), let candidates = Self.symbols[first] else { return nil }
        for (symbol, second) in candidates where second == nil || second == peek(1) {
            offset += second == nil ? 1 : 2
            return symbol
        }
        return nil
    }

    private mutating func word() -> CELToken.Kind {
        var text = String.UnicodeScalarView()
        while let scalar = peek(), Self.isIdentifierStart(scalar) || Self.isDigit(scalar) {
            text.append(scalar)
            offset += 1
        }
        let name = String(text)
        switch name {
        case "true": return .trueLiteral
        case "false": return .falseLiteral
        case "null": return .nullLiteral
        case "in": return .symbol(.in)
        default: return Self.reservedWords.contains(name) ? .reserved(name) : .identifier(name)
        }
    }

    /// A string or bytes literal starting here, with its prefix (`r`, `b`, `rb`, `br`, any case).
    private mutating func stringLiteralIfAny() throws(CELCompileError) -> CELToken.Kind? {
        var prefixLength = 0
        var raw = false
        var bytes = false
        while prefixLength < 2, let scalar = peek(prefixLength) {
            if (scalar == "r" || scalar == "R") && !raw {
                raw = true
            } else if (scalar == "b" || scalar == "B") && !bytes {
                bytes = true
            } else {
                break
            }
            prefixLength += 1
        }
        guard let quote = peek(prefixLength), quote == "'" || quote == "\"" else { return nil }
        let start = offset
        offset += prefixLength
        var reader = CELStringLiteralReader(scalars: scalars, offset: offset, raw: raw, bytes: bytes)
        do {
            let value = try reader.read()
            offset = reader.offset
            return bytes ? .bytes(value) : .string(String(decoding: value, as: UTF8.self))
        } catch {
            throw fail(at: error.offset ?? start, error.message)
        }
    }

    private mutating func number() throws(CELCompileError) -> CELToken.Kind {
        let start = offset
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            offset += 2
            let digits = take(while: Self.isHexDigit)
            guard !digits.isEmpty, let value = UInt64(digits, radix: 16) else {
                throw fail(at: start, "invalid hexadecimal literal")
            }
            return integerSuffix(value)
        }
        var text = take(while: Self.isDigit)
        var isDouble = false
        if peek() == ".", let next = peek(1), Self.isDigit(next) {
            offset += 1
            text += "." + take(while: Self.isDigit)
            isDouble = true
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1) == "+" || peek(1) == "-" ? 1 : 0
            if let digit = peek(1 + sign), Self.isDigit(digit) {
                text += "e"
                if sign == 1, let signScalar = peek(1) { text.unicodeScalars.append(signScalar) }
                offset += 1 + sign
                text += take(while: Self.isDigit)
                isDouble = true
            }
        }
        if isDouble {
            guard let value = Double(text) else { throw fail(at: start, "invalid number literal") }
            return .double(value)
        }
        guard let value = UInt64(text) else { throw fail(at: start, "integer literal \(text) is out of range") }
        return integerSuffix(value)
    }

    private mutating func integerSuffix(_ value: UInt64) -> CELToken.Kind {
        if peek() == "u" || peek() == "U" {
            offset += 1
            return .uint(value)
        }
        return .int(value)
    }

    private mutating func take(while accept: (Unicode.Scalar) -> Bool) -> String {
        var text = String.UnicodeScalarView()
        while let scalar = peek(), accept(scalar) {
            text.append(scalar)
            offset += 1
        }
        return String(text)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || (scalar >= "a" && scalar <= "f") || (scalar >= "A" && scalar <= "F")
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
    }
}
