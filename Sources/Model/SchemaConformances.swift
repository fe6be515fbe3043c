// How the parsed value types appear in CRD schemas: as the strings they are written as.

extension Quantity: OpenAPIDescribed {
    public static var openAPISchema: OpenAPISchema {
        var schema = OpenAPISchema()
        schema.intOrString = true
        schema.description = "A Kubernetes quantity: 500m, 2, 512Mi."
        return schema
    }
    public static var schemaPlaceholder: Quantity? { try? Quantity(parsing: "1") }
}

extension CronSchedule: OpenAPIDescribed {
    public static var openAPISchema: OpenAPISchema {
        OpenAPISchema(type: "string", description: "Five-field cron (minute hour day-of-month month day-of-week), a macro such as @daily, or HH:MM for daily at that time.")
    }
    public static var schemaPlaceholder: CronSchedule? { try? CronSchedule(parsing: "@daily") }
}

extension ClockTime: OpenAPIDescribed {
    public static var openAPISchema: OpenAPISchema {
        OpenAPISchema(type: "string", description: "A local time of day, HH:MM.")
    }
    public static var schemaPlaceholder: ClockTime? { try? ClockTime(parsing: "00:00") }
}

extension TimeZoneID: OpenAPIDescribed {
    public static var openAPISchema: OpenAPISchema {
        OpenAPISchema(type: "string", description: "An IANA time zone name, such as America/Chicago.")
    }
    public static var schemaPlaceholder: TimeZoneID? { try? TimeZoneID(parsing: "UTC") }
}
