import JSON

/// One reason a field is refused, as apimachinery's `field.Error` states it: the kind of problem
/// decides the cause's reason and how the message names the bad value.
struct FieldError: Equatable {
    enum Problem: Equatable {
        case invalid(BadValue, String)
        case required(String)
        case duplicate(BadValue)
        case notSupported(BadValue, [String])
        case forbidden(String)
        case tooLong(Int)
    }

    /// How the apiserver prints a bad value: strings quoted, numbers and booleans plain, other
    /// values as Go's `%#v` prints them.
    enum BadValue: Equatable {
        case string(String)
        case number(Int)
        case goValue(String)
        /// Not shown: the detail names the value itself.
        case omitted

        init(_ value: JSONValue?) {
            switch value {
            case .string(let text)?: self = .string(text)
            case .int(let number)?: self = .number(number)
            case let value?: self = .goValue(value.jsonText)
            case nil: self = .string("")
            }
        }

        var text: String {
            switch self {
            case .string(let text): goQuoted(text)
            case .number(let number): String(number)
            case .goValue(let text): text
            case .omitted: ""
            }
        }
    }

    var field: String
    var problem: Problem

    static func invalid(_ field: String, _ value: BadValue, _ detail: String) -> FieldError {
        FieldError(field: field, problem: .invalid(value, detail))
    }

    static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(field: field, problem: .required(detail))
    }

    static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> FieldError {
        FieldError(field: field, problem: .notSupported(.string(value), supported))
    }

    /// The cause's `reason` (metav1.CauseType).
    var reason: String {
        switch problem {
        case .invalid: "FieldValueInvalid"
        case .required: "FieldValueRequired"
        case .duplicate: "FieldValueDuplicate"
        case .notSupported: "FieldValueNotSupported"
        case .forbidden: "FieldValueForbidden"
        case .tooLong: "FieldValueTooLong"
        }
    }

    /// What follows the field path: `Invalid value: "Bad": a lowercase RFC 1123 label ...`.
    var body: String {
        switch problem {
        case .invalid(.omitted, let detail): Self.joined("Invalid value", detail)
        case .invalid(let value, let detail): Self.joined("Invalid value: \(value.text)", detail)
        case .required(let detail): Self.joined("Required value", detail)
        case .duplicate(let value): "Duplicate value: \(value.text)"
        case .notSupported(let value, let supported):
            Self.joined("Unsupported value: \(value.text)", "supported values: " + supported.map(goQuoted).joined(separator: ", "))
        case .forbidden(let detail): Self.joined("Forbidden", detail)
        case .tooLong(let limit): "Too long: may not be more than \(limit) bytes"
        }
    }

    var message: String { "\(field): \(body)" }

    private static func joined(_ head: String, _ detail: String) -> String {
        detail.isEmpty ? head : "\(head): \(detail)"
    }
}

extension APIError {
    /// A 422 `Invalid` naming every problem, as the apiserver aggregates a validation's error list:
    /// one problem is the message itself, several are listed in brackets; each is a cause.
    static func invalid(_ type: ResourceType, _ name: String, _ errors: [FieldError]) -> APIError {
        var unique: [FieldError] = []
        for error in errors where !unique.contains(where: { $0.message == error.message }) { unique.append(error) }
        // An Invalid Status names the kind, not the resource (kubectl prints `The Job "x" is invalid`).
        var details = type.details(name)
        details["kind"] = .string(type.kind)
        details["causes"] = .array(unique.map { ["reason": .string($0.reason), "message": .string($0.body), "field": .string($0.field)] })
        let qualifiedKind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        let summary = unique.count == 1 ? unique[0].message : "[" + unique.map(\.message).joined(separator: ", ") + "]"
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(summary)", details: details)
    }
}

/// A string as Go's `%q` writes it: quoted, with quotes, backslashes and control characters escaped.
func goQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\x" + String(format2Hex(scalar.value))
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

private func format2Hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return digits.count == 1 ? "0" + digits : digits
}
