import Testing

@testable import Model

@Suite("Names", .tags(.unit))
struct NamesTests {
    static let long64 = String(repeating: "a", count: 64)
    static let dns1123Label =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')"
    static let dns1123Subdomain =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
    static let dns1035Label =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123')"
    static let labelValue =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')"
    static let labelKeyName =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')"

    /// A value and the whole message expected for it, nil when valid.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let value: String
        let problem: String?
        init(_ name: String, _ value: String, _ problem: String?) {
            (self.name, self.value, self.problem) = (name, value, problem)
        }
        var testDescription: String { name }
    }

    static let labels: [Case] = [
        Case("simple", "web-api", nil),
        Case("starts with a digit", "123-abc", nil),
        Case("one character", "a", nil),
        Case("63 characters", String(repeating: "a", count: 63), nil),
        Case("upper case and underscore", "Web_API", "\"Web_API\" is not a valid name: " + dns1123Label),
        Case("leading dash", "-web", "\"-web\" is not a valid name: " + dns1123Label),
        Case("trailing dash", "web-", "\"web-\" is not a valid name: " + dns1123Label),
        Case("non-ASCII", "café", "\"café\" is not a valid name: " + dns1123Label),
        Case("dots", "web.api", "\"web.api\" is not a valid name: must not contain dots"),
        Case("empty", "", "\"\" is not a valid name: must be non-empty"),
        Case("64 characters", long64, "\"\(long64)\" is not a valid name: must be no more than 63 characters"),
        Case(
            "too long and upper case", "A" + long64,
            "\"A\(long64)\" is not a valid name: must be no more than 63 characters; " + dns1123Label),
    ]

    @Test(arguments: labels)
    func dns1123Label(_ c: Case) {
        #expect(Names.dns1123LabelProblem(c.value) == c.problem)
    }

    static let subdomains: [Case] = [
        Case("label", "web-api", nil),
        Case("dotted", "registry.example.gov", nil),
        Case("64-character label", long64, nil),
        Case("253 characters", String(repeating: "a.", count: 126) + "a", nil),
        Case(
            "254 characters", String(repeating: "a.", count: 127),
            "\"\(String(repeating: "a.", count: 127))\" is not a valid name: must be no more than 253 characters; "
                + dns1123Subdomain),
        Case("upper case", "Example.com", "\"Example.com\" is not a valid name: " + dns1123Subdomain),
        Case("empty label", "a..b", "\"a..b\" is not a valid name: " + dns1123Subdomain),
        Case("leading dot", ".a", "\".a\" is not a valid name: " + dns1123Subdomain),
        Case("dash before dot", "a-.b", "\"a-.b\" is not a valid name: " + dns1123Subdomain),
        Case("empty", "", "\"\" is not a valid name: must be non-empty"),
    ]

    @Test(arguments: subdomains)
    func dns1123Subdomain(_ c: Case) {
        #expect(Names.dns1123SubdomainProblem(c.value) == c.problem)
    }

    static let dns1035Labels: [Case] = [
        Case("simple", "eligibility-api", nil),
        Case("letters and digits", "abc-123", nil),
        Case("starts with a digit", "1abc", "\"1abc\" is not a valid name: " + dns1035Label),
        Case("dots", "web.api", "\"web.api\" is not a valid name: " + dns1035Label),
        Case("upper case", "Web", "\"Web\" is not a valid name: " + dns1035Label),
        Case("empty", "", "\"\" is not a valid name: must be non-empty"),
        Case("64 characters", long64, "\"\(long64)\" is not a valid name: must be no more than 63 characters"),
    ]

    @Test(arguments: dns1035Labels)
    func dns1035Label(_ c: Case) {
        #expect(Names.dns1035LabelProblem(c.value) == c.problem)
    }

    static let labelValues: [Case] = [
        Case("empty is allowed", "", nil),
        Case("mixed case", "MyValue", nil),
        Case("underscore, dot and dash inside", "a.b_c-d", nil),
        Case("digits", "12345", nil),
        Case("space", "my value", "\"my value\" is not a valid label value: " + labelValue),
        Case("leading dash", "-x", "\"-x\" is not a valid label value: " + labelValue),
        Case("trailing dot", "x.", "\"x.\" is not a valid label value: " + labelValue),
        Case("slash", "a/b", "\"a/b\" is not a valid label value: " + labelValue),
        Case(
            "64 characters", long64,
            "\"\(long64)\" is not a valid label value: must be no more than 63 characters"),
    ]

    @Test(arguments: labelValues)
    func labelValue(_ c: Case) {
        #expect(Names.labelValueProblem(c.value) == c.problem)
    }

    static let labelKeys: [Case] = [
        Case("name only", "app", nil),
        Case("prefixed", "app.kubernetes.io/managed-by", nil),
        Case("mixed-case name", "example.com/MyName", nil),
        Case("empty prefix", "/x", "\"/x\" is not a valid label key: prefix part must be non-empty"),
        Case("empty name", "example.com/", "\"example.com/\" is not a valid label key: name part must be non-empty"),
        Case("empty", "", "\"\" is not a valid label key: name part must be non-empty"),
        Case(
            "two slashes", "a/b/c",
            "\"a/b/c\" is not a valid label key: must contain at most one '/', between an optional DNS subdomain prefix and the name (e.g. 'example.com/MyName')"
        ),
        Case(
            "upper-case prefix", "Example.com/x",
            "\"Example.com/x\" is not a valid label key: prefix part must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com')"
        ),
        Case("bad name", "example.com/-x", "\"example.com/-x\" is not a valid label key: " + labelKeyName),
        Case("space in name", "my key", "\"my key\" is not a valid label key: " + labelKeyName),
        Case(
            "64-character name", "example.com/" + long64,
            "\"example.com/\(long64)\" is not a valid label key: name part must be no more than 63 characters"),
        Case(
            "bad prefix and bad name", "a_b/-",
            "\"a_b/-\" is not a valid label key: prefix part must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com'); "
                + labelKeyName),
    ]

    @Test(arguments: labelKeys)
    func labelKey(_ c: Case) {
        #expect(Names.labelKeyProblem(c.value) == c.problem)
    }
}
