/// A parsed expression: what the parser builds, the check step validates and the evaluator walks.
/// Every node keeps the code point offset it starts at (for messages) and its depth (the height of
/// the tree below it), which bounds the evaluator's recursion.
struct CELExpr: Sendable {
    indirect enum Kind: Sendable {
        case literal(CELValue)
        case identifier(String)
        case select(CELExpr, field: String)
        /// `has(e.f)`: whether `e` has the field `f`, without reading it.
        case presenceTest(CELExpr, field: String)
        case index(CELExpr, CELExpr)
        case unary(CELUnaryOperator, CELExpr)
        case binary(CELBinaryOperator, CELExpr, CELExpr)
        case conditional(CELExpr, then: CELExpr, otherwise: CELExpr)
        case list([CELExpr])
        case map([CELMapEntryExpr])
        case call(CELCall)
        case comprehension(CELComprehension)
    }

    var offset: Int
    var kind: Kind
    var depth: Int

    init(offset: Int, kind: Kind) {
        self.offset = offset
        self.kind = kind
        self.depth = 1 + (kind.children.map(\.depth).max() ?? 0)
    }
}

struct CELMapEntryExpr: Sendable {
    var key: CELExpr
    var value: CELExpr
}

/// A function call, global (`size(x)`) or on a receiver (`x.size()`); `function` is nil for a
/// name outside the supported subset, which the check step refuses.
struct CELCall: Sendable {
    var name: String
    var function: CELFunction?
    var target: CELExpr?
    var arguments: [CELExpr]
}

/// The expansion of the macros `all`, `exists`, `exists_one`, `map` and `filter`: a loop over a
/// list's elements or a map's keys, binding `variable` in `body` (the predicate, or for `map` the
/// transform) and in `filter` (the predicate of a three-argument `map`).
struct CELComprehension: Sendable {
    enum Kind: String, Sendable {
        case all, exists, existsOne = "exists_one", map, filter
    }

    var kind: Kind
    var range: CELExpr
    var variable: String
    var body: CELExpr
    var filter: CELExpr?
}

enum CELUnaryOperator: String, Sendable {
    case not = "!", negate = "-"
}

enum CELBinaryOperator: String, Sendable {
    case and = "&&", or = "||"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in` = "in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

extension CELExpr.Kind {
    var children: [CELExpr] {
        switch self {
        case .literal, .identifier: []
        case .select(let operand, _), .presenceTest(let operand, _), .unary(_, let operand): [operand]
        case .index(let left, let right), .binary(_, let left, let right): [left, right]
        case .conditional(let condition, let then, let otherwise): [condition, then, otherwise]
        case .list(let items): items
        case .map(let entries): entries.flatMap { [$0.key, $0.value] }
        case .call(let call): (call.target.map { [$0] } ?? []) + call.arguments
        case .comprehension(let loop): [loop.range, loop.body] + (loop.filter.map { [$0] } ?? [])
        }
    }
}
