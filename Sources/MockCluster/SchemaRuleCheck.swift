import CEL
import JSON

/// Runs the `x-kubernetes-validations` rules of a schema over an object, as apiextensions' CEL
/// validator does: every node with rules, `self` its value, `oldSelf` the correlated old value
/// (transition rules only run when there is one), one cost budget for the whole object.
struct SchemaRuleCheck {
    /// Kubernetes' `RuntimeCELCostBudget` for all the rules of one object.
    static let objectBudget = 10_000_000

    private(set) var errors: [FieldError] = []
    /// Failures of unchanged values, reported as warnings (ratcheting).
    private(set) var warnings: [String] = []
    private var budget = objectBudget
    private var stopped = false

    mutating func check(_ value: JSONValue, _ node: SchemaNode, old: JSONValue?, path: String?, isRoot: Bool = false) {
        guard !stopped, value != .null else { return }
        if !node.rules.isEmpty { evaluateRules(value, node, old: old, path: path, isRoot: isRoot) }
        switch value {
        case .object(let members):
            let oldMembers = old?.objectValue
            if let additional = node.additionalProperties {
                for name in members.keys.sorted() where node.properties[name] == nil {
                    check(members[name] ?? .null, additional, old: oldMembers?[name], path: "\(path ?? "")[\(name)]")
                }
            }
            for name in members.keys.sorted() {
                guard let property = node.properties[name] else { continue }
                check(members[name] ?? .null, property, old: oldMembers?[name], path: path.map { "\($0).\(name)" } ?? name)
            }
        case .array(let items):
            guard let itemSchema = node.items else { return }
            let oldItems = ListMapIndex(node, old?.arrayValue)
            for (index, item) in items.enumerated() {
                check(item, itemSchema, old: oldItems.match(item), path: "\(path ?? "")[\(index)]")
            }
        default: break
        }
    }

    /// `self` as CEL sees it: at the root, of metadata only the name and generateName.
    private static func celValue(_ value: JSONValue, isRoot: Bool) -> CELValue {
        guard isRoot, var members = value.objectValue else { return CELValue(json: value) }
        let metadata = members["metadata"]?.objectValue ?? [:]
        var visible: [String: JSONValue] = [:]
        for name in ["name", "generateName"] { visible[name] = metadata[name] }
        members["metadata"] = .object(visible)
        return CELValue(json: .object(members))
    }

    private mutating func evaluateRules(_ value: JSONValue, _ node: SchemaNode, old: JSONValue?, path: String?, isRoot: Bool) {
        let here = path ?? "<nil>"
        let typeName = FieldError.Value.json(.string(node.type))
        var variables: [String: CELValue] = ["self": Self.celValue(value, isRoot: isRoot)]
        if let old { variables["oldSelf"] = Self.celValue(old, isRoot: isRoot) }
        let activation = CELActivation(variables: variables)
        let unchanged = old != nil && old == value
        for rule in node.rules {
            if rule.usesOldSelf, old == nil { continue }
            guard budget > 0 else { return runOutOfBudget(at: here, typeName) }
            // The actual cost is taken from the object's budget, also when the rule failed.
            let (outcome, cost) = rule.program.evaluateTrackingCost(activation)
            guard cost <= UInt64(budget) else { return runOutOfBudget(at: here, typeName) }
            budget -= Int(cost)
            let verdict: CELValue
            switch outcome {
            case .success(let value): verdict = value
            case .failure(let error):
                if error.isBudgetExhausted {
                    errors.append(FieldError(.invalid, here, typeName,
                        "'\(CELEvalError.costLimitExceeded)': no further validation rules will be run due to call cost exceeds limit for rule: \(rule.errorString)"))
                    stopped = true
                    return
                }
                let detail = error.message.hasPrefix("no such overload")
                    ? "'\(error.message)': call arguments did not match a supported operator, function or macro signature for rule: \(rule.errorString)"
                    : "\(error.message) evaluating rule: \(rule.errorString)"
                errors.append(FieldError(.invalid, here, typeName, detail))
                continue
            }
            if case .bool(true) = verdict { continue }
            let failure = failureError(rule, value: value, node: node, path: path, activation: activation)
            if !rule.usesOldSelf, unchanged { warnings.append(failure.description) } else { errors.append(failure) }
        }
    }

    private mutating func runOutOfBudget(at path: String, _ typeName: FieldError.Value) {
        errors.append(FieldError(.invalid, path, typeName, "validation failed due to running out of cost budget, no further validation rules will be run"))
        stopped = true
    }

    private mutating func failureError(_ rule: SchemaRule, value: JSONValue, node: SchemaNode, path: String?, activation: CELActivation) -> FieldError {
        var field = path ?? "<nil>"
        if !rule.fieldPath.isEmpty { field = path.map { "\($0).\(rule.fieldPath)" } ?? rule.fieldPath }
        let detail = message(of: rule, activation) ?? (rule.message.isEmpty ? "failed rule: \(rule.errorString)" : rule.message.trimmingWhitespace)
        let shown: FieldError.Value = node.type == "object" || node.type == "array" ? .omitted : .json(value)
        switch rule.reason {
        case .forbidden?: return FieldError(.forbidden, field, .json(""), detail)
        case .required?: return FieldError(.required, field, .json(""), detail)
        case .duplicate?: return FieldError(.duplicate, field, shown, "")
        default: return FieldError(.invalid, field, shown, detail)
        }
    }

    /// A `messageExpression`'s text, or nil to fall back on `message` (an error, a non-string, an
    /// empty or multi-line result), as the apiserver falls back.
    private mutating func message(of rule: SchemaRule, _ activation: CELActivation) -> String? {
        guard let program = rule.messageProgram else { return nil }
        let (outcome, cost) = program.evaluateTrackingCost(activation)
        budget -= Int(min(cost, UInt64(Int.max)))
        guard case .success(.string(let text)) = outcome else { return nil }
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty, !trimmed.contains("\n"), trimmed.utf8.count <= 5120 else { return nil }
        return trimmed
    }
}

/// `x-kubernetes-list-type: set` and `map`: no item twice (by value, or by its map keys).
enum ListTypeCheck {
    static func errors(_ value: JSONValue, _ node: SchemaNode?, path: String?) -> [FieldError] {
        guard let node else { return [] }
        var found: [FieldError] = []
        switch value {
        case .object(let members):
            for name in members.keys.sorted() {
                guard let child = node.member(name) else { continue }
                let childPath = node.properties[name] != nil ? (path.map { "\($0).\(name)" } ?? name) : "\(path ?? "")[\(name)]"
                found += errors(members[name] ?? .null, child, path: childPath)
            }
        case .array(let items):
            var seen: Set<[UInt8]> = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path ?? "")[\(index)]"
                switch node.listType {
                case "set"?:
                    if !seen.insert(item.jsonBytes).inserted { found.append(FieldError(.duplicate, itemPath, .json(item))) }
                case "map"?:
                    var keys: [String: JSONValue] = [:]
                    for key in node.listMapKeys { keys[key] = item[key] }
                    if !seen.insert(ListMapIndex.key(item, node.listMapKeys)).inserted {
                        found.append(FieldError(.duplicate, itemPath, .json(.object(keys))))
                    }
                default: break
                }
                found += errors(item, node.items, path: itemPath)
            }
        default: break
        }
        return found
    }
}
