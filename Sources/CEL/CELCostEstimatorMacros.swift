/// Macros costed as cel-go expands them into comprehensions: an accumulator (`true`, `false`,
/// `0` or `[]`), a loop condition and a step per element of the range, a result. The step and
/// condition are costed once and multiplied by the range's size.
extension CELCostEstimator {
    /// The accumulator's name: one no expression can spell.
    static let accumulator = "@result"

    mutating func comprehension(_ loop: CELComprehension) -> CELEstimatedNode {
        let range = estimate(loop.range)
        let buildsList = loop.kind == .map || loop.kind == .filter
        let initial: CELEstimatedNode
        switch loop.kind {
        case .all: initial = estimate(CELExpr(offset: 0, kind: .literal(.bool(true))))
        case .exists: initial = estimate(CELExpr(offset: 0, kind: .literal(.bool(false))))
        case .existsOne: initial = estimate(CELExpr(offset: 0, kind: .literal(.int(0))))
        case .map, .filter: initial = estimate(CELExpr(offset: 0, kind: .list([])))
        }
        scopes.append(CELEstimatedVariable(name: Self.accumulator, path: initial.path, size: size(initial), entry: initial.entry, type: initial.type))
        scopes.append(iterationVariable(loop.variable, over: range))
        let (condition, step) = conditionAndStep(loop)
        scopes.removeLast()
        let result: CELEstimatedNode
        if loop.kind == .existsOne {
            result = binary(.equal, accumulatorNode(), estimate(CELExpr(offset: 0, kind: .literal(.int(1)))))
        } else {
            result = accumulatorNode()
        }
        scopes.removeLast()
        let count = sizeOrUnknown(range)
        let cost = range.cost.adding(initial.cost).adding(result.cost).adding(count.times(step.cost.adding(condition)))
        var node = CELEstimatedNode(cost: cost, type: resultType(loop, range: range, step: step))
        node.computedSize = buildsList ? count : size(initial)
        if buildsList { node.entry = step.entry }
        return node
    }

    private func accumulatorNode() -> CELEstimatedNode {
        let variable = scopes.last { $0.name == Self.accumulator }
        var node = CELEstimatedNode(cost: .fixed(CELCostMath.selectAndIdentCost), type: variable?.type ?? .dyn, path: variable?.path)
        node.entry = variable?.entry
        node.variableSize = variable?.size
        return node
    }

    /// cel-go's `pushIterSingle`: a list's elements (`@items`) or a map's keys (`@keys`).
    private func iterationVariable(_ name: String, over range: CELEstimatedNode) -> CELEstimatedVariable {
        let isList = range.entry?.isList ?? range.type.isList
        let size = isList ? range.entry?.value : range.entry?.key
        return CELEstimatedVariable(
            name: name, path: (range.path ?? []) + [isList ? "@items" : "@keys"], size: size, entry: nil,
            type: range.type.iterationElement)
    }

    /// The loop condition's cost and the step, per element.
    private mutating func conditionAndStep(_ loop: CELComprehension) -> (CELCostEstimate, CELEstimatedNode) {
        let accumulator = accumulatorNode()
        switch loop.kind {
        case .all:
            // @not_strictly_false(accu); accu && predicate
            return (.fixed(2), binary(.and, accumulator, estimate(loop.body)))
        case .exists:
            // @not_strictly_false(!accu); accu || predicate
            return (.fixed(3), binary(.or, accumulator, estimate(loop.body)))
        case .existsOne:
            // predicate ? accu + 1 : accu
            let predicate = estimate(loop.body)
            let counted = binary(.add, accumulator, estimate(CELExpr(offset: 0, kind: .literal(.int(1)))))
            return (.fixed(0), conditional(predicate, counted, accumulator))
        case .map:
            // accu + [transform], under `filter ? ... : accu` when there is one
            let predicate = loop.filter.map { estimate($0) }
            let appended = binary(.add, accumulator, list([estimate(loop.body)]))
            return (.fixed(0), predicate.map { conditional($0, appended, accumulator) } ?? appended)
        case .filter:
            // predicate ? accu + [x] : accu
            let predicate = estimate(loop.body)
            let appended = binary(.add, accumulator, list([estimate(CELExpr(offset: 0, kind: .identifier(loop.variable)))]))
            return (.fixed(0), conditional(predicate, appended, accumulator))
        }
    }

    private func resultType(_ loop: CELComprehension, range: CELEstimatedNode, step: CELEstimatedNode) -> CELStaticType {
        switch loop.kind {
        case .all, .exists, .existsOne: .bool
        case .map: step.type
        case .filter: .list(range.type.iterationElement)
        }
    }
}
