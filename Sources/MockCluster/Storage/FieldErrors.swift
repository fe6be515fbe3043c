import JSON

/// The built-in validators' way of stating a `FieldError` (FieldError.swift): the kind of problem
/// decides the cause's reason and how the message shows the bad value.
extension FieldError {
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

        var shown: Value {
            switch self {
            case .string(let text): .json(.string(text))
            case .number(let number): .json(.int(number))
            case .goValue(let text): .text(text)
            case .omitted: .omitted
            }
        }
    }

    init(field: String, problem: Problem) {
        switch problem {
        case .invalid(let value, let detail): self.init(.invalid, field, value.shown, detail)
        case .required(let detail): self.init(.required, field, .omitted, detail)
        case .duplicate(let value): self.init(.duplicate, field, value.shown)
        case .notSupported(let value, let supported):
            self.init(.notSupported, field, value.shown, "supported values: " + supported.map(goQuoted).joined(separator: ", "))
        case .forbidden(let detail): self.init(.forbidden, field, .omitted, detail)
        case .tooLong(let limit): self.init(.tooLong, field, .omitted, "may not be more than \(limit) bytes")
        }
    }

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
    var reason: String { kind.rawValue }

    /// `field: body`, as a message lists it.
    var message: String { description }
}
