/// The lexical units of CEL (cel-spec's grammar), each with the code point offset it starts at.
struct CELToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case int(UInt64)  // the magnitude: the parser folds a leading minus into it
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case identifier(String)
        case reserved(String)  // words CEL keeps for itself: `if`, `for`, `let`, ...
        case trueLiteral, falseLiteral, nullLiteral
        case symbol(Symbol)
        case end
    }

    enum Symbol: String, Sendable, CaseIterable {
        case equal = "==", notEqual = "!=", lessEqual = "<=", greaterEqual = ">=", and = "&&", or = "||"
        case optionalSelect = ".?", optionalIndex = "[?"
        case less = "<", greater = ">", not = "!", plus = "+", minus = "-", times = "*", divide = "/"
        case remainder = "%", question = "?", colon = ":", dot = ".", comma = ",", `in` = "in"
        case openParen = "(", closeParen = ")", openBracket = "[", closeBracket = "]"
        case openBrace = "{", closeBrace = "}"
    }

    var kind: Kind
    var offset: Int
}

extension CELToken.Kind {
    /// How a token is named in "expected ..., found ..." messages.
    var display: String {
        switch self {
        case .int(let value): "integer \(value)"
        case .uint(let value): "integer \(value)u"
        case .double(let value): "number \(value)"
        case .string: "a string"
        case .bytes: "a bytes literal"
        case .identifier(let name): "'\(name)'"
        case .reserved(let word): "reserved word '\(word)'"
        case .trueLiteral: "'true'"
        case .falseLiteral: "'false'"
        case .nullLiteral: "'null'"
        case .symbol(let symbol): "'\(symbol.rawValue)'"
        case .end: "the end of the expression"
        }
    }
}
