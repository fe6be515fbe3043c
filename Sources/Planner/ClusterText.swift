/// Text the cluster sent (a review's reason or error, an apiserver message) as it may be shown in
/// plan text, Events, the console and the terminal: control characters dropped, so that nobody
/// forges lines, and cut to `limit` characters with "..." when longer.
public enum ClusterText {
    public static let limit = 300

    public static func shown(_ text: String, limit: Int = limit) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) }))
        guard printable.count > limit else { return printable }
        return String(printable.prefix(max(0, limit - 3))) + "..."
    }
}
