/// Text the cluster sent (a review's reason or error, an apiserver message) as it may be shown in
/// plan text, Events, the console and the terminal: control characters dropped, so that nobody
/// forges lines, and cut to `limit` characters with "..." when longer.
public enum ClusterText {
    public static let limit = 300

    public static func shown(_ text: String, limit: Int = limit) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) }))
        return clipped(printable, limit: limit)
    }

    /// `text` at most `limit` characters long, "..." marking a cut.
    static func clipped(_ text: String, limit: Int = limit) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 3))) + "..."
    }
}
