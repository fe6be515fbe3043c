/// "Did you mean" suggestions for misspelt names.
public enum Spelling {
    /// The candidate closest to `word` (ignoring case), when it is within `maxDistance` edits:
    /// by default about one edit in three characters, and at least two.
    public static func closest(to word: String, in candidates: some Sequence<String>, maxDistance: Int? = nil) -> String? {
        let limit = maxDistance ?? max(2, word.count / 3)
        let typed = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(typed, Array(candidate.lowercased()), limit: limit)
            if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.candidate
    }

    /// Levenshtein distance over characters; gives up with `limit + 1` once it must exceed `limit`.
    static func distance(_ a: [Character], _ b: [Character], limit: Int = .max) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        var current = previous
        for (i, ca) in a.enumerated() {
            current[0] = i + 1
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            if current.min() ?? 0 > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
