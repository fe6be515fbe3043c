/// The names a custom or external metric may have. The metrics APIs put the name in the request
/// path as one segment (`.../pods/*/NAME`), so it must never be able to shape the request.
///
/// The rule: 1 to 253 bytes of ASCII letters, digits, `_`, `-`, `.` and `:`, starting with a
/// letter, a digit or `_`, and no `..`. That admits both styles HPA manifests use, Prometheus
/// names (`http_requests_total`, `job:rps:rate5m`) and Kubernetes resource names
/// (`requests-per-second`), and refuses everything a path needs escaped: `/`, `?`, `#`, `%`,
/// whitespace, control characters, `.` and `..`.
public enum MetricName {
    /// nil for a valid metric name, else why it is not one.
    public static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "a metric name must not be empty" }
        if bytes.count > 253 { return "\"\(name.prefix(40))…\" is not a valid metric name: must be no more than 253 bytes" }
        let first = bytes[0]
        guard isLetterOrDigit(first) || first == UInt8(ascii: "_"),
            bytes.allSatisfy({ isLetterOrDigit($0) || allowedPunctuation.contains($0) }),
            !name.contains("..")
        else {
            return "\"\(name)\" is not a valid metric name: it must consist of letters, digits, '_', '-', '.' or ':', start with a letter, a digit or '_', and not contain '..' (e.g. 'http_requests_per_second')"
        }
        return nil
    }

    private static let allowedPunctuation: Set<UInt8> = [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":")]

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
