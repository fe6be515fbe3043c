import JSON

/// The bounds of one field: the one place both `validate()` (through `OpenAPISchema.issues(in:)`)
/// and the CRD generator read, so the API server refuses what `hmsctl validate` refuses.
public struct FieldConstraint: Sendable {
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum = false
    public var exclusiveMaximum = false
    /// Strings: characters (Unicode scalars, as the API server counts runes).
    public var maxLength: Int?
    public var minItems: Int?
    public var maxItems: Int?
    /// Said instead of "must have at least N items" (`needs at least one metric`).
    public var tooFewItems: String?
    /// Quantities: the bound on the parsed value, in base units. The schema carries it as CEL on
    /// integers and as a pattern on strings, which can only refuse the sign and the length.
    public var quantity: ClosedRange<Double>?
    /// What the number is, in messages: "must be a port between 1 and 65535".
    public var noun: String?
    /// After the bounds in messages: "seconds".
    public var unit: String?
    /// The bound on each element of a list.
    public var items: [FieldConstraint] = []
    /// For the CRD only: a regular expression (RE2) for what `validate()` or the value's parser
    /// checks in Swift, with the better message. It may be coarser, never stricter.
    public var pattern: String?
    /// For the CRD only, as `pattern`: the shortest string (`validate()` says why empty is wrong).
    public var minLength: Int?
    /// For the CRD only: a list whose items are unique by these members (`x-kubernetes-list-type:
    /// map`), which the API server checks in linear time where a CEL rule would be quadratic.
    public var listMapKeys: [String] = []

    public init(
        minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false, exclusiveMaximum: Bool = false,
        maxLength: Int? = nil, minLength: Int? = nil, minItems: Int? = nil, maxItems: Int? = nil, tooFewItems: String? = nil,
        quantity: ClosedRange<Double>? = nil, noun: String? = nil, unit: String? = nil, items: FieldConstraint? = nil,
        pattern: String? = nil
    ) {
        self.pattern = pattern
        self.minLength = minLength
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.exclusiveMaximum = exclusiveMaximum
        self.maxLength = maxLength
        self.minItems = minItems
        self.maxItems = maxItems
        self.tooFewItems = tooFewItems
        self.quantity = quantity
        self.noun = noun
        self.unit = unit
        self.items = items.map { [$0] } ?? []
    }

    /// `lower...upper`, both included.
    public static func range(_ bounds: ClosedRange<Int>, noun: String? = nil, unit: String? = nil) -> FieldConstraint {
        FieldConstraint(minimum: Double(bounds.lowerBound), maximum: Double(bounds.upperBound), noun: noun, unit: unit)
    }

    public static func list(
        max: Int, min: Int? = nil, tooFew: String? = nil, items: FieldConstraint? = nil, mapKeys: [String] = []
    ) -> FieldConstraint {
        var constraint = FieldConstraint(minItems: min, maxItems: max, tooFewItems: tooFew, items: items)
        constraint.listMapKeys = mapKeys
        return constraint
    }

    public static func text(max: Int, pattern: String? = nil) -> FieldConstraint { FieldConstraint(maxLength: max, pattern: pattern) }

    /// A DNS-1123 label (a job id): what `Names.dns1123LabelProblem` accepts.
    public static let dns1123Label = text(max: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    /// A DNS-1035 label (a Service's name): what `Names.dns1035LabelProblem` accepts.
    public static let dns1035Label = text(max: 63, pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$")
    /// An RFC 3339 time, as `RFC3339.date(from:)` reads it (the calendar is checked in Swift).
    public static let rfc3339 = text(max: 64, pattern: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})$"#)

    // MARK: Sane bounds, and why

    /// Replicas: far above any one service's need, small enough that replicas x price stays exact.
    public static let replicas = range(0...Bounds.maxReplicas)
    /// A port number.
    public static let port = range(1...65_535, noun: "a port")
    /// Money: a trillion dollars a month is beyond any budget; sums of such stay finite and
    /// print without loss of the cents' magnitude.
    public static let monthlyUSD = FieldConstraint(minimum: 0, maximum: Bounds.maxUSD, exclusiveMinimum: true)
    /// A price per core-hour or GiB-hour: a million dollars is absurd already.
    public static let hourlyPriceUSD = FieldConstraint(minimum: 0, maximum: Bounds.maxHourlyPriceUSD)
    /// CPU per replica or job: a million cores; with the price bound, a replica costs at most
    /// 1e12 USD an hour, and 10,000 of them for a month stay far inside a Double.
    public static let cpu = FieldConstraint(quantity: Bounds.minPositive...Bounds.maxCores, unit: "cores")
    /// Memory per replica or job: a pebibyte.
    public static let memory = FieldConstraint(quantity: Bounds.minPositive...Bounds.maxMemoryBytes, unit: "bytes (1Pi)")
    /// A metric target: any positive value a metric could have, bounded so ratios stay finite.
    public static let metricTarget = FieldConstraint(quantity: Bounds.minPositive...1e15)
    /// A tolerance is a fraction of the target: [0, 1).
    public static let tolerance = FieldConstraint(minimum: 0, maximum: 1, exclusiveMaximum: true)
    /// A DNS-1123 subdomain's length (names, references).
    public static let name = text(max: 253)
    /// Images, paths, registries, free text: long enough for anything real.
    public static let reference = text(max: 1_024)
}

/// The numbers behind the bounds, for code that clamps rather than refuses.
public enum Bounds {
    public static let maxReplicas = 10_000
    public static let maxUSD = 1e12
    public static let maxHourlyPriceUSD = 1e6
    public static let maxCores = 1e6
    /// 1 PiB.
    public static let maxMemoryBytes = 1_125_899_906_842_624.0
    /// The smallest positive quantity (1n); a bound "above 0" for quantities.
    public static let minPositive = 1e-9
}

/// A rule across fields, in CEL as the API server evaluates it (`x-kubernetes-validations`);
/// `validate()` holds the same rule in Swift.
public struct CELRule: Sendable, Equatable {
    public var rule: String
    public var message: String

    public init(_ rule: String, message: String) {
        self.rule = rule
        self.message = message
    }
}

/// A type whose fields carry bounds (by field name) and whose object carries cross-field rules.
public protocol FieldConstrained {
    static var fieldConstraints: [String: FieldConstraint] { get }
    static var crossFieldRules: [CELRule] { get }
}

extension FieldConstrained {
    public static var crossFieldRules: [CELRule] { [] }
}

// MARK: - In the schema

extension OpenAPISchema {
    /// The schema with a field's bounds applied.
    func constrained(by constraint: FieldConstraint) -> OpenAPISchema {
        var schema = self
        schema.minimum = constraint.minimum
        schema.maximum = constraint.maximum
        schema.exclusiveMinimum = constraint.exclusiveMinimum
        schema.exclusiveMaximum = constraint.exclusiveMaximum
        if let maxLength = constraint.maxLength { schema.maxLength = maxLength }
        if let pattern = constraint.pattern { schema.pattern = pattern }
        if let minLength = constraint.minLength { schema.minLength = minLength }
        schema.minItems = constraint.minItems
        schema.maxItems = constraint.maxItems
        if !constraint.listMapKeys.isEmpty { schema.listMapKeys = constraint.listMapKeys }
        if let range = constraint.quantity {
            schema.quantityRange = range
            // A string must be a positive quantity of sane length; an integer must lie in range.
            schema.pattern = Quantity.positivePattern
            schema.maxLength = 32
            schema.validations.append(CELRule(
                "type(self) != int || (self >= \(range.lowerBound > 0 ? 1 : 0) && self <= \(Int(range.upperBound)))",
                message: "must be greater than 0 and at most \(Int(range.upperBound))"))
        }
        if let item = constraint.items.first, let items = schema.items.first {
            schema.items = [items.constrained(by: item)]
        }
        schema.constraint = constraint
        return schema
    }

    /// Problems with `value` (as a resource encodes) against the bounds in this schema: what the
    /// API server would refuse, in our words. Types are the decoder's business, not checked here.
    public func issues(in value: JSONValue, at path: FieldPath = FieldPath()) -> [FieldIssue] {
        var found: [FieldIssue] = []
        collectIssues(in: value, at: path, into: &found)
        return found
    }

    private func collectIssues(in value: JSONValue, at path: FieldPath, into found: inout [FieldIssue]) {
        if let constraint, let problem = constraint.problem(with: value) {
            found.append(FieldIssue(path, problem))
            return
        }
        switch value {
        case .object(let members):
            for (name, schema) in properties {
                if let member = members[name] { schema.collectIssues(in: member, at: path.key(name), into: &found) }
            }
            if let values = additionalProperties.first {
                for name in members.keys.sorted() {
                    if let member = members[name] { values.collectIssues(in: member, at: path.key(name), into: &found) }
                }
            }
        case .array(let elements):
            if let items = items.first {
                for (index, element) in elements.enumerated() {
                    items.collectIssues(in: element, at: path.index(index), into: &found)
                }
            }
        default:
            break
        }
    }
}

extension FieldConstraint {
    /// What is wrong with `value`, or nil. Values of the wrong type are not judged. Lists are
    /// judged by their length only (`.array` of nulls will do).
    public func problem(with value: JSONValue) -> String? {
        switch value {
        case .int, .double:
            guard quantity == nil, let number = value.doubleValue else { return quantityProblem(value) }
            return numberProblem(number)
        case .string(let text):
            if quantity != nil { return quantityProblem(value) }
            return lengthProblem(text)
        case .array(let elements):
            return countProblem(elements.count)
        default:
            return nil
        }
    }

    /// A string longer than `maxLength` (in Unicode scalars, as the API server counts).
    public func lengthProblem(_ text: String) -> String? {
        guard let maxLength, text.utf8.count > maxLength, text.unicodeScalars.count > maxLength else { return nil }
        return "must be at most \(maxLength) characters long, found \(text.unicodeScalars.count)"
    }

    /// A list with too few or too many items.
    public func countProblem(_ count: Int) -> String? {
        if let minItems, count < minItems {
            return tooFewItems ?? "must have at least \(minItems) item\(minItems == 1 ? "" : "s")"
        }
        if let maxItems, count > maxItems {
            return "must have at most \(maxItems) items, found \(count)"
        }
        return nil
    }

    private func numberProblem(_ number: Double) -> String? {
        let low = minimum.map { exclusiveMinimum ? number > $0 : number >= $0 } ?? true
        let high = maximum.map { exclusiveMaximum ? number < $0 : number <= $0 } ?? true
        guard !(low && high) else { return nil }
        return "must be \(boundsDescription), found \(number.compactDescription)"
    }

    private func quantityProblem(_ value: JSONValue) -> String? {
        guard let range = quantity else { return nil }
        let parsed: Quantity?
        switch value {
        case .int(let number): parsed = try? Quantity(manifest: String(number))
        case .string(let text): parsed = try? Quantity(manifest: text)
        default: parsed = nil
        }
        guard let parsed else { return nil }  // the decoder says what is wrong with it
        if parsed.signum <= 0 { return "must be greater than 0, found \(parsed.text)" }
        if Self.exceeds(parsed, range.upperBound) {
            return "must be at most \(range.upperBound.compactDescription)\(unit.map { " \($0)" } ?? ""), found \(parsed.text)"
        }
        return nil
    }

    /// Exactly for a whole bound (`1Pi` and a thousandth more are one Double, not one quantity).
    private static func exceeds(_ quantity: Quantity, _ bound: Double) -> Bool {
        guard let whole = Int64(exactly: bound), let limit = try? Quantity(parsing: String(whole)) else { return quantity.doubleValue > bound }
        return quantity > limit
    }

    /// "a port between 1 and 65535", "above 0 and at most 100", "1 or more seconds".
    var boundsDescription: String {
        var text: String
        switch (minimum, maximum) {
        case let (low?, high?):
            switch (exclusiveMinimum, exclusiveMaximum) {
            case (false, false): text = "between \(low.compactDescription) and \(high.compactDescription)"
            case (true, false): text = "above \(low.compactDescription) and at most \(high.compactDescription)"
            case (false, true): text = "at least \(low.compactDescription) and below \(high.compactDescription)"
            case (true, true): text = "above \(low.compactDescription) and below \(high.compactDescription)"
            }
        case let (low?, nil):
            text = exclusiveMinimum ? "greater than \(low.compactDescription)" : "\(low.compactDescription) or more"
        case let (nil, high?):
            text = exclusiveMaximum ? "below \(high.compactDescription)" : "at most \(high.compactDescription)"
        case (nil, nil):
            text = "any number"
        }
        if let noun { text = "\(noun) \(text)" }
        if let unit { text += " \(unit)" }
        return text
    }
}

extension Quantity {
    /// A positive quantity as a string: no sign but `+`, at least one digit that is not 0, a known
    /// suffix. The length and the magnitude are bounded elsewhere.
    public static let positivePattern =
        #"^\+?([0-9]*[1-9][0-9]*(\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)([numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?$"#
}

// MARK: - Checked in validate()

extension Resource {
    /// The spec's fields out of their bounds, as the schema states them. (The manifest decoder
    /// checks the same bounds on the document's nodes, without encoding the resource.)
    public func boundIssues() -> [FieldIssue] {
        guard let specSchema = Self.schema.property("spec"), let json = try? JSONValueEncoder().encode(spec) else { return [] }
        return specSchema.issues(in: json, at: FieldPath("spec"))
    }
}
