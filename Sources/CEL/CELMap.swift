/// A CEL map: keys are bools, integers (int and uint, equal when numerically equal) or strings;
/// entries keep the order they were built in (a JSON object's members sorted by name).
public struct CELMap: Sendable {
    /// A key as looked up: int and uint keys of equal value are the same key, as in cel-go.
    enum Key: Hashable, Sendable {
        case bool(Bool)
        case integer(Int64)
        case largeUnsigned(UInt64)  // above Int64.max
        case string([UInt8])  // UTF-8: Swift's String equality would merge canonically equivalent keys
    }

    private(set) var entries: [(key: CELValue, value: CELValue)] = []
    private var indexes: [Key: Int] = [:]

    public init() {}

    public var count: Int { entries.count }
    public var keys: [CELValue] { entries.map(\.key) }

    /// Adds an entry; false when the key is already there (a map literal with a repeated key is
    /// an error in CEL). Throws for a key type CEL maps do not allow.
    public mutating func insert(_ key: CELValue, _ value: CELValue) throws(CELEvalError) -> Bool {
        guard let lookup = try Self.key(for: key, inserting: true) else { return false }
        if indexes[lookup] != nil { return false }
        indexes[lookup] = entries.count
        entries.append((key, value))
        return true
    }

    public subscript(key: String) -> CELValue? {
        indexes[.string(Array(key.utf8))].map { entries[$0].value }
    }

    /// The value for `key`, nil when absent; a double key finds the integer key it equals.
    func value(for key: CELValue) throws(CELEvalError) -> CELValue? {
        guard let lookup = try Self.key(for: key, inserting: false), let index = indexes[lookup] else { return nil }
        return entries[index].value
    }

    private static func key(for value: CELValue, inserting: Bool) throws(CELEvalError) -> Key? {
        switch value {
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .integer(number)
        case .uint(let number): return number <= UInt64(Int64.max) ? .integer(Int64(number)) : .largeUnsigned(number)
        case .string(let text): return .string(Array(text.utf8))
        case .double(let number) where !inserting:
            if let integer = Int64(exactly: number) { return .integer(integer) }
            if let unsigned = UInt64(exactly: number) { return .largeUnsigned(unsigned) }
            return nil
        default:
            throw CELEvalError("unsupported key type \(value.type.rawValue)")
        }
    }
}
