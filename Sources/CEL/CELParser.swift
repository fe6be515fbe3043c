/// A recursive-descent parser for cel-spec's grammar. Nesting is bounded (`limits.maxDepth`) both
/// while reading and in the tree it builds, so neither this parser nor the evaluator can be driven
/// into a stack overflow; `&&` and `||` chains are built balanced, as cel-go builds them.
struct CELParser {
    let source: CELSourceText
    let maxDepth: Int
    private var tokens: [CELToken]
    private var index = 0
    private var nesting = 0

    init(source: CELSourceText, maxDepth: Int) throws(CELCompileError) {
        self.source = source
        self.maxDepth = maxDepth
        var lexer = CELLexer(source: source)
        tokens = try lexer.tokens()
    }

    mutating func parse() throws(CELCompileError) -> CELExpr {
        let expression = try parseExpression()
        guard case .end = current.kind else { throw unexpected("an operator or the end of the expression") }
        return expression
    }

    // MARK: - Tokens

    var current: CELToken { tokens[index] }

    private mutating func advance() -> CELToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func accept(_ symbol: CELToken.Symbol) -> Bool {
        guard current.kind == .symbol(symbol) else { return false }
        index += 1
        return true
    }

    mutating func expect(_ symbol: CELToken.Symbol) throws(CELCompileError) {
        guard accept(symbol) else { throw unexpected("'\(symbol.rawValue)'") }
    }

    func fail(at offset: Int, _ message: String) -> CELCompileError {
        CELCompileError(diagnostics: [source.diagnostic(at: offset, message)])
    }

    func unexpected(_ expected: String) -> CELCompileError {
        fail(at: current.offset, "expected \(expected), found \(current.kind.display)")
    }

    /// A node, refused when the tree under it is deeper than the limit.
    func node(_ offset: Int, _ kind: CELExpr.Kind) throws(CELCompileError) -> CELExpr {
        let expression = CELExpr(offset: offset, kind: kind)
        guard expression.depth <= maxDepth else {
            throw fail(at: offset, "expression nests deeper than \(maxDepth) levels")
        }
        return expression
    }

    private mutating func enter() throws(CELCompileError) {
        nesting += 1
        guard nesting <= maxDepth else { throw fail(at: current.offset, "expression nests deeper than \(maxDepth) levels") }
    }

    // MARK: - Operators, loosest first

    mutating func parseExpression() throws(CELCompileError) -> CELExpr {
        try enter()
        defer { nesting -= 1 }
        let condition = try parseLogical(.or)
        guard case .symbol(.question) = current.kind else { return condition }
        let offset = advance().offset
        let then = try parseLogical(.or)
        try expect(.colon)
        let otherwise = try parseExpression()
        return try node(offset, .conditional(condition, then: then, otherwise: otherwise))
    }

    /// `a || b || c` (or `&&`), as a balanced tree of its terms.
    private mutating func parseLogical(_ operation: CELBinaryOperator) throws(CELCompileError) -> CELExpr {
        let symbol: CELToken.Symbol = operation == .or ? .or : .and
        var terms = [try operation == .or ? parseLogical(.and) : parseRelation()]
        var offsets: [Int] = []
        while case .symbol(symbol) = current.kind {
            offsets.append(advance().offset)
            terms.append(try operation == .or ? parseLogical(.and) : parseRelation())
        }
        return try balance(operation, terms[...], offsets[...])
    }

    private func balance(_ operation: CELBinaryOperator, _ terms: ArraySlice<CELExpr>, _ offsets: ArraySlice<Int>) throws(CELCompileError) -> CELExpr {
        if terms.count == 1 { return terms[terms.startIndex] }
        let middle = offsets.startIndex + offsets.count / 2
        let split = terms.startIndex + (middle - offsets.startIndex) + 1
        let left = try balance(operation, terms[..<split], offsets[..<middle])
        let right = try balance(operation, terms[split...], offsets[(middle + 1)...])
        return try node(offsets[middle], .binary(operation, left, right))
    }

    /// The binary operators above unary ones, loosest first; each level's operands are the next level.
    private enum Level {
        case relation, addition, multiplication

        var operators: [CELToken.Symbol: CELBinaryOperator] {
            switch self {
            case .relation:
                [.equal: .equal, .notEqual: .notEqual, .less: .less, .lessEqual: .lessEqual, .greater: .greater, .greaterEqual: .greaterEqual, .in: .in]
            case .addition: [.plus: .add, .minus: .subtract]
            case .multiplication: [.times: .multiply, .divide: .divide, .remainder: .remainder]
            }
        }
    }

    private mutating func parseRelation() throws(CELCompileError) -> CELExpr { try parseBinary(.relation) }

    /// Left-associative operators of one level: `a - b - c` is `(a - b) - c`.
    private mutating func parseBinary(_ level: Level) throws(CELCompileError) -> CELExpr {
        let operators = level.operators
        var left = try parseOperand(of: level)
        while case .symbol(let symbol) = current.kind, let operation = operators[symbol] {
            let offset = advance().offset
            left = try node(offset, .binary(operation, left, try parseOperand(of: level)))
        }
        return left
    }

    private mutating func parseOperand(of level: Level) throws(CELCompileError) -> CELExpr {
        switch level {
        case .relation: try parseBinary(.addition)
        case .addition: try parseBinary(.multiplication)
        case .multiplication: try parseUnary()
        }
    }

    /// `!`s or `-`s before a member; a minus right before a number literal is part of the literal,
    /// so that `-9223372036854775808` is an int.
    private mutating func parseUnary() throws(CELCompileError) -> CELExpr {
        guard case .symbol(let symbol) = current.kind, symbol == .not || symbol == .minus else { return try parseMember() }
        var offsets: [Int] = []
        while current.kind == .symbol(symbol) {
            offsets.append(advance().offset)
            guard offsets.count <= maxDepth else { throw fail(at: offsets[0], "expression nests deeper than \(maxDepth) levels") }
        }
        var operand: CELExpr
        if symbol == .minus, let literal = try negativeLiteral(at: offsets[offsets.count - 1]) {
            offsets.removeLast()
            operand = try parseMemberSuffixes(of: literal)
        } else {
            operand = try parseMember()
        }
        for offset in offsets.reversed() {
            operand = try node(offset, .unary(symbol == .not ? .not : .negate, operand))
        }
        return operand
    }

    private mutating func negativeLiteral(at offset: Int) throws(CELCompileError) -> CELExpr? {
        switch current.kind {
        case .int(let magnitude):
            guard magnitude <= UInt64(Int64.max) + 1 else { throw fail(at: offset, "integer literal -\(magnitude) is out of range") }
            _ = advance()
            return try node(offset, .literal(.int(Int64(truncatingIfNeeded: 0 &- magnitude))))
        case .double(let value):
            _ = advance()
            return try node(offset, .literal(.double(-value)))
        default:
            return nil
        }
    }

    // MARK: - Members and primaries

    private mutating func parseMember() throws(CELCompileError) -> CELExpr {
        try parseMemberSuffixes(of: try parsePrimary())
    }

    private mutating func parseMemberSuffixes(of operand: CELExpr) throws(CELCompileError) -> CELExpr {
        var result = operand
        while true {
            switch current.kind {
            case .symbol(.dot):
                let offset = advance().offset
                result = try parseSelection(of: result, at: offset)
            case .symbol(.openBracket):
                let offset = advance().offset
                let key = try parseExpression()
                try expect(.closeBracket)
                result = try node(offset, .index(result, key))
            case .symbol(.optionalSelect), .symbol(.optionalIndex):
                throw fail(at: current.offset, "optional syntax ('.?' and '[?') is not supported by this CEL subset")
            case .symbol(.openBrace) where Self.isQualifiedName(result):
                throw fail(at: current.offset, "message construction (Name{field: value}) is not supported by this CEL subset")
            default:
                return result
            }
        }
    }

    private mutating func parseSelection(of operand: CELExpr, at offset: Int) throws(CELCompileError) -> CELExpr {
        // Reserved words are names like any other after a dot (`object.metadata.namespace`), as in cel-go.
        let name: String
        switch current.kind {
        case .identifier(let word), .reserved(let word): name = word
        default: throw unexpected("a field name after '.'")
        }
        let nameOffset = advance().offset
        guard current.kind == .symbol(.openParen) else { return try node(offset, .select(operand, field: name)) }
        _ = advance()
        let arguments = try parseArguments(closing: .closeParen)
        if let macro = try receiverMacro(name, target: operand, arguments: arguments, at: nameOffset) { return macro }
        let call = CELCall(name: name, function: CELFunction(rawValue: name), target: operand, arguments: arguments)
        return try node(nameOffset, .call(call))
    }

    static func isQualifiedName(_ expression: CELExpr) -> Bool {
        switch expression.kind {
        case .identifier: true
        case .select(let operand, _): isQualifiedName(operand)
        default: false
        }
    }

    private mutating func parsePrimary() throws(CELCompileError) -> CELExpr {
        let start = index
        let token = advance()
        switch token.kind {
        case .int(let magnitude):
            guard let value = Int64(exactly: magnitude) else { throw fail(at: token.offset, "integer literal \(magnitude) is out of range") }
            return try node(token.offset, .literal(.int(value)))
        case .uint(let value): return try node(token.offset, .literal(.uint(value)))
        case .double(let value): return try node(token.offset, .literal(.double(value)))
        case .string(let text): return try node(token.offset, .literal(.string(text)))
        case .bytes(let bytes): return try node(token.offset, .literal(.bytes(bytes)))
        case .trueLiteral: return try node(token.offset, .literal(.bool(true)))
        case .falseLiteral: return try node(token.offset, .literal(.bool(false)))
        case .nullLiteral: return try node(token.offset, .literal(.null))
        case .identifier(let name): return try parseIdentifier(name, at: token.offset)
        case .symbol(.dot):
            guard case .identifier(let name) = current.kind else { throw unexpected("a name after a leading '.'") }
            return try parseIdentifier(name, at: advance().offset)
        case .symbol(.openParen):
            let inner = try parseExpression()
            try expect(.closeParen)
            return inner
        case .symbol(.openBracket): return try node(token.offset, .list(try parseArguments(closing: .closeBracket)))
        case .symbol(.openBrace): return try node(token.offset, .map(try parseMapEntries()))
        case .reserved(let word):
            throw fail(at: token.offset, "'\(word)' is a reserved word of CEL and cannot be used as a name")
        default:
            index = start
            throw unexpected("an expression")
        }
    }

    private mutating func parseIdentifier(_ name: String, at offset: Int) throws(CELCompileError) -> CELExpr {
        guard accept(.openParen) else { return try node(offset, .identifier(name)) }
        let arguments = try parseArguments(closing: .closeParen)
        if let macro = try globalMacro(name, arguments: arguments, at: offset) { return macro }
        return try node(offset, .call(CELCall(name: name, function: CELFunction(rawValue: name), target: nil, arguments: arguments)))
    }

    /// Comma-separated expressions up to `closing`, a trailing comma allowed in lists.
    private mutating func parseArguments(closing: CELToken.Symbol) throws(CELCompileError) -> [CELExpr] {
        var items: [CELExpr] = []
        while !accept(closing) {
            items.append(try parseExpression())
            if accept(.comma) { continue }
            try expect(closing)
            break
        }
        return items
    }

    private mutating func parseMapEntries() throws(CELCompileError) -> [CELMapEntryExpr] {
        var entries: [CELMapEntryExpr] = []
        while !accept(.closeBrace) {
            let key = try parseExpression()
            try expect(.colon)
            entries.append(CELMapEntryExpr(key: key, value: try parseExpression()))
            if accept(.comma) { continue }
            try expect(.closeBrace)
            break
        }
        return entries
    }
}
