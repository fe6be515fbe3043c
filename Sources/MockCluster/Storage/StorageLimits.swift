import JSON

/// The sizes a real cluster refuses: request bodies over the apiserver's `MaxRequestBodyBytes`
/// (3 MiB, answered 413 before decoding), and objects over etcd's default `--max-request-bytes`
/// (1.5 MiB), which etcd refuses and the apiserver passes on as an unclassified 500.
enum StorageLimits {
    static let requestBodyBytes = 3 * 1024 * 1024
    static let objectBytes = 1536 * 1024

    static func checkBody(_ request: APIRequest) throws(APIError) {
        guard request.body.count > requestBodyBytes else { return }
        throw APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(requestBodyBytes)")
    }

    /// Measured on the object's JSON (custom resources are stored as JSON; built-ins as protobuf,
    /// which is smaller, so this refuses built-ins a little early).
    static func checkStored(_ object: JSONValue) throws(APIError) {
        var budget = objectBytes
        guard !encodedLength(object, within: &budget) else { return }
        throw APIError(code: 500, reason: "", message: "etcdserver: request is too large")
    }

    /// Whether `value`'s JSON fits in `budget` bytes, counting down as it walks, and stopping as
    /// soon as it does not fit (no encoding, no allocation).
    private static func encodedLength(_ value: JSONValue, within budget: inout Int) -> Bool {
        switch value {
        case .null, .bool: budget -= 5
        case .int(let number): budget -= String(number).utf8.count
        case .double: budget -= 24
        case .string(let text): budget -= stringLength(text)
        case .array(let items):
            budget -= items.count + 1
            for item in items where budget >= 0 {
                guard encodedLength(item, within: &budget) else { return false }
            }
        case .object(let members):
            budget -= members.count * 2 + 1
            for (key, member) in members where budget >= 0 {
                budget -= stringLength(key)
                guard encodedLength(member, within: &budget) else { return false }
            }
        }
        return budget >= 0
    }

    private static func stringLength(_ text: String) -> Int {
        var length = 2
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09: length += 2
            case 0..<0x20: length += 6
            default: length += 1
            }
        }
        return length
    }
}
