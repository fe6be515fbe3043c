/// A container image reference, parsed by distribution's reference grammar
/// (github.com/distribution/reference, `reference.go` and `normalize.go`):
///
///     reference := name [ ":" tag ] [ "@" digest ]
///     name      := [ domain "/" ] path-component [ "/" path-component ]*
///     domain    := host [ ":" port ]
///
/// The first component is a domain only if it holds `.` or `:`, is `localhost`, or has an
/// uppercase letter (paths are lowercase); otherwise the domain is `docker.io`, and a one-component
/// name there gets `library/`. Allowlists compare the parsed domain and path, never the raw string,
/// so `registry.gov.attacker.io/x` is not "from" `registry.gov`.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host, with its port if any; lowercased (host names are case-insensitive).
    public var domain: String
    /// The repository path inside the registry, `library/nginx` for `nginx`.
    public var path: String
    public var tag: String?
    public var digest: String?

    public static let defaultDomain = "docker.io"
    /// distribution's limit on the whole name (domain and path).
    static let maximumNameLength = 255

    /// The reference, or nil when `text` does not follow the grammar.
    public init?(parsing text: String) {
        guard case .success(let reference) = ImageReference.parse(text) else { return nil }
        self = reference
    }

    /// Why `text` is not an image reference, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        if case .failure(let problem) = parse(text) { return problem.message }
        return nil
    }

    public var description: String {
        var text = "\(domain)/\(path)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    struct Problem: Error { let message: String }

    static func parse(_ text: String) -> Result<ImageReference, Problem> {
        func fail(_ message: String) -> Result<ImageReference, Problem> { .failure(Problem(message: message)) }
        guard !text.isEmpty else { return fail("an image reference cannot be empty") }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return fail("an image reference holds only visible ASCII characters")
        }
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let candidate = rest[rest.index(after: at)...]
            guard isDigest(candidate) else { return fail("\"\(candidate)\" is not a digest like sha256:<64 hex digits>") }
            digest = String(candidate)
            rest = rest[..<at]
        }
        var tag: String?
        // A tag's colon comes after the last slash; an earlier colon is a registry port.
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let candidate = rest[rest.index(after: colon)...]
            guard isTag(candidate) else { return fail("\"\(candidate)\" is not a tag (letters, digits, _ . -, at most 128)") }
            tag = String(candidate)
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return fail("an image reference needs a repository name") }
        guard rest.count <= maximumNameLength else { return fail("an image name is at most \(maximumNameLength) characters") }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        var domain = defaultDomain
        if components.count > 1, let first = components.first, looksLikeDomain(first) {
            guard isDomain(first) else { return fail("\"\(first)\" is not a registry host[:port]") }
            domain = first.lowercased()
            components.removeFirst()
        }
        for component in components where !isPathComponent(component) {
            if component.contains(where: { $0.isUppercase }) { return fail("the repository name must be lowercase") }
            return fail("\"\(component)\" is not a repository path component (a-z, 0-9, separated by . _ __ or -)")
        }
        if domain == "index.docker.io" { domain = defaultDomain }
        if domain == defaultDomain, components.count == 1 { components.insert("library", at: 0) }
        return .success(ImageReference(domain: domain, path: components.joined(separator: "/"), tag: tag, digest: digest))
    }

    init(domain: String, path: String, tag: String?, digest: String?) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    private static func looksLikeDomain(_ component: Substring) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
            || component.contains(where: { $0.isUppercase })
    }

    /// host [":" port]: dot-separated labels of letters, digits and inner hyphens, or a bracketed
    /// IPv6 address.
    private static func isDomain(_ text: Substring) -> Bool {
        var host = text
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            let inside = text[text.index(after: text.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            let after = text[text.index(after: close)...]
            return after.isEmpty || (after.hasPrefix(":") && isPort(after.dropFirst()))
        }
        if let colon = text.firstIndex(of: ":") {
            guard isPort(text[text.index(after: colon)...]) else { return false }
            host = text[..<colon]
        }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return isAlphanumeric(first) && isAlphanumeric(last) && label.allSatisfy { isAlphanumeric($0) || $0 == "-" }
        }
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }

    /// alpha-numeric [separator alpha-numeric]*, separator one of `.`, `_`, `__`, or any run of `-`.
    private static func isPathComponent(_ text: Substring) -> Bool {
        var index = text.startIndex
        var expectingAlphanumeric = true
        while index < text.endIndex {
            let character = text[index]
            if isLowerAlphanumeric(character) {
                expectingAlphanumeric = false
                index = text.index(after: index)
                continue
            }
            guard !expectingAlphanumeric else { return false }
            let separatorEnd: String.Index
            switch character {
            case ".": separatorEnd = text.index(after: index)
            case "_":
                let next = text.index(after: index)
                separatorEnd = next < text.endIndex && text[next] == "_" ? text.index(after: next) : next
            case "-":
                separatorEnd = text[index...].firstIndex(where: { $0 != "-" }) ?? text.endIndex
            default: return false
            }
            index = separatorEnd
            expectingAlphanumeric = true
        }
        return !expectingAlphanumeric
    }

    /// [\w][\w.-]{0,127}
    private static func isTag(_ text: Substring) -> Bool {
        func word(_ character: Character) -> Bool { isAlphanumeric(character) || character == "_" }
        guard let first = text.first, word(first), text.count <= 128 else { return false }
        return text.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    /// algorithm ":" hex, the algorithm letters and digits joined by + . _ -, at least 32 hex digits.
    private static func isDigest(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let algorithm = text[..<colon], hex = text[text.index(after: colon)...]
        let algorithmOK = algorithm.split(separator: "+", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
            .flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }
            .flatMap { $0.split(separator: "-", omittingEmptySubsequences: false) }
            .allSatisfy { component in
                guard let first = component.first, first.isASCII, first.isLetter else { return false }
                return component.allSatisfy(isAlphanumeric)
            }
        return algorithmOK && hex.count >= 32 && hex.allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}

/// An allowlist entry: a registry, optionally with a path under it (`registry.gov`,
/// `registry.gov/`, `registry.gov/team`, `registry.gov:5000`). Its first component is always the
/// registry, whatever it looks like, because the field lists registries.
public struct RegistryPrefix: Hashable, Sendable {
    public var domain: String
    /// Path components under the registry; empty: the whole registry.
    public var path: [Substring]

    public init?(parsing text: String) {
        let trimmed = text.hasSuffix("/") ? text.dropLast() : Substring(text)
        var components = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = components.first, !first.isEmpty,
              first.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }),
              components.dropFirst().allSatisfy({ !$0.isEmpty })
        else { return nil }
        domain = first.lowercased()
        if domain == "index.docker.io" { domain = ImageReference.defaultDomain }
        components.removeFirst()
        path = components
    }

    /// At a path boundary: `registry.gov/team` holds `registry.gov/team/x`, not `registry.gov/teamx`.
    public func contains(_ image: ImageReference) -> Bool {
        guard image.domain == domain else { return false }
        let imagePath = image.path.split(separator: "/")
        return imagePath.count >= path.count && zip(imagePath, path).allSatisfy { $0 == $1 }
    }
}
