/// Every function of the supported subset, with the call shapes it accepts. Anything else is
/// refused by the check step, as kube-apiserver refuses a rule calling an unknown function.
enum CELFunction: String, Sendable, CaseIterable {
    // cel-spec standard definitions
    case size, type, dyn, int, uint, double, string, bytes, bool, duration, timestamp
    case contains, startsWith, endsWith, matches
    case getFullYear, getMonth, getDate, getDayOfMonth, getDayOfWeek, getDayOfYear
    case getHours, getMinutes, getSeconds, getMilliseconds
    // cel-go ext strings, as Kubernetes enables them
    case charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join
    // Kubernetes' regex and list libraries
    case find, findAll, isSorted, sum, min, max
    // Kubernetes' authorizer library
    case path, group, serviceAccount, resource, subresource, namespace, name, check
    case allowed, reason, errored, error

    /// A way of calling: on a receiver (`s.size()`) or globally (`size(s)`), with so many arguments.
    struct Shape: Equatable {
        var receiver: Bool
        var arguments: Int
    }

    var shapes: [Shape] {
        func global(_ counts: Int...) -> [Shape] { counts.map { Shape(receiver: false, arguments: $0) } }
        func member(_ counts: Int...) -> [Shape] { counts.map { Shape(receiver: true, arguments: $0) } }
        switch self {
        case .size: return global(1) + member(0)
        case .type, .dyn, .int, .uint, .double, .string, .bytes, .bool, .duration, .timestamp: return global(1)
        case .contains, .startsWith, .endsWith, .charAt, .find: return member(1)
        case .matches: return member(1) + global(2)
        case .getFullYear, .getMonth, .getDate, .getDayOfMonth, .getDayOfWeek, .getDayOfYear: return member(0, 1)
        case .getHours, .getMinutes, .getSeconds, .getMilliseconds: return member(0, 1)
        case .indexOf, .lastIndexOf, .split, .substring, .findAll: return member(1, 2)
        case .lowerAscii, .upperAscii, .trim, .isSorted, .sum, .min, .max: return member(0)
        case .replace: return member(2, 3)
        case .join: return member(0, 1)
        case .path, .group, .resource, .subresource, .namespace, .name, .check: return member(1)
        case .serviceAccount: return member(2)
        case .allowed, .reason, .errored, .error: return member(0)
        }
    }

    /// How the accepted shapes read in a message: `s.startsWith(x)`, `size(x)` or `x.size()`.
    var usage: String {
        shapes.map { shape in
            let arguments = (0..<shape.arguments).map { ["a", "b", "c"][$0] }.joined(separator: ", ")
            return shape.receiver ? "x.\(rawValue)(\(arguments))" : "\(rawValue)(\(arguments))"
        }.joined(separator: " or ")
    }
}

/// Functions of Kubernetes' CEL environment this subset leaves out, so that the check step can say
/// "not supported here" rather than "undeclared".
enum CELUnsupportedFunction {
    static let names: Set<String> = [
        "format", "quote", "reverse", "base64", "strings", "lists", "sets", "math", "optional", "cel", "bind",
        "quantity", "isQuantity", "url", "isURL", "ip", "isIP", "cidr", "isCIDR", "semver", "isSemver",
        "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery",
        "compareTo", "add", "sub", "isLessThan", "isGreaterThan", "asInteger", "asApproximateFloat", "isInteger",
        "sign", "fieldSelector", "labelSelector", "validate", "transformList", "transformMap",
        "transformMapEntry", "sortBy", "distinct", "flatten", "range", "slice",
        "orValue", "hasValue", "value", "or", "of", "none", "ofNonZeroValue", "greatest", "least", "abs", "ceil", "floor",
    ]
}
