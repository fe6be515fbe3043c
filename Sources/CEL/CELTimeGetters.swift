/// The timestamp getters (in UTC, or in the time zone given as an argument) and the duration
/// getters, which return whole hours, minutes, seconds or milliseconds of the whole duration.
enum CELTimeGetters {
    static func call(_ function: CELFunction, _ target: CELValue, _ arguments: [CELValue]) throws(CELEvalError) -> CELValue {
        let arguments = CELArguments(function: function, target: target, values: arguments)
        switch target {
        case .duration(let span):
            try arguments.none()
            return try durationPart(function, span)
        case .timestamp(let time) where arguments.count == 0: return try timestampPart(function, time, offset: 0)
        case .timestamp(let time):
            let zone = try arguments.string(0)
            guard let offset = CELCalendar.zoneOffset(named: zone, at: time) else { throw CELEvalError("unknown time zone '\(zone)'") }
            return try timestampPart(function, time, offset: offset)
        default: throw arguments.noOverload
        }
    }

    private static func durationPart(_ function: CELFunction, _ span: CELDuration) throws(CELEvalError) -> CELValue {
        let divisor: Int64
        switch function {
        case .getHours: divisor = 3_600_000_000_000
        case .getMinutes: divisor = 60_000_000_000
        case .getSeconds: divisor = 1_000_000_000
        case .getMilliseconds: divisor = 1_000_000
        default: throw CELEvalError.noOverload(function.rawValue, .duration(span))
        }
        return .int(span.nanoseconds / divisor)
    }

    private static func timestampPart(_ function: CELFunction, _ time: CELTimestamp, offset: Int64) throws(CELEvalError) -> CELValue {
        let local = time.seconds + offset
        let days = CELCalendar.floorDivide(local, 86_400)
        let secondOfDay = local - days * 86_400
        let date = CELCalendar.civil(fromDays: days)
        switch function {
        case .getFullYear: return .int(date.year)
        case .getMonth: return .int(date.month - 1)
        case .getDate: return .int(date.day)
        case .getDayOfMonth: return .int(date.day - 1)
        case .getDayOfWeek: return .int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        case .getDayOfYear: return .int(days - CELCalendar.days(year: date.year, month: 1, day: 1))
        case .getHours: return .int(secondOfDay / 3600)
        case .getMinutes: return .int(secondOfDay / 60 % 60)
        case .getSeconds: return .int(secondOfDay % 60)
        case .getMilliseconds: return .int(Int64(time.nanos) / 1_000_000)
        default: throw CELEvalError.noOverload(function.rawValue, .timestamp(time))
        }
    }
}
