import JSON

// How the parsed value types appear in CRD schemas: as the strings (or numbers) they are written as.

extension Quantity: OpenAPIDescribed {
    public static var openAPISchema: OpenAPISchema {
        var schema = OpenAPISchema()
        schema.intOrString = true
        schema.description = "A Kubernetes quantity: 500m, 2, 512Mi."
        return schema
    }
    public static var schemaPlaceholder: Quantity? { try? Quantity(parsing: "1") }
}

extension CronSchedule {
    public static let schemaDescription = "Five-field cron (minute hour day-of-month month day-of-week), a macro such as @daily, or HH:MM for daily at that time."
    public static let exampleText = "@daily"
    public static let schemaMaxLength = 128

    /// Five fields each with its own value range (so `0 25 * * *` is refused), a macro, or HH:MM.
    /// Coarser than the parser only in what a pattern cannot say (a range's order, step 0).
    public static let schemaPattern: String? = {
        func field(_ value: String) -> String {
            let element = #"(\*|(\#(value))(-(\#(value)))?)(/[0-9]+)?"#
            return "\(element)(,\(element))*"
        }
        let minute = "0*[1-5]?[0-9]"
        let hour = "0*(1?[0-9]|2[0-3])"
        let dayOfMonth = "0*([1-9]|[12][0-9]|3[01])"
        let month = "0*([1-9]|1[0-2])|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
        let dayOfWeek = "0*[0-7]|(?i:sun|mon|tue|wed|thu|fri|sat)"
        let five = [minute, hour, dayOfMonth, month, dayOfWeek].map(field).joined(separator: #"\s+"#)
        let macro = "@(?i:yearly|annually|monthly|weekly|daily|midnight|hourly)"
        return #"^\s*(\#(macro)|\#(ClockTime.timePattern)|\#(five))\s*$"#
    }()
}

extension ClockTime {
    public static let schemaDescription = "A local time of day, HH:MM."
    public static let exampleText = "00:00"
    static let timePattern = "([01]?[0-9]|2[0-3]):[0-5][0-9]"
    public static let schemaPattern: String? = "^\(timePattern)$"
    public static let schemaMaxLength = 5
}

extension TimeZoneID {
    public static let schemaDescription = "An IANA time zone name, such as America/Chicago."
    public static let exampleText = "UTC"
    public static let schemaMaxLength = 64

    /// An IANA Area/Location (so `Mars/Olympus` is refused) or one of tzdata's names without a
    /// slash. Coarser than the parser: a pattern cannot know every location.
    public static let schemaPattern: String? = {
        let areas = "Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Brazil|Canada|Chile|Etc|Europe|Indian|Mexico|Pacific|US"
        let slashless = slashlessNames.sorted().map { $0.replacingOccurrences(of: "+", with: "\\+") }.joined(separator: "|")
        return "^(((?i:posix|right)/)?(?i:\(areas))/[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*|\(slashless))$"
    }()
}
