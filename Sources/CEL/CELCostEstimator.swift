/// What the estimator knows of a subexpression once costed: its cost, its type, and what tells
/// its size (cel-go's `exprPaths`, `computedSizes` and `computedEntrySizes`).
struct CELEstimatedNode {
    var cost: CELCostEstimate
    var type: CELStaticType
    /// Where in `self` the value comes from (`self`, `spec`, `@items`, ...), for the schema's bounds.
    var path: [String]?
    /// A size an operation computed (a `split` result, a comprehension's list).
    var computedSize: CELSizeEstimate?
    /// A literal's own size.
    var literalSize: CELSizeEstimate?
    /// Sizes of a list's elements or a map's keys and values, when built in the expression.
    var entry: CELEntrySize?
    /// A comprehension variable's size, the last resort.
    var variableSize: CELSizeEstimate?
    /// The value, for a literal (`split`'s literal limit).
    var literal: CELValue?

    init(cost: CELCostEstimate, type: CELStaticType, path: [String]? = nil) {
        self.cost = cost
        self.type = type
        self.path = path
    }
}

struct CELEntrySize {
    var isList: Bool
    var key: CELSizeEstimate
    var value: CELSizeEstimate

    static func union(_ a: CELEntrySize?, _ b: CELEntrySize?) -> CELEntrySize? {
        guard let a, let b else { return nil }
        return CELEntrySize(isList: a.isList, key: a.key.union(b.key), value: a.value.union(b.value))
    }
}

/// A comprehension's variable (or accumulator) while its body is costed.
struct CELEstimatedVariable {
    var name: String
    var path: [String]?
    var size: CELSizeEstimate?
    var entry: CELEntrySize?
    var type: CELStaticType
}

/// The static cost estimate of cel-go's checker (`checker/cost.go`) with Kubernetes' library
/// estimator (`apiserver/pkg/cel/library/cost.go`), over our expression tree: the most a rule
/// can cost for any value its schema allows. Macros are costed as cel-go expands them.
struct CELCostEstimator {
    /// The type of `self`, whose bounds size every path.
    let root: CELDeclType?
    let variableTypes: [String: CELStaticType]
    var scopes: [CELEstimatedVariable] = []

    init(root: CELDeclType?, variables: Set<String>) {
        self.root = root
        var types: [String: CELStaticType] = [:]
        for name in variables { types[name] = .dyn }
        if let root {
            types["self"] = CELStaticType(root)
            types["oldSelf"] = CELStaticType(root)
        }
        if variables.contains("authorizer") { types["authorizer"] = .opaque }
        variableTypes = types
    }

    /// cel-go's `computeSize`: an operation's computed size, a literal's, the schema's bound for
    /// the path, one for a scalar, a variable's size; nil when nothing tells.
    func size(_ node: CELEstimatedNode) -> CELSizeEstimate? {
        if let size = node.computedSize ?? node.literalSize { return size }
        if let size = pathSize(node.path) { return size }
        if node.type.isScalar { return .fixed(1) }
        return node.variableSize
    }

    func sizeOrUnknown(_ node: CELEstimatedNode) -> CELSizeEstimate { size(node) ?? .unknown }

    /// The schema's bound at a path; the path's first step is the variable, taken to be `self`.
    func pathSize(_ path: [String]?) -> CELSizeEstimate? {
        guard let path, !path.isEmpty, var node = root else { return nil }
        for step in path.dropFirst() {
            switch step {
            case "@items", "@values":
                guard let element = node.element else { return nil }
                node = element
            case "@keys":
                guard node.kind == .map else { return nil }
                node = CELDeclType.mapKey
            default:
                guard let field = node.fields[step] else { return nil }
                node = field
            }
        }
        return CELSizeEstimate(min: 0, max: node.maxElements)
    }

    mutating func estimate(_ expression: CELExpr) -> CELEstimatedNode {
        switch expression.kind {
        case .literal(let value): return Self.literal(value)
        case .identifier(let name): return identifier(name)
        case .select(let operand, let field):
            let base = estimate(operand)
            let step: UInt64 = base.type.selectionCosts ? CELCostMath.selectAndIdentCost : 0
            return CELEstimatedNode(cost: base.cost.adding(.fixed(step)), type: base.type.field(field), path: (base.path ?? []) + [field])
        case .presenceTest(let operand, _):
            return CELEstimatedNode(cost: estimate(operand).cost.adding(.fixed(1)), type: .bool)
        case .index(let container, let key): return index(estimate(container), estimate(key))
        case .unary(let operation, let operand):
            let value = estimate(operand)
            return CELEstimatedNode(cost: value.cost.adding(.fixed(1)), type: operation == .not ? .bool : value.type)
        case .binary(let operation, let left, let right): return binary(operation, estimate(left), estimate(right))
        case .conditional(let condition, let then, let otherwise):
            return conditional(estimate(condition), estimate(then), estimate(otherwise))
        case .list(let items): return list(items.map { estimate($0) })
        case .map(let entries): return map(entries.map { (estimate($0.key), estimate($0.value)) })
        case .call(let call): return self.call(call)
        case .comprehension(let loop): return comprehension(loop)
        }
    }

    private static func literal(_ value: CELValue) -> CELEstimatedNode {
        var node = CELEstimatedNode(cost: .fixed(0), type: CELStaticType(of: value))
        node.literal = value
        switch value {
        case .string(let text): node.literalSize = .fixed(UInt64(text.unicodeScalars.count))
        case .bytes(let bytes): node.literalSize = .fixed(UInt64(bytes.count))
        case .bool, .double, .duration, .int, .timestamp, .uint, .null: node.literalSize = .fixed(1)
        default: break
        }
        return node
    }

    private func identifier(_ name: String) -> CELEstimatedNode {
        let cost = CELCostEstimate.fixed(CELCostMath.selectAndIdentCost)
        if let variable = scopes.last(where: { $0.name == name }) {
            var node = CELEstimatedNode(cost: cost, type: variable.type, path: variable.path)
            node.entry = variable.entry
            node.variableSize = variable.size
            return node
        }
        let type = variableTypes[name] ?? (CELType.identifiers[name] != nil ? .type : .dyn)
        return CELEstimatedNode(cost: cost, type: type, path: [name])
    }

    private func index(_ container: CELEstimatedNode, _ key: CELEstimatedNode) -> CELEstimatedNode {
        let cost = container.cost.adding(key.cost).adding(.fixed(1))
        let isList = container.type.isList
        let elementType: CELStaticType
        switch container.type {
        case .list(let element): elementType = element
        case .map(_, let value): elementType = value
        default: elementType = .dyn
        }
        var node = CELEstimatedNode(cost: cost, type: elementType, path: (container.path ?? []) + [isList ? "@items" : "@values"])
        node.computedSize = container.entry?.value
        return node
    }

    func conditional(_ condition: CELEstimatedNode, _ then: CELEstimatedNode, _ otherwise: CELEstimatedNode) -> CELEstimatedNode {
        let type = then.type == otherwise.type ? then.type : (then.type == .null ? otherwise.type : (otherwise.type == .null ? then.type : .dyn))
        var node = CELEstimatedNode(cost: condition.cost.adding(then.cost.union(otherwise.cost)), type: type)
        node.computedSize = sizeOrUnknown(then).union(sizeOrUnknown(otherwise))
        node.entry = CELEntrySize.union(then.entry, otherwise.entry)
        return node
    }

    func list(_ items: [CELEstimatedNode]) -> CELEstimatedNode {
        var cost = CELCostEstimate.fixed(CELCostMath.listCreateBaseCost)
        var itemSize = CELSizeEstimate(min: items.isEmpty ? 0 : .max, max: 0)
        for item in items {
            cost = cost.adding(item.cost)
            itemSize = itemSize.union(sizeOrUnknown(item))
        }
        let first = items.first?.type ?? .dyn
        var node = CELEstimatedNode(cost: cost, type: .list(items.allSatisfy { $0.type == first } ? first : .dyn))
        node.literalSize = .fixed(UInt64(items.count))
        node.entry = CELEntrySize(isList: true, key: .fixed(1), value: itemSize)
        return node
    }

    private func map(_ entries: [(key: CELEstimatedNode, value: CELEstimatedNode)]) -> CELEstimatedNode {
        var cost = CELCostEstimate.fixed(CELCostMath.mapCreateBaseCost)
        var keySize = CELSizeEstimate(min: entries.isEmpty ? 0 : .max, max: 0)
        var valueSize = keySize
        for entry in entries {
            cost = cost.adding(entry.key.cost).adding(entry.value.cost)
            keySize = keySize.union(sizeOrUnknown(entry.key))
            valueSize = valueSize.union(sizeOrUnknown(entry.value))
        }
        var node = CELEstimatedNode(cost: cost, type: .map(key: entries.first?.key.type ?? .dyn, value: entries.first?.value.type ?? .dyn))
        node.literalSize = .fixed(UInt64(entries.count))
        node.entry = CELEntrySize(isList: false, key: keySize, value: valueSize)
        return node
    }
}

extension CELProgram {
    /// The most one evaluation of this expression can cost, as kube-apiserver estimates it when
    /// the rule is created; `selfType` is the type of `self` (and `oldSelf`) from the schema.
    public func estimatedCost(selfType: CELDeclType?) -> CELCostEstimate {
        var estimator = CELCostEstimator(root: selfType, variables: variables)
        return estimator.estimate(root).cost
    }
}
