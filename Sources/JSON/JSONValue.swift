/// Free-form JSON: a directive job's payload, and every object the mock cluster stores.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: JSONValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(values)
        } else if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let bool = try? single.decode(Bool.self) {
                self = .bool(bool)
            } else if let int = try? single.decode(Int.self) {
                self = .int(int)
            } else if let double = try? single.decode(Double.self) {
                self = .double(double)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let values):
            var container = encoder.container(keyedBy: AnyKey.self)
            for key in values.keys.sorted() { try container.encode(values[key], forKey: AnyKey(stringValue: key)) }
            return
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
            return
        default:
            break
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .object, .array: break  // encoded above
        }
    }
}

// MARK: - Reading and changing values in place

extension JSONValue {
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var intValue: Int? {
        switch self {
        case .int(let number): number
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: Int(number)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { flag } else { nil }
    }

    /// The member named `key` of an object; nil for anything else. Setting a member of a value that is
    /// not an object turns it into one, as `obj.a.b = 1` does in JavaScript with intermediate objects.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            var members = takeMembers()
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The value at a path of member names, e.g. `["metadata", "name"]`.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set { set(newValue, at: path[...]) }
    }

    private mutating func set(_ newValue: JSONValue?, at path: ArraySlice<String>) {
        guard let first = path.first else {
            self = newValue ?? .null
            return
        }
        var members = takeMembers()
        if path.count == 1 {
            members[first] = newValue
        } else {
            // Changed where it lies: the dictionary holds the only reference, so nothing is copied.
            members[first, default: .object([:])].set(newValue, at: path.dropFirst())
        }
        self = .object(members)
    }

    /// The members of an object (none for anything else), with `self` let go of them, so that the
    /// caller changes them in place instead of copying the whole dictionary for one member.
    private mutating func takeMembers() -> [String: JSONValue] {
        guard case .object(let members) = self else { return [:] }
        self = .null
        return members
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        // Sized once, the last of a repeated key winning: cheaper than `Dictionary(_:uniquingKeysWith:)`,
        // which merges through a closure, and objects are built this way on every request.
        var members = [String: JSONValue](minimumCapacity: elements.count)
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}
