import JSON

/// A label selector as `kubectl -l` writes it: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
/// `a`, `!a`; requirements joined by commas all have to hold.
struct LabelSelector: Equatable {
    enum Requirement: Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement]

    static let everything = LabelSelector(requirements: [])

    init(requirements: [Requirement]) { self.requirements = requirements }

    init(parsing text: String) throws(APIError) {
        var requirements: [Requirement] = []
        for clause in Self.splitClauses(text) {
            let clause = clause.trimmed
            if clause.isEmpty { continue }
            requirements.append(try Self.requirement(clause[...], in: text))
        }
        self.requirements = requirements
    }

    /// The `matchLabels`/`matchExpressions` of an API object's selector.
    init(object selector: JSONValue?) {
        var requirements: [Requirement] = []
        for (key, value) in (selector?["matchLabels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(.equals(key, value.stringValue ?? ""))
        }
        for expression in selector?["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            switch expression["operator"]?.stringValue {
            case "In": requirements.append(.isIn(key, values))
            case "NotIn": requirements.append(.notIn(key, values))
            case "Exists": requirements.append(.exists(key))
            case "DoesNotExist": requirements.append(.doesNotExist(key))
            default: break
            }
        }
        self.requirements = requirements
    }

    func matches(_ labels: [String: JSONValue]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key]?.stringValue == value
            case .notEquals(let key, let value): labels[key]?.stringValue != value
            case .isIn(let key, let values): labels[key]?.stringValue.map(values.contains) ?? false
            case .notIn(let key, let values): !(labels[key]?.stringValue.map(values.contains) ?? false)
            case .exists(let key): labels[key] != nil
            case .doesNotExist(let key): labels[key] == nil
            }
        }
    }

    /// `a=b,c=d` as the Scale subresource's `status.selector` shows it.
    var text: String {
        requirements.map { requirement in
            switch requirement {
            case .equals(let key, let value): "\(key)=\(value)"
            case .notEquals(let key, let value): "\(key)!=\(value)"
            case .isIn(let key, let values): "\(key) in (\(values.sorted().joined(separator: ",")))"
            case .notIn(let key, let values): "\(key) notin (\(values.sorted().joined(separator: ",")))"
            case .exists(let key): key
            case .doesNotExist(let key): "!\(key)"
            }
        }.joined(separator: ",")
    }

    /// Commas separate requirements, except inside the parentheses of `in (...)`.
    private static func splitClauses(_ text: String) -> [Substring] {
        var clauses: [Substring] = []
        var depth = 0
        var start = text.startIndex
        for index in text.indices {
            switch text[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                clauses.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        clauses.append(text[start...])
        return clauses
    }

    private static func requirement(_ clause: Substring, in text: String) throws(APIError) -> Requirement {
        func invalid() -> APIError { .badRequest("unable to parse requirement: invalid label selector \"\(text)\"") }
        if clause.hasPrefix("!") {
            return .doesNotExist(String(clause.dropFirst()).trimmed)
        }
        if let range = clause.firstRange(of: "!=") {
            return .notEquals(clause[..<range.lowerBound].trimmed, clause[range.upperBound...].trimmed)
        }
        if let range = clause.firstRange(of: "==") {
            return .equals(clause[..<range.lowerBound].trimmed, clause[range.upperBound...].trimmed)
        }
        if let range = clause.firstRange(of: "=") {
            return .equals(clause[..<range.lowerBound].trimmed, clause[range.upperBound...].trimmed)
        }
        let words = clause.split(separator: " ", maxSplits: 1)
        if words.count == 2 {
            let rest = words[1].trimmed
            let (isNot, list): (Bool, Substring)
            if rest.hasPrefix("notin") {
                (isNot, list) = (true, rest.dropFirst(5))
            } else if rest.hasPrefix("in") {
                (isNot, list) = (false, rest.dropFirst(2))
            } else {
                throw invalid()
            }
            let inner = list.trimmed
            guard inner.hasPrefix("("), inner.hasSuffix(")") else { throw invalid() }
            let values = Set(inner.dropFirst().dropLast().split(separator: ",").map(\.trimmed))
            let key = words[0].trimmed
            return isNot ? .notIn(key, values) : .isIn(key, values)
        }
        guard !clause.contains(" ") else { throw invalid() }
        return .exists(String(clause))
    }
}

/// A field selector: `metadata.name=web`, `status.phase!=Running`, comma-joined. Any dotted path into
/// the object works; a missing field compares as the empty string, as the apiserver's do.
struct FieldSelector: Equatable {
    var requirements: [(path: [String], value: String, equal: Bool)]

    static let everything = FieldSelector(requirements: [])

    static func == (left: FieldSelector, right: FieldSelector) -> Bool {
        left.requirements.elementsEqual(right.requirements) { $0.path == $1.path && $0.value == $1.value && $0.equal == $1.equal }
    }

    init(requirements: [(path: [String], value: String, equal: Bool)]) { self.requirements = requirements }

    init(parsing text: String) throws(APIError) {
        var requirements: [(path: [String], value: String, equal: Bool)] = []
        for clause in text.split(separator: ",") {
            let (separator, equal): (String, Bool) =
                clause.contains("!=") ? ("!=", false) : clause.contains("==") ? ("==", true) : ("=", true)
            guard let range = clause.firstRange(of: separator) else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(clause)'")
            }
            let path = clause[..<range.lowerBound].trimmed.split(separator: ".").map(String.init)
            requirements.append((path, clause[range.upperBound...].trimmed, equal))
        }
        self.requirements = requirements
    }

    /// The name a single-object field selector asks for (`metadata.name=web`), if any.
    var name: String? {
        requirements.first { $0.path == ["metadata", "name"] && $0.equal }?.value
    }

    func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let actual: String =
                switch object[path: requirement.path] {
                case .string(let text): text
                case .int(let number): String(number)
                case .bool(let flag): String(flag)
                default: ""
                }
            return (actual == requirement.value) == requirement.equal
        }
    }
}

extension StringProtocol where UTF8View.SubSequence == Substring.UTF8View {
    /// The parts between `separator`s, found byte by byte. `split(separator:)` compares whole
    /// Characters, and splitting request paths that way was a tenth of the mock's work.
    func split(byte separator: UInt8, maxSplits: Int = .max, omittingEmptySubsequences: Bool = true) -> [Substring] {
        utf8.split(separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: omittingEmptySubsequences).map(Substring.init)
    }
}

extension StringProtocol {
    var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
