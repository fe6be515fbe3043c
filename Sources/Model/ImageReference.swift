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

    /// Parsed over the text's bytes: it is checked to be visible ASCII first, and every
    /// manifest's image goes through here, so per-character Unicode work would show in decoding.
    static func parse(_ text: String) -> Result<ImageReference, Problem> {
        func fail(_ message: String) -> Result<ImageReference, Problem> { .failure(Problem(message: message)) }
        func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }
        let all = Array(text.utf8)
        guard !all.isEmpty else { return fail("an image reference cannot be empty") }
        guard all.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return fail("an image reference holds only visible ASCII characters")
        }
        var rest = all[...]
        var digest: String?
        if let at = rest.firstIndex(of: Byte.at) {
            let candidate = rest[(at + 1)...]
            guard isDigest(candidate) else { return fail("\"\(string(candidate))\" is not a digest like sha256:<64 hex digits>") }
            digest = string(candidate)
            rest = rest[..<at]
        }
        var tag: String?
        // A tag's colon comes after the last slash; an earlier colon is a registry port.
        if let colon = rest.lastIndex(of: Byte.colon), !rest[colon...].contains(Byte.slash) {
            let candidate = rest[(colon + 1)...]
            guard isTag(candidate) else { return fail("\"\(string(candidate))\" is not a tag (letters, digits, _ . -, at most 128)") }
            tag = string(candidate)
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return fail("an image reference needs a repository name") }
        guard rest.count <= maximumNameLength else { return fail("an image name is at most \(maximumNameLength) characters") }
        var components = rest.split(separator: Byte.slash, omittingEmptySubsequences: false)
        var domain = defaultDomain
        if components.count > 1, let first = components.first, looksLikeDomain(first) {
            guard isDomain(first) else { return fail("\"\(string(first))\" is not a registry host[:port]") }
            domain = string(first).lowercased()
            components.removeFirst()
        }
        for component in components where !isPathComponent(component) {
            if component.contains(where: isUppercase) { return fail("the repository name must be lowercase") }
            return fail("\"\(string(component))\" is not a repository path component (a-z, 0-9, separated by . _ __ or -)")
        }
        if domain == "index.docker.io" { domain = defaultDomain }
        var path = components.map(string)
        if domain == defaultDomain, path.count == 1 { path.insert("library", at: 0) }
        return .success(ImageReference(domain: domain, path: path.joined(separator: "/"), tag: tag, digest: digest))
    }

    init(domain: String, path: String, tag: String?, digest: String?) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    typealias Byte = UInt8
    typealias Bytes = ArraySlice<UInt8>

    private static func isUppercase(_ byte: Byte) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func isLowercase(_ byte: Byte) -> Bool { byte >= 0x61 && byte <= 0x7A }
    private static func isDigit(_ byte: Byte) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isAlphanumeric(_ byte: Byte) -> Bool { isLowercase(byte) || isUppercase(byte) || isDigit(byte) }
    private static func isLowerAlphanumeric(_ byte: Byte) -> Bool { isLowercase(byte) || isDigit(byte) }
    private static func isHexDigit(_ byte: Byte) -> Bool {
        isDigit(byte) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }

    private static func looksLikeDomain(_ component: Bytes) -> Bool {
        component.contains(Byte.dot) || component.contains(Byte.colon) || component.elementsEqual("localhost".utf8)
            || component.contains(where: isUppercase)
    }

    /// host [":" port]: dot-separated labels of letters, digits and inner hyphens, or a bracketed
    /// IPv6 address.
    private static func isDomain(_ text: Bytes) -> Bool {
        var host = text
        if text.first == Byte.openBracket {
            guard let close = text.firstIndex(of: Byte.closeBracket) else { return false }
            let inside = text[(text.startIndex + 1)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ isHexDigit($0) || $0 == Byte.colon || $0 == Byte.dot }) else { return false }
            let after = text[(close + 1)...]
            return after.isEmpty || (after.first == Byte.colon && isPort(after.dropFirst()))
        }
        if let colon = text.firstIndex(of: Byte.colon) {
            guard isPort(text[(colon + 1)...]) else { return false }
            host = text[..<colon]
        }
        return !host.isEmpty && host.split(separator: Byte.dot, omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return isAlphanumeric(first) && isAlphanumeric(last) && label.allSatisfy { isAlphanumeric($0) || $0 == Byte.hyphen }
        }
    }

    private static func isPort(_ text: Bytes) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy(isDigit)
    }

    /// alpha-numeric [separator alpha-numeric]*, separator one of `.`, `_`, `__`, or any run of `-`.
    private static func isPathComponent(_ text: Bytes) -> Bool {
        var index = text.startIndex
        var expectingAlphanumeric = true
        while index < text.endIndex {
            let byte = text[index]
            if isLowerAlphanumeric(byte) {
                expectingAlphanumeric = false
                index += 1
                continue
            }
            guard !expectingAlphanumeric else { return false }
            switch byte {
            case Byte.dot: index += 1
            case Byte.underscore: index += index + 1 < text.endIndex && text[index + 1] == Byte.underscore ? 2 : 1
            case Byte.hyphen: index = text[index...].firstIndex(where: { $0 != Byte.hyphen }) ?? text.endIndex
            default: return false
            }
            expectingAlphanumeric = true
        }
        return !expectingAlphanumeric
    }

    /// [\w][\w.-]{0,127}
    private static func isTag(_ text: Bytes) -> Bool {
        func word(_ byte: Byte) -> Bool { isAlphanumeric(byte) || byte == Byte.underscore }
        guard let first = text.first, word(first), text.count <= 128 else { return false }
        return text.allSatisfy { word($0) || $0 == Byte.dot || $0 == Byte.hyphen }
    }

    /// algorithm ":" hex, the algorithm letters and digits joined by + . _ -, at least 32 hex digits.
    private static func isDigest(_ text: Bytes) -> Bool {
        guard let colon = text.firstIndex(of: Byte.colon) else { return false }
        let algorithm = text[..<colon], hex = text[(colon + 1)...]
        let separators: Set<Byte> = [Byte.plus, Byte.dot, Byte.underscore, Byte.hyphen]
        let algorithmOK = algorithm.split(omittingEmptySubsequences: false, whereSeparator: separators.contains)
            .allSatisfy { component in
                guard let first = component.first, isLowercase(first) || isUppercase(first) else { return false }
                return component.allSatisfy(isAlphanumeric)
            }
        return algorithmOK && hex.count >= 32 && hex.allSatisfy(isHexDigit)
    }
}

extension UInt8 {
    fileprivate static let at = UInt8(ascii: "@"), colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
    fileprivate static let hyphen = UInt8(ascii: "-"), underscore = UInt8(ascii: "_"), plus = UInt8(ascii: "+")
    fileprivate static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
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
