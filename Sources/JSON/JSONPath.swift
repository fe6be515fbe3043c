extension JSONValue {
    /// The value at a kubectl-style JSONPath, as CRD printer columns use them: `.status.readyReplicas`,
    /// `.spec.containers[0].image`, `.status.conditions[?(@.type=="Ready")].status`. Returns nil for
    /// anything it cannot find (or cannot read).
    public func value(atJSONPath path: String) -> JSONValue? {
        var current: JSONValue? = self
        var rest = Substring(path)
        while let value = current, !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(name.count)
                current = value[String(name)]
            } else if rest.hasPrefix("[?(@."), let end = rest.firstRange(of: ")]") {
                // A filter: the first element whose member equals the quoted value.
                let filter = rest[rest.index(rest.startIndex, offsetBy: 5)..<end.lowerBound]
                rest = rest[end.upperBound...]
                let parts = filter.split(separator: "==", maxSplits: 1)
                guard parts.count == 2 else { return nil }
                let key = String(parts[0])
                let wanted = parts[1].trimmingQuotes
                current = value.arrayValue?.first { $0[key]?.stringValue == wanted }
            } else if rest.hasPrefix("["), let end = rest.firstIndex(of: "]") {
                let index = Int(rest[rest.index(after: rest.startIndex)..<end])
                rest = rest[rest.index(after: end)...]
                guard let index, let items = value.arrayValue, items.indices.contains(index) else { return nil }
                current = items[index]
            } else {
                return nil
            }
        }
        return current
    }
}

extension Substring {
    fileprivate var trimmingQuotes: String {
        let quotes: Set<Character> = ["\"", "'"]
        var text = self
        if let first = text.first, quotes.contains(first) { text = text.dropFirst() }
        if let last = text.last, quotes.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
