/// The overload families whose cost differs, as cel-go's checker resolves an operator: where an
/// operand is dyn every overload that may apply is costed and the estimates united.
enum CELCostedOverload {
    /// One unit (arithmetic on numbers, `in` a map, comparisons of numbers).
    case plain
    /// String or bytes comparison and equality of anything: a tenth of the smaller size.
    case sizeCompare
    /// String or bytes concatenation: a tenth of the result's size.
    case concatenate
    case appendList
    case inList
}

extension CELCostEstimator {
    mutating func binary(_ operation: CELBinaryOperator, _ a: CELEstimatedNode, _ b: CELEstimatedNode) -> CELEstimatedNode {
        switch operation {
        case .and, .or:
            let cost = CELCostEstimate(min: a.cost.min, max: a.cost.adding(b.cost).max)
            return CELEstimatedNode(cost: cost, type: .bool)
        case .equal, .notEqual:
            if a.type == .opaque, b.type == .opaque { return CELEstimatedNode(cost: a.cost.adding(b.cost).adding(.fixed(1)), type: .bool) }
            return costed([.sizeCompare], a, b, type: .bool)
        case .less, .lessEqual, .greater, .greaterEqual:
            return costed(Self.comparisonOverloads(a.type, b.type), a, b, type: .bool)
        case .in:
            let overloads: [CELCostedOverload] = b.type.isList ? [.inList] : (b.type == .dyn ? [.plain, .inList] : [.plain])
            return costed(overloads, a, b, type: .bool)
        case .add:
            return costed(Self.additionOverloads(a.type, b.type), a, b, type: a.type == .dyn || a.type == .list(.dyn) ? b.type : a.type)
        case .subtract:
            let type: CELStaticType = a.type == .timestamp && b.type == .timestamp ? .duration : (a.type == .dyn ? b.type : a.type)
            return costed([.plain], a, b, type: type)
        case .multiply, .divide, .remainder:
            return costed([.plain], a, b, type: a.type == .dyn ? b.type : a.type)
        }
    }

    private static func comparisonOverloads(_ a: CELStaticType, _ b: CELStaticType) -> [CELCostedOverload] {
        guard a.maybeText, b.maybeText else { return [.plain] }
        return a == .dyn && b == .dyn ? [.plain, .sizeCompare] : [.sizeCompare]
    }

    private static func additionOverloads(_ a: CELStaticType, _ b: CELStaticType) -> [CELCostedOverload] {
        if a.isList || b.isList { return [.appendList] }
        if a == .string || b == .string || a == .bytes || b == .bytes { return [.concatenate] }
        if a == .dyn, b == .dyn { return [.plain, .concatenate, .appendList] }
        return [.plain]
    }

    /// cel-go's `functionCost` for a binary operator, united over the overloads that may apply.
    private func costed(_ overloads: [CELCostedOverload], _ a: CELEstimatedNode, _ b: CELEstimatedNode, type: CELStaticType) -> CELEstimatedNode {
        let arguments = a.cost.adding(b.cost)
        var cost = CELCostEstimate(min: .max, max: 0)
        var resultSize: CELSizeEstimate?
        var entry: CELEntrySize?
        for overload in overloads {
            let (fn, size) = overloadCost(overload, a, b)
            cost = cost.union(fn.adding(arguments))
            if let size { resultSize = resultSize.map { $0.union(size) } ?? size }
            if overload == .concatenate || overload == .appendList { entry = CELEntrySize.union(a.entry, b.entry) ?? entry }
        }
        var node = CELEstimatedNode(cost: cost, type: type)
        node.computedSize = resultSize
        node.entry = entry
        return node
    }

    private func overloadCost(_ overload: CELCostedOverload, _ a: CELEstimatedNode, _ b: CELEstimatedNode) -> (CELCostEstimate, CELSizeEstimate?) {
        switch overload {
        case .plain: return (.fixed(1), nil)
        case .sizeCompare:
            let smallestMax = Swift.min(sizeOrUnknown(a).max, sizeOrUnknown(b).max)
            return (CELSizeEstimate(min: smallestMax > 0 ? 1 : 0, max: smallestMax).cost(factor: CELCostMath.stringTraversalFactor), nil)
        case .concatenate:
            let size = sizeOrUnknown(a).adding(sizeOrUnknown(b))
            return (size.cost(factor: CELCostMath.stringTraversalFactor), size)
        case .appendList:
            return (.fixed(1), sizeOrUnknown(a).adding(sizeOrUnknown(b)))
        case .inList:
            return (sizeOrUnknown(b).cost(factor: 1), nil)
        }
    }
}
