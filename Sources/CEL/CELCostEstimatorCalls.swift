/// Function calls: Kubernetes' library estimates first (string and list extensions, regex,
/// authorizer), then cel-go's own (`contains`, `matches`, `startsWith`, conversions), else one
/// unit. Every estimate adds the arguments' costs; a member call adds its receiver's.
extension CELCostEstimator {
    mutating func call(_ call: CELCall) -> CELEstimatedNode {
        guard let function = call.function else { return CELEstimatedNode(cost: .fixed(0), type: .dyn) }
        let arguments = call.arguments.map { estimate($0) }
        let argumentCost = arguments.reduce(CELCostEstimate.fixed(0)) { $0.adding($1.cost) }
        if function == .dyn, let argument = arguments.first {
            var node = CELEstimatedNode(cost: argumentCost.adding(.fixed(1)), type: .dyn)
            node.computedSize = size(argument)
            node.entry = argument.entry
            return node
        }
        let target = call.target.map { estimate($0) }
        let (cost, resultSize) = functionCost(function, target: target, arguments)
        var node = CELEstimatedNode(cost: (target?.cost ?? .fixed(0)).adding(cost).adding(argumentCost), type: resultType(function, target, arguments))
        node.computedSize = resultSize
        return node
    }

    /// A function's own cost (without its arguments') and, where it is known, its result's size.
    private func functionCost(_ function: CELFunction, target: CELEstimatedNode?, _ arguments: [CELEstimatedNode]) -> (CELCostEstimate, CELSizeEstimate?) {
        let tenth = CELCostMath.stringTraversalFactor
        if let target, let cost = libraryCost(function, target, arguments) { return cost }
        switch (function, target, arguments.first) {
        case (.check, _, _): return (.fixed(350_000), nil)
        case (.contains, let target?, let argument?):
            return (sizeOrUnknown(target).cost(factor: tenth).multiplied(by: sizeOrUnknown(argument).cost(factor: tenth)), nil)
        case (.startsWith, _?, let argument?), (.endsWith, _?, let argument?):
            return (sizeOrUnknown(argument).cost(factor: tenth), nil)
        case (.matches, let target?, let pattern?):
            let text = sizeOrUnknown(target).adding(.fixed(1)).cost(factor: tenth)
            return (text.multiplied(by: sizeOrUnknown(pattern).cost(factor: CELCostMath.regexStringLengthFactor)), nil)
        case (.bytes, nil, let argument?) where argument.type == .string:
            let size = sizeOrUnknown(argument)
            return (size.cost(factor: tenth), CELSizeEstimate(min: size.min, max: CELCostMath.multiply(size.max, 4)))
        case (.string, nil, let argument?) where argument.type == .bytes:
            let size = sizeOrUnknown(argument)
            return (size.cost(factor: tenth), CELSizeEstimate(min: size.min / 4, max: size.max))
        default: return (.fixed(1), nil)
        }
    }

    /// Kubernetes' `library.CostEstimator.EstimateCallCost` for the member functions it prices.
    private func libraryCost(_ function: CELFunction, _ target: CELEstimatedNode, _ arguments: [CELEstimatedNode]) -> (CELCostEstimate, CELSizeEstimate?)? {
        let tenth = CELCostMath.stringTraversalFactor
        let size = sizeOrUnknown(target)
        switch function {
        case .isSorted, .sum, .max, .min, .indexOf, .lastIndexOf:
            guard let element = listElement(target) else { return (size.cost(factor: tenth), nil) }
            var elementCost = CELCostEstimate.fixed(1)
            if element.type == .string || element.type == .bytes {
                elementCost = elementCost.adding((pathSize(element.path) ?? .unknown).cost(factor: tenth))
            }
            return (size.times(elementCost), nil)
        case .lowerAscii, .upperAscii, .substring, .trim:
            return (size.cost(factor: tenth), size)
        case .replace where arguments.count >= 2:
            return (size.cost(factor: 2 * tenth), replacedSize(size, sizeOrUnknown(arguments[0]), sizeOrUnknown(arguments[1])))
        case .split:
            var limit = size.max
            if arguments.count > 1, case .int(let count)? = arguments[1].literal { limit = UInt64(bitPattern: count) }
            return (size.cost(factor: 2 * tenth), CELSizeEstimate(min: 0, max: limit))
        case .join: return joined(target, separator: arguments.first)
        case .find, .findAll:
            guard let pattern = arguments.first else { return nil }
            let text = size.adding(.fixed(1)).cost(factor: tenth)
            let regex = sizeOrUnknown(pattern).cost(factor: CELCostMath.regexStringLengthFactor)
            return (text.multiplied(by: regex), CELSizeEstimate(min: 0, max: size.max))
        case .check: return (.fixed(350_000), nil)
        case .serviceAccount, .path, .group, .resource, .subresource, .namespace, .name, .allowed, .reason, .error, .errored:
            return (.fixed(1), nil)
        default: return nil
        }
    }

    /// The element of a list type, located under the list's path (`@items`).
    private func listElement(_ list: CELEstimatedNode) -> (type: CELStaticType, path: [String]?)? {
        switch list.type {
        case .list(let element): return (element, list.path.map { $0 + ["@items"] })
        case .map(let key, _): return (key, list.path.map { $0 + ["@items"] })
        default: return nil
        }
    }

    private func joined(_ list: CELEstimatedNode, separator: CELEstimatedNode?) -> (CELCostEstimate, CELSizeEstimate?) {
        let count = sizeOrUnknown(list)
        var size = CELSizeEstimate.fixed(0)
        if let element = listElement(list) { size = count.multiplied(by: pathSize(element.path) ?? .unknown) }
        if let separator {
            let separators = CELSizeEstimate(min: count.min > 0 ? count.min - 1 : 0, max: count.max > 0 ? count.max - 1 : 0)
            size = size.adding(sizeOrUnknown(separator).multiplied(by: separators))
        }
        return (size.cost(factor: CELCostMath.stringTraversalFactor), size)
    }

    /// The size of `s.replace(old, new)`: every occurrence replaced, as few as the sizes allow.
    private func replacedSize(_ size: CELSizeEstimate, _ old: CELSizeEstimate, _ new: CELSizeEstimate) -> CELSizeEstimate {
        var count = CELSizeEstimate(min: 0, max: 0)
        var retained = CELSizeEstimate(min: 0, max: 0)
        if old.min == 0 {
            count.max = size.max < .max ? size.max + 1 : size.max
            retained.max = size.max
        } else if new.max <= old.min {
            retained.max = size.max
        } else {
            count.max = UInt64((Double(size.max) / Double(old.min)).rounded(.up))
        }
        if old.max == 0 {
            count.min = size.min < .max ? size.min + 1 : size.min
            retained.min = size.min
        } else if old.max <= new.min {
            retained.min = size.min
        } else {
            count.min = UInt64((Double(size.min) / Double(old.max)).rounded(.up))
        }
        return count.multiplied(by: new).adding(retained)
    }

    private func resultType(_ function: CELFunction, _ target: CELEstimatedNode?, _ arguments: [CELEstimatedNode]) -> CELStaticType {
        switch function {
        case .size, .int, .indexOf, .lastIndexOf, .getFullYear, .getMonth, .getDate, .getDayOfMonth, .getDayOfWeek, .getDayOfYear,
            .getHours, .getMinutes, .getSeconds, .getMilliseconds:
            return .int
        case .uint: return .uint
        case .double: return .double
        case .string, .charAt, .lowerAscii, .upperAscii, .replace, .substring, .trim, .join, .find, .reason: return .string
        case .bytes: return .bytes
        case .bool, .contains, .startsWith, .endsWith, .matches, .isSorted, .allowed, .errored: return .bool
        case .duration: return .duration
        case .timestamp: return .timestamp
        case .type: return .type
        case .dyn: return .dyn
        case .split, .findAll: return .list(.string)
        case .sum, .min, .max: return target?.type.iterationElement ?? .dyn
        case .error: return .dyn
        case .path, .group, .serviceAccount, .resource, .subresource, .namespace, .name, .check: return .opaque
        }
    }
}
