/// The type conversions `int()`, `uint()`, `double()`, `string()`, `bytes()`, `bool()`,
/// `duration()` and `timestamp()`, with cel-go's range checks and text formats.
struct CELConversions {
    let evaluator: CELEvaluator

    func convert(_ function: CELFunction, _ value: CELValue) throws(CELEvalError) -> CELValue {
        switch function {
        case .int: return .int(try Self.toInt(value))
        case .uint: return .uint(try Self.toUInt(value))
        case .double: return .double(try Self.toDouble(value))
        case .string: return .string(try toText(value))
        case .bytes:
            switch value {
            case .bytes: return value
            case .string(let text): return .bytes(Array(text.utf8))
            default: throw CELEvalError.noOverload("bytes", value)
            }
        case .bool: return .bool(try Self.toBool(value))
        case .duration: return try Self.toDuration(value)
        case .timestamp: return try Self.toTimestamp(value)
        default: throw CELEvalError.noOverload(function.rawValue, value)
        }
    }

    static func toInt(_ value: CELValue) throws(CELEvalError) -> Int64 {
        switch value {
        case .int(let number): return number
        case .uint(let number):
            guard let converted = Int64(exactly: number) else { throw CELEvalError("integer overflow") }
            return converted
        case .double(let number):
            // cel-go refuses the end points too: 2^63 rounds to a double outside the range.
            guard number.isFinite, number > -9.223372036854775808e18, number < 9.223372036854775807e18 else {
                throw CELEvalError("integer overflow")
            }
            return Int64(number.rounded(.towardZero))
        case .string(let text):
            guard let number = Int64(text) else { throw CELEvalError("cannot convert string '\(text)' to int") }
            return number
        case .timestamp(let time): return time.seconds
        case .duration(let span): return span.nanoseconds
        default: throw CELEvalError.noOverload("int", value)
        }
    }

    static func toUInt(_ value: CELValue) throws(CELEvalError) -> UInt64 {
        switch value {
        case .uint(let number): return number
        case .int(let number):
            guard let converted = UInt64(exactly: number) else { throw CELEvalError("unsigned integer overflow") }
            return converted
        case .double(let number):
            guard number.isFinite, number > -1, number < 1.8446744073709551615e19 else { throw CELEvalError("unsigned integer overflow") }
            return UInt64(number.rounded(.towardZero))
        case .string(let text):
            guard let number = UInt64(text) else { throw CELEvalError("cannot convert string '\(text)' to uint") }
            return number
        default: throw CELEvalError.noOverload("uint", value)
        }
    }

    static func toDouble(_ value: CELValue) throws(CELEvalError) -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        case .uint(let number): return Double(number)
        case .string(let text):
            guard let number = CELNumberText.parseDouble(text) else { throw CELEvalError("cannot convert string '\(text)' to double") }
            return number
        default: throw CELEvalError.noOverload("double", value)
        }
    }

    func toText(_ value: CELValue) throws(CELEvalError) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .uint(let number): return String(number)
        case .double(let number): return CELNumberText.format(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { throw CELEvalError("invalid UTF-8 in bytes, cannot convert to string") }
            return text
        case .duration(let span): return span.text
        case .timestamp(let time): return CELCalendar.format(time)
        default: throw CELEvalError.noOverload("string", value)
        }
    }

    static func toBool(_ value: CELValue) throws(CELEvalError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string(let text):
            // Go's strconv.ParseBool, which cel-go uses.
            if ["1", "t", "T", "TRUE", "true", "True"].contains(text) { return true }
            if ["0", "f", "F", "FALSE", "false", "False"].contains(text) { return false }
            throw CELEvalError("cannot convert string '\(text)' to bool")
        default: throw CELEvalError.noOverload("bool", value)
        }
    }

    static func toDuration(_ value: CELValue) throws(CELEvalError) -> CELValue {
        switch value {
        case .duration: return value
        case .string(let text):
            guard let span = CELDuration(parsing: text) else { throw CELEvalError("cannot parse duration '\(text)'") }
            return .duration(span)
        default: throw CELEvalError.noOverload("duration", value)
        }
    }

    static func toTimestamp(_ value: CELValue) throws(CELEvalError) -> CELValue {
        switch value {
        case .timestamp: return value
        case .string(let text):
            guard let time = CELCalendar.parseTimestamp(text) else { throw CELEvalError("cannot parse timestamp '\(text)'") }
            return .timestamp(time)
        case .int(let seconds):
            guard let time = CELTimestamp(seconds: seconds, nanos: 0) else { throw CELEvalError("timestamp overflow") }
            return .timestamp(time)
        default: throw CELEvalError.noOverload("timestamp", value)
        }
    }
}
