/// Name and label checks with Kubernetes' rules and wording
/// (`k8s.io/apimachinery/pkg/util/validation`), made readable: the offending value comes
/// first, problems are joined with "; ", and the regular expressions are left out.
///
/// Each function returns nil for a valid value, else one message, e.g.
/// `"Web_API" is not a valid name: a lowercase RFC 1123 label must consist of lower case
/// alphanumeric characters or '-', and must start and end with an alphanumeric character
/// (e.g. 'my-name' or '123-abc')`. Lengths count bytes, as Kubernetes does.
public enum Names {
    /// Names used as a single DNS label: namespaces, job ids, most generated names.
    public static func dns1123LabelProblem(_ s: String) -> String? {
        var problems = [String]()
        if s.utf8.count > 63 { problems.append(maxLength(63)) }
        if s.isEmpty {
            problems.append(empty)
        } else if !isDNS1123Label(s.utf8) {
            problems.append(
                isDNS1123Subdomain(s)
                    ? "must not contain dots"
                    : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')")
        }
        return report(s, "name", problems)
    }

    /// Names that may contain dots, like most Kubernetes object names.
    public static func dns1123SubdomainProblem(_ s: String) -> String? {
        var problems = [String]()
        if s.utf8.count > 253 { problems.append(maxLength(253)) }
        if s.isEmpty {
            problems.append(empty)
        } else if !isDNS1123Subdomain(s) {
            problems.append(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')")
        }
        return report(s, "name", problems)
    }

    /// Names that must also start with a letter: Service names.
    public static func dns1035LabelProblem(_ s: String) -> String? {
        var problems = [String]()
        if s.utf8.count > 63 { problems.append(maxLength(63)) }
        if s.isEmpty {
            problems.append(empty)
        } else if !isDNS1123Label(s.utf8) || !(s.utf8.first.map(isLower) ?? false) {
            problems.append(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123')")
        }
        return report(s, "name", problems)
    }

    /// Label values: empty, or up to 63 alphanumerics, '-', '_', '.', alphanumeric at both ends.
    public static func labelValueProblem(_ s: String) -> String? {
        var problems = [String]()
        if s.utf8.count > 63 { problems.append(maxLength(63)) }
        if !s.isEmpty && !isQualifiedNamePart(s.utf8) {
            problems.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')")
        }
        return report(s, "label value", problems)
    }

    /// Label (and annotation) keys: an optional DNS subdomain prefix and "/", then a name part
    /// of up to 63 characters ("app", "app.kubernetes.io/managed-by").
    public static func labelKeyProblem(_ s: String) -> String? {
        var problems = [String]()
        var name = Substring(s)
        // No "/" byte, no "/" character: most keys skip the search by characters.
        if s.utf8.contains(UInt8(ascii: "/")), let slash = s.firstIndex(of: "/") {
            name = s[s.index(after: slash)...]
            guard !name.contains("/") else {
                return report(
                    s, "label key",
                    ["must contain at most one '/', between an optional DNS subdomain prefix and the name (e.g. 'example.com/MyName')"])
            }
            let prefix = String(s[..<slash])
            if prefix.isEmpty {
                problems.append("prefix part " + empty)
            } else {
                if prefix.utf8.count > 253 { problems.append("prefix part " + maxLength(253)) }
                if !isDNS1123Subdomain(prefix) {
                    problems.append(
                        "prefix part must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com')")
                }
            }
        }
        if name.isEmpty {
            problems.append("name part " + empty)
        } else if name.utf8.count > 63 {
            problems.append("name part " + maxLength(63))
        }
        if !name.isEmpty && !isQualifiedNamePart(name.utf8) {
            problems.append(
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')")
        }
        return report(s, "label key", problems)
    }

    // MARK: Messages

    private static let empty = "must be non-empty"

    private static func maxLength(_ n: Int) -> String { "must be no more than \(n) characters" }

    private static func report(_ s: String, _ what: String, _ problems: [String]) -> String? {
        problems.isEmpty ? nil : "\(s.debugDescription) is not a valid \(what): " + problems.joined(separator: "; ")
    }

    // MARK: Character rules (bytes, so no regular expressions and no Unicode surprises)

    private static func isLower(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        isLower(c) || isDigit(c) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func isDNS1123Label<C: BidirectionalCollection<UInt8>>(_ s: C) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        let ends = { (c: UInt8) in isLower(c) || isDigit(c) }
        return ends(first) && ends(last) && s.allSatisfy { ends($0) || $0 == UInt8(ascii: "-") }
    }

    /// Labels joined by dots.
    private static func isDNS1123Subdomain(_ s: String) -> Bool {
        var label = s.utf8[...]
        while let dot = label.firstIndex(of: UInt8(ascii: ".")) {
            guard isDNS1123Label(label[..<dot]) else { return false }
            label = label[label.index(after: dot)...]
        }
        return isDNS1123Label(label)
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    private static func isQualifiedNamePart<C: BidirectionalCollection<UInt8>>(_ s: C) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && s.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }
}
