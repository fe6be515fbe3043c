import Foundation

extension CELValue {
    /// The value as messages show it: strings as they are, other values in CEL literal syntax.
    var displayText: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .uint(let number): "\(number)u"
        case .double(let number): CELNumberText.format(number)
        case .string(let text): text
        case .bytes(let bytes): "b\"" + bytes.map { String(format: "\\x%02x", $0) }.joined() + "\""
        case .list(let items): "[" + items.map(\.displayText).joined(separator: ", ") + "]"
        case .map(let map): "{" + map.entries.map { "\($0.key.displayText): \($0.value.displayText)" }.joined(separator: ", ") + "}"
        case .type(let type): type.rawValue
        case .duration(let span): span.text
        case .timestamp(let time): CELCalendar.format(time)
        case .authorization(let value): value.type.rawValue
        }
    }
}
