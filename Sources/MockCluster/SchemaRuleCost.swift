import CEL
import Foundation
import JSON

/// The static cost check apiextensions-apiserver makes of a schema's `x-kubernetes-validations`:
/// each rule's estimated cost, times how many times it may run (the product of the `maxItems` and
/// `maxProperties` above it, or as many values as fit in a request where one is missing), must
/// stay under the per-rule limit, and their sum under the per-schema limit.
struct SchemaRuleCost {
    /// apiextensions' `StaticEstimatedCostLimit`, per expression.
    static let expressionLimit: UInt64 = 10_000_000
    /// apiextensions' `StaticEstimatedCRDCostLimit`, for all the expressions of one schema.
    static let schemaLimit: UInt64 = 100_000_000

    private(set) var problems: [FieldError] = []
    private var total: UInt64 = 0
    /// The rules costing at least 1% of the schema limit, dearest first, at most four.
    private var mostExpensive: [(path: String, cost: UInt64)] = []

    /// The cost problems of one version's `openAPIV3Schema`, at `path`.
    static func problems(inSchema schema: JSONValue, path: String) -> [FieldError] {
        var check = SchemaRuleCost()
        check.visit(schema, path: path, cardinality: 1, isRoot: true)
        if check.total > schemaLimit {
            for expensive in check.mostExpensive {
                check.problems.append(FieldError(.forbidden, expensive.path, .json(""),
                    "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"))
            }
            check.problems.append(FieldError(.forbidden, path, .json(""),
                message("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", check.total, schemaLimit)))
        }
        return check.problems
    }

    /// `cardinality`: how many times a value here can occur in one object; nil when unbounded.
    private mutating func visit(_ schema: JSONValue, path: String, cardinality: UInt64?, isRoot: Bool) {
        let rules = schema["x-kubernetes-validations"]?.arrayValue ?? []
        if !rules.isEmpty { checkRules(rules, schema: schema, path: path, cardinality: cardinality, isRoot: isRoot) }
        let below = cardinality.flatMap { count in Self.maxElements(schema).map { Self.product(count, $0) } }
        let properties = schema["properties"]?.objectValue ?? [:]
        for name in properties.keys.sorted() {
            visit(properties[name] ?? [:], path: "\(path).properties[\(name)]", cardinality: below, isRoot: false)
        }
        if let additional = schema["additionalProperties"], additional.objectValue != nil {
            visit(additional, path: path + ".additionalProperties", cardinality: below, isRoot: false)
        }
        if let items = schema["items"], items.objectValue != nil {
            visit(items, path: path + ".items", cardinality: below, isRoot: false)
        }
    }

    /// How many values of the node's children one value holds (apiextensions' `extractMaxElements`).
    private static func maxElements(_ schema: JSONValue) -> UInt64? {
        func bound(_ name: String) -> UInt64? { schema[name]?.intValue.map { UInt64(max(0, $0)) } }
        switch schema["type"]?.stringValue {
        case "object": return schema["additionalProperties"] != nil ? bound("maxProperties") : 1
        case "array": return bound("maxItems")
        default: return 1
        }
    }

    private mutating func checkRules(_ rules: [JSONValue], schema: JSONValue, path: String, cardinality: UInt64?, isRoot: Bool) {
        let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
        guard let selfType = CELDeclType.of(schema: schema, isResourceRoot: isRoot || embedded) else { return }
        let runs = cardinality ?? UInt64(CELDeclType.maxRequestSizeBytes / (selfType.minSerializedSize + 1))
        for (index, rule) in rules.enumerated() {
            let at = "\(path).x-kubernetes-validations[\(index)]"
            // A messageExpression runs once per failure: its cost is not multiplied.
            for (member, multiplier) in [("rule", runs), ("messageExpression", 1)] {
                guard let expression = rule[member]?.stringValue, !expression.trimmingWhitespace.isEmpty,
                    let program = try? CELEnvironment.crdValidation.compile(expression)
                else { continue }
                let cost = Self.product(program.estimatedCost(selfType: selfType).max, multiplier)
                if cost > Self.expressionLimit {
                    problems.append(FieldError(.forbidden, "\(at).\(member)", .json(""), Self.message("estimated \(member) cost", cost, Self.expressionLimit)))
                }
                observe(cost, at: "\(at).\(member)")
            }
        }
    }

    private static func product(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : result
    }

    private mutating func observe(_ cost: UInt64, at path: String) {
        total = total.addingReportingOverflow(cost).overflow ? .max : total + cost
        guard cost >= Self.schemaLimit / 100 else { return }
        mostExpensive.append((path, cost))
        mostExpensive.sort { $0.cost > $1.cost }
        if mostExpensive.count > 4 { mostExpensive.removeLast(mostExpensive.count - 4) }
    }

    /// apiextensions' `getCostErrorMessage`: the factor by which the cost exceeds its limit.
    static func message(_ name: String, _ cost: UInt64, _ limit: UInt64) -> String {
        let factor = Double(cost) / Double(limit)
        let shown: String
        if factor > 100 {
            shown = "more than 100x"
        } else if factor < 1.5 {
            shown = String(format: "%.6fx", factor)
        } else {
            shown = String(format: "%.1fx", factor)
        }
        return "\(name) exceeds budget by factor of \(shown) (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    }
}
