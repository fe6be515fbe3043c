/// A CEL value. JSON objects read from the cluster become maps, so `self.spec.replicas` selects
/// the member `spec`, then `replicas`.
public enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map(CELMap)
    case type(CELType)
    case duration(CELDuration)
    case timestamp(CELTimestamp)
    /// The `authorizer` variable and the checks built from it.
    case authorization(CELAuthorizationValue)

    public var type: CELType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list
        case .map: .map
        case .type: .type
        case .duration: .duration
        case .timestamp: .timestamp
        case .authorization(let value): value.type
        }
    }
}

/// The runtime type of a value, as `type(x)` returns it and as `int`, `string`, ... name it.
public enum CELType: String, Sendable, Equatable, Hashable, CaseIterable {
    case null = "null_type", bool, int, uint, double, string, bytes, list, map, type
    case duration = "google.protobuf.Duration", timestamp = "google.protobuf.Timestamp"
    case authorizer = "kubernetes.authorization.Authorizer"
    case pathCheck = "kubernetes.authorization.PathCheck"
    case groupCheck = "kubernetes.authorization.GroupCheck"
    case resourceCheck = "kubernetes.authorization.ResourceCheck"
    case decision = "kubernetes.authorization.Decision"

    /// The type names an expression may mention as identifiers (`type(self) == int`).
    static let identifiers: [String: CELType] = [
        "null_type": .null, "bool": .bool, "int": .int, "uint": .uint, "double": .double, "string": .string,
        "bytes": .bytes, "list": .list, "map": .map, "type": .type,
        "google.protobuf.Duration": .duration, "google.protobuf.Timestamp": .timestamp,
    ]
}
