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
}

extension ClockTime {
    public static let schemaDescription = "A local time of day, HH:MM."
    public static let exampleText = "00:00"
}

extension TimeZoneID {
    public static let schemaDescription = "An IANA time zone name, such as America/Chicago."
    public static let exampleText = "UTC"
}
