import Foundation
import JSON

extension CELValue {
    /// A JSON value as Kubernetes hands an object without a schema to CEL: objects are maps
    /// (members in name order), arrays lists, integers ints, other numbers doubles.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(Int64(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(CELValue.init(json:)))
        case .object(let members):
            var map = CELMap()
            for name in members.keys.sorted() {
                // String keys never repeat and are always allowed: insert cannot fail.
                _ = try? map.insert(.string(name), CELValue(json: members[name] ?? .null))
            }
            self = .map(map)
        }
    }

    /// The value as JSON (cel-go's ConvertToNative for JSON): uints become integers when they fit,
    /// bytes base64, durations and timestamps their text, types their names; nil for an
    /// authorization object, a NaN or infinity, or a map with a non-string key.
    public var json: JSONValue? {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(Int(number))
        case .uint(let number): return number <= UInt64(Int.max) ? .int(Int(number)) : .double(Double(number))
        case .double(let number): return number.isFinite ? .double(number) : nil
        case .string(let text): return .string(text)
        case .bytes(let bytes): return .string(Data(bytes).base64EncodedString())
        case .list(let items):
            var result: [JSONValue] = []
            for item in items {
                guard let converted = item.json else { return nil }
                result.append(converted)
            }
            return .array(result)
        case .map(let map): return map.json
        case .type(let type): return .string(type.rawValue)
        case .duration(let duration): return .string(duration.text)
        case .timestamp(let timestamp): return .string(CELCalendar.format(timestamp))
        case .authorization: return nil
        }
    }
}

extension CELMap {
    var json: JSONValue? {
        var members: [String: JSONValue] = [:]
        for entry in entries {
            guard case .string(let key) = entry.key, let value = entry.value.json else { return nil }
            members[key] = value
        }
        return .object(members)
    }
}
