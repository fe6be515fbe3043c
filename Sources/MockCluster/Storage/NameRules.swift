/// apimachinery's name and label rules (`k8s.io/apimachinery/pkg/util/validation`): each returns
/// the problems found, worded as the apiserver words them; none means valid.
enum NameRules {
    static func dns1123Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append(maxLength(63)) }
        if !isDNS1123Label(value) {
            problems.append(regexError(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                dns1123LabelFormat, examples: ["my-name", "123-abc"]))
        }
        return problems
    }

    static func dns1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append(maxLength(253)) }
        if !isDNS1123Subdomain(value) {
            problems.append(regexError(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*", examples: ["example.com"]))
        }
        return problems
    }

    static func dns1035Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append(maxLength(63)) }
        let bytes = Array(value.utf8)
        if !isDNS1123Label(value) || !(bytes.first.map(isLowerLetter) ?? false) {
            problems.append(regexError(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                "[a-z]([-a-z0-9]*[a-z0-9])?", examples: ["my-name", "abc-123"]))
        }
        return problems
    }

    /// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name part.
    static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var problems: [String] = []
        let name: String
        switch parts.count {
        case 1: name = parts[0]
        case 2:
            name = parts[1]
            if parts[0].isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += dns1123Subdomain(parts[0]).map { "prefix part " + $0 }
            }
        default:
            return [
                "a qualified name " + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"])
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            problems.append("name part " + maxLength(63))
        }
        if !isQualifiedNamePart(name) {
            problems.append("name part " + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"]))
        }
        return problems
    }

    static func labelValue(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append(maxLength(63)) }
        if !value.isEmpty, !isQualifiedNamePart(value) {
            problems.append(regexError(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                "(" + qualifiedNameFormat + ")?", examples: ["MyValue", "my_value", "12345"]))
        }
        return problems
    }

    /// An IANA service name, as container and service port names must be.
    static func portName(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 15 { problems.append(maxLength(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: isLowerLetter) { problems.append("must contain at least one letter (a-z)") }
        if value.contains("--") { problems.append("must not contain consecutive hyphens") }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") { problems.append("must not begin or end with a hyphen") }
        return problems
    }

    static func portNumber(_ value: Int) -> [String] {
        (1...65535).contains(value) ? [] : ["must be between 1 and 65535, inclusive"]
    }

    /// Environment variable names, as 1.32 accepts them (relaxed validation, on by default).
    static func environmentVariableName(_ value: String) -> [String] {
        let printable = value.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value <= 126 && $0 != "=" }
        return !value.isEmpty && printable ? [] : ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
    }

    static func configMapKey(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append(maxLength(253)) }
        let allowed = !value.isEmpty && value.utf8.allSatisfy { isLetter($0) || isDigit($0) || "-._".utf8.contains($0) }
        if !allowed {
            problems.append(regexError(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+",
                examples: ["key.name", "KEY_NAME", "key-name"]))
        }
        if value == "." {
            problems.append("must not be '.'")
        } else if value == ".." {
            problems.append("must not be '..'")
        } else if value.hasPrefix("..") {
            problems.append("must not start with '..'")
        }
        return problems
    }

    // MARK: - Pieces

    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    static func maxLength(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`, spacing included, as Go writes it.
    static func regexError(_ message: String, _ format: String, examples: [String]) -> String {
        let samples = examples.map { "'\($0)', " }.joined(separator: " or ")
        return "\(message) (e.g. \(samples)regex used for validation is '\(format)')"
    }

    private static func isDNS1123Label(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isDNS1123Subdomain(_ value: String) -> Bool {
        value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    private static func isQualifiedNamePart(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || "-_.".utf8.contains($0) }
    }

    private static func isLowerLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isLetter(_ byte: UInt8) -> Bool { isLowerLetter(byte | 0x20) }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { isLowerLetter(byte) || isDigit(byte) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
}
