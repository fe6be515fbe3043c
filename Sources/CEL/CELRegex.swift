import Foundation

/// Regular expressions as CEL specifies them (RE2 syntax), run by ICU through NSRegularExpression.
/// The pattern is translated so that ICU means what RE2 means: `\d`, `\w`, `\s` and POSIX classes
/// stay ASCII, `$` is the end of the text (RE2 without `(?m)`), `.` excludes only `\n`, a `[`
/// inside a class is a literal. What RE2 does not have (lookaround, backreferences, atomic groups,
/// possessive quantifiers, `\Z`, `(?x)`) is refused, not run. ICU backtracks where RE2 does not, so
/// matching reports progress and is stopped by the caller's step budget.
struct CELRegex {
    struct Failure: Error {
        var message: String
    }

    let pattern: String
    let expression: NSRegularExpression

    static func compile(_ pattern: String) throws(Failure) -> CELRegex {
        var translator = CELRegexTranslator(pattern: pattern)
        let translated = try translator.translate()
        do {
            // RE2 takes the empty pattern (it matches everywhere); ICU needs it spelled as a group.
            let expression = try NSRegularExpression(pattern: translated.isEmpty ? "(?:)" : translated, options: [.useUnixLineSeparators])
            return CELRegex(pattern: pattern, expression: expression)
        } catch {
            throw Failure(message: "invalid regular expression '\(pattern)'")
        }
    }

    /// The ranges of the first `limit` matches (all when nil) in `text`. `progress` is called every
    /// few thousand steps of the matcher and returns false to stop it; a stopped match throws.
    func matches(in text: String, limit: Int?, progress: () -> Bool) throws(Failure) -> [Range<String.Index>] {
        var found: [Range<String.Index>] = []
        var stopped = false
        let whole = NSRange(text.startIndex..<text.endIndex, in: text)
        withoutActuallyEscaping(progress) { progress in
            expression.enumerateMatches(in: text, options: [.reportProgress], range: whole) { result, _, stop in
                if let result, let range = Range(result.range, in: text) {
                    found.append(range)
                    if let limit, found.count >= limit { stop.pointee = true }
                } else if !progress() {
                    stopped = true
                    stop.pointee = true
                }
            }
        }
        if stopped { throw Failure(message: "regular expression '\(pattern)' ran out of the step budget") }
        return found
    }
}

/// Rewrites an RE2 pattern into the ICU pattern with the same meaning, or refuses it.
struct CELRegexTranslator {
    let scalars: [Unicode.Scalar]
    let pattern: String
    private var index = 0
    private var output = ""
    private let multiline: Bool

    init(pattern: String) {
        self.pattern = pattern
        scalars = Array(pattern.unicodeScalars)
        multiline = pattern.contains("(?m") || pattern.range(of: #"\(\?[a-z]*m"#, options: .regularExpression) != nil
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    func refuse(_ what: String) -> CELRegexTranslator.Error {
        Error(message: "invalid regular expression '\(pattern)': \(what) is not RE2 syntax")
    }

    typealias Error = CELRegex.Failure

    /// Perl classes, ASCII-only in RE2 (ICU's are Unicode): the ranges, and whether negated.
    static let asciiClasses: [Unicode.Scalar: (ranges: String, negated: Bool)] = [
        "d": ("0-9", false), "D": ("0-9", true), "w": ("0-9A-Za-z_", false), "W": ("0-9A-Za-z_", true),
        "s": ("\\t\\n\\f\\r ", false), "S": ("\\t\\n\\f\\r ", true),
    ]
    static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ", "cntrl": "\\x00-\\x1F\\x7F",
        "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
        "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
    ]

    mutating func translate() throws(Error) -> String {
        while let scalar = peek() {
            index += 1
            switch scalar {
            case "\\": try translateEscape(inClass: false)
            case "[": try translateClass()
            case "(": try translateGroupOpening()
            case "$": output += multiline ? "$" : "\\z"
            case "{": try translateRepeat()
            case "}": output += "\\}"
            case "*", "+", "?":
                output.unicodeScalars.append(scalar)
                if peek() == "+" { throw refuse("a possessive quantifier '\(scalar)+'") }
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private mutating func translateEscape(inClass: Bool) throws(Error) {
        guard let next = peek() else { throw Error(message: "invalid regular expression '\(pattern)': trailing backslash") }
        index += 1
        if let (ranges, negated) = Self.asciiClasses[next] {
            output += negated ? "[^\(ranges)]" : (inClass ? ranges : "[\(ranges)]")
            return
        }
        switch next {
        case "1"..."9": throw refuse("a backreference '\\\(next)'")
        case "Z", "G", "X", "R", "h", "H", "k", "K", "N", "C", "e", "c", "V":
            throw refuse("the escape '\\\(next)'")
        case "v": output += "\\x0B"
        case "p", "P", "x":
            output += "\\"
            output.unicodeScalars.append(next)
            guard peek() == "{" else {
                // `\pL` is RE2's short form of `\p{L}`, which ICU needs spelt out.
                if next != "x", let name = peek() {
                    output += "{" + String(name) + "}"
                    index += 1
                }
                return
            }
            while let scalar = peek() {
                output.unicodeScalars.append(scalar)
                index += 1
                if scalar == "}" { return }
            }
        case "Q":
            while index < scalars.count {
                if peek() == "\\" && peek(1) == "E" { index += 2; return }
                output += "\\x{\(String(scalars[index].value, radix: 16))}"
                index += 1
            }
        default:
            if next.properties.isAlphabetic && !"AbBzpPxaftnr0".unicodeScalars.contains(next) {
                throw refuse("the escape '\\\(next)'")
            }
            output += "\\"
            output.unicodeScalars.append(next)
        }
    }

    private mutating func translateGroupOpening() throws(Error) {
        output += "("
        guard peek() == "?" else { return }
        index += 1
        let rest = String(String.UnicodeScalarView(scalars[index..<min(scalars.count, index + 3)]))
        if rest.hasPrefix("=") || rest.hasPrefix("!") || rest.hasPrefix("<=") || rest.hasPrefix("<!") {
            throw refuse("a lookaround assertion '(?\(rest.prefix(rest.hasPrefix("<") ? 2 : 1))'")
        }
        if rest.hasPrefix(">") { throw refuse("an atomic group '(?>'") }
        if rest.hasPrefix("#") { throw refuse("a comment group '(?#'") }
        if rest.hasPrefix("P<") {
            index += 1
            output += "?"
            return
        }
        output += "?"
        if rest.hasPrefix("<") { return }
        while let flag = peek(), flag != ")" && flag != ":" {
            guard "imsU-".unicodeScalars.contains(flag), flag != "U" else { throw refuse("the flag '\(flag)'") }
            output.unicodeScalars.append(flag)
            index += 1
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` with counts up to 1000 as RE2 allows; any other `{` is a literal.
    private mutating func translateRepeat() throws(Error) {
        var end = index
        while end < scalars.count, scalars[end] != "}" { end += 1 }
        let body = end < scalars.count ? String(String.UnicodeScalarView(scalars[index..<end])) : ""
        let counts = body.split(separator: ",", omittingEmptySubsequences: false)
        let valid = !body.isEmpty && counts.count <= 2 && !counts[0].isEmpty
            && counts.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        guard valid else {
            output += "\\{"
            return
        }
        guard counts.allSatisfy({ $0.isEmpty || (Int($0) ?? 1001) <= 1000 }) else {
            throw Error(message: "invalid regular expression '\(pattern)': repeat count over 1000")
        }
        output += "{" + body + "}"
        index = end + 1
        if peek() == "+" { throw refuse("a possessive quantifier '}+'") }
    }

    private mutating func translateClass() throws(Error) {
        output += "["
        if peek() == "^" {
            output += "^"
            index += 1
        }
        if peek() == "]" {
            output += "\\]"
            index += 1
        }
        while let scalar = peek() {
            index += 1
            switch scalar {
            case "]":
                output += "]"
                return
            case "\\": try translateEscape(inClass: true)
            case "[":
                if peek() == ":" { try translatePosixClass() } else { output += "\\[" }
            case "&", "{", "}", "$", "^": output += "\\" + String(scalar)
            default: output.unicodeScalars.append(scalar)
            }
        }
        throw Error(message: "invalid regular expression '\(pattern)': missing closing ]")
    }

    private mutating func translatePosixClass() throws(Error) {
        var end = index + 1
        while end + 1 < scalars.count, !(scalars[end] == ":" && scalars[end + 1] == "]") { end += 1 }
        guard end + 1 < scalars.count else { throw Error(message: "invalid regular expression '\(pattern)': unclosed [: class") }
        var name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let ranges = Self.posixClasses[name] else {
            throw Error(message: "invalid regular expression '\(pattern)': unknown class [:\(name):]")
        }
        output += negated ? "[^\(ranges)]" : ranges
        index = end + 2
    }
}
