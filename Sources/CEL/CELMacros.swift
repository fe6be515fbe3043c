/// The macros, expanded while parsing as cel-go expands them: `has(e.f)`, and `all`, `exists`,
/// `exists_one`, `map`, `filter` on a receiver.
extension CELParser {
    func globalMacro(_ name: String, arguments: [CELExpr], at offset: Int) throws(CELCompileError) -> CELExpr? {
        guard name == "has" else { return nil }
        guard arguments.count == 1, case .select(let operand, let field) = arguments[0].kind else {
            throw fail(at: offset, "invalid argument to has() macro: it takes one field selection, has(x.field)")
        }
        return try node(offset, .presenceTest(operand, field: field))
    }

    func receiverMacro(_ name: String, target: CELExpr, arguments: [CELExpr], at offset: Int) throws(CELCompileError) -> CELExpr? {
        guard let kind = CELComprehension.Kind(rawValue: name) else { return nil }
        let expected = kind == .map ? "2 or 3" : "2"
        guard arguments.count == 2 || (kind == .map && arguments.count == 3) else {
            if arguments.count == 3 {
                throw fail(at: offset, "the two-variable form of \(name)() is not supported by this CEL subset")
            }
            throw fail(at: offset, "the \(name)() macro takes \(expected) arguments, a variable name first: list.\(name)(x, ...)")
        }
        guard case .identifier(let variable) = arguments[0].kind else {
            throw fail(at: arguments[0].offset, "argument must be a simple name: the \(name)() macro binds it to each element")
        }
        let loop = arguments.count == 3
            ? CELComprehension(kind: kind, range: target, variable: variable, body: arguments[2], filter: arguments[1])
            : CELComprehension(kind: kind, range: target, variable: variable, body: arguments[1], filter: nil)
        return try node(offset, .comprehension(loop))
    }
}
