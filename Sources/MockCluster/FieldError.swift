import JSON

/// One problem with one field, as apimachinery's `field.Error`: a type (the cause's `reason`), the
/// field path, the value found and a detail. `body` and `description` print it as the apiserver does.
struct FieldError: Equatable, Sendable {
    enum Kind: String, Sendable {
        case invalid = "FieldValueInvalid", typeInvalid = "FieldValueTypeInvalid"
        case required = "FieldValueRequired", notSupported = "FieldValueNotSupported"
        case duplicate = "FieldValueDuplicate", forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong", tooMany = "FieldValueTooMany", internalError = "InternalError"

        var text: String {
            switch self {
            case .invalid, .typeInvalid: "Invalid value"
            case .required: "Required value"
            case .notSupported: "Unsupported value"
            case .duplicate: "Duplicate value"
            case .forbidden: "Forbidden"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .internalError: "Internal error"
            }
        }

        /// Kinds whose message never shows the value.
        var omitsValue: Bool { [.required, .forbidden, .tooLong, .internalError].contains(self) }
    }

    /// The value as the message shows it: Go's `%v` of a number or bool, `%q` of a string, the
    /// JSON of anything else, or nothing (`field.OmitValueType`).
    enum Value: Equatable, Sendable {
        case json(JSONValue)
        /// Already formatted (a Go struct's JSON, members in declaration order).
        case text(String)
        case omitted
    }

    var kind: Kind
    /// `spec.replicas`, `spec.env[0].name`; `<nil>` for the object itself, as a nil `field.Path` prints.
    var field: String
    var value: Value
    var detail: String

    init(_ kind: Kind, _ field: String, _ value: Value = .json(""), _ detail: String = "") {
        self.kind = kind
        self.field = field
        self.value = value
        self.detail = detail
    }

    /// `ErrorBody()`: what a cause's `message` holds.
    var body: String {
        var text = kind.text
        if !kind.omitsValue {
            switch value {
            case .json(let value): text += ": " + Self.show(value)
            case .text(let shown): text += ": " + shown
            case .omitted: break
            }
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    var description: String { "\(field): \(body)" }

    /// A `NotSupported` error's detail: `supported values: "a", "b"`.
    static func supportedValues(_ values: [String]) -> String {
        "supported values: " + values.map(goQuoted).joined(separator: ", ")
    }

    var cause: JSONValue { ["reason": .string(kind.rawValue), "message": .string(body), "field": .string(field)] }

    static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): goQuoted(text)
        case .double(let number): goNumber(number)
        default: goHTMLEscaped(value.jsonText)
        }
    }
}

extension APIError {
    /// 422 Invalid with every cause, as `apierrors.NewInvalid`: the message lists them all, in
    /// brackets when there are several (repeated messages once).
    static func invalid(kind: String, group: String, name: String, _ errors: [FieldError]) -> APIError {
        var seen: Set<String> = []
        let messages = errors.map(\.description).filter { seen.insert($0).inserted }
        let list = messages.count == 1 ? messages[0] : "[" + messages.joined(separator: ", ") + "]"
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        return APIError(
            code: 422, reason: "Invalid", message: "\(qualifiedKind) \(goQuoted(name)) is invalid: \(list)",
            details: ["name": .string(name), "group": .string(group), "kind": .string(kind), "causes": .array(errors.map(\.cause))])
    }

    static func invalid(_ type: ResourceType, _ name: String, _ errors: [FieldError]) -> APIError {
        invalid(kind: type.kind, group: type.group, name: name, errors)
    }
}

/// Go's `%q`: a double-quoted string with `"` and `\` escaped, control characters as escapes.
func goQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

/// Go's `%v` of a float64: the shortest digits that read back the same, written as `%e` when
/// the decimal exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`), otherwise plainly.
func goNumber(_ number: Double) -> String {
    guard number.isFinite else { return number.isNaN ? "NaN" : (number > 0 ? "+Inf" : "-Inf") }
    if number == 0 { return number.sign == .minus ? "-0" : "0" }
    // Swift's description has the shortest round-trip digits too; only the layout differs.
    let text = "\(abs(number))"
    let parts = text.split(separator: "e")
    let mantissa = parts[0]
    let shift = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
    let pointIndex = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
    var digits = Array(mantissa.filter { $0 != "." })
    var point = pointIndex
    while digits.first == "0" { digits.removeFirst(); point -= 1 }
    while digits.last == "0" { digits.removeLast() }
    let exponent = point - 1 + shift
    let sign = number < 0 ? "-" : ""
    if exponent < -4 || exponent >= 6 {
        let rest = digits.dropFirst()
        let magnitude = abs(exponent)
        return sign + String(digits[0]) + (rest.isEmpty ? "" : "." + String(rest)) + "e" + (exponent < 0 ? "-" : "+")
            + (magnitude < 10 ? "0" : "") + String(magnitude)
    }
    if exponent < 0 { return sign + "0." + String(repeating: "0", count: -exponent - 1) + String(digits) }
    let whole = digits.count > exponent + 1 ? String(digits[...exponent]) : String(digits) + String(repeating: "0", count: exponent + 1 - digits.count)
    let fraction = digits.count > exponent + 1 ? "." + String(digits[(exponent + 1)...]) : ""
    return sign + whole + fraction
}
