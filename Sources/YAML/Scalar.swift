/// A scalar as written: its text and the style it was written in. Quoting matters: `"10"` is a
/// string, `10` an integer.
public struct Scalar: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var string: String
    public var style: Style

    public init(_ string: String, style: Style) {
        self.string = string
        self.style = style
    }

    /// A scalar's meaning under the YAML 1.2 core schema (what JSON-compatible tools agree on),
    /// with its text: what a tree's node holds.
    public enum Resolved: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
    }

    public var resolved: Resolved {
        Scalar.resolve(string, style: style, tag: nil).resolved(text: string)
    }

    /// YAML 1.1 readers (go-yaml v2, which kubectl uses) take these as booleans: a manifest that
    /// means the string must quote them, so we refuse them where a string is expected.
    public var isYAML11Boolean: Bool {
        style == .plain && Scalar.yaml11Booleans.contains(string)
    }

    static let yaml11Booleans: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    /// A scalar that reads back as the same string: plain when unambiguous, double-quoted otherwise.
    public static func quotedIfNeeded(_ s: String) -> Scalar {
        let plainIsString = resolve(s, style: .plain, tag: nil) == .string && !yaml11Booleans.contains(s)
        if !plainIsString { return Scalar(s, style: .doubleQuoted) }
        if s.contains("\n") { return Scalar(s, style: .literal) }
        return Scalar(s, style: .plain)
    }

    /// The one resolver of scalars, for the parser and for trees: quoted scalars and `!!str` are
    /// strings, any other explicit tag reads the text as if it were plain.
    public static func resolve(_ text: String, style: Style, tag: String?) -> YAMLDocument.Value {
        var text = text
        return text.withUTF8 { resolve($0, style: style, tag: tag) }
    }

    static func resolve(_ bytes: UnsafeBufferPointer<UInt8>, style: Style, tag: String?) -> YAMLDocument.Value {
        switch tag {
        case nil: style == .plain ? resolvePlain(bytes) : .string
        case "tag:yaml.org,2002:str", "!": .string
        default: resolvePlain(bytes)
        }
    }

    /// A plain scalar's type, told apart from the bytes: a String is made only for the rare
    /// scalars that may be numbers other than small integers.
    private static func resolvePlain(_ bytes: UnsafeBufferPointer<UInt8>) -> YAMLDocument.Value {
        guard let first = bytes.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            if let value = smallDecimalInteger(bytes) { return .int(value) }
            if !mayBeNumber(bytes) { return .string }
            return number(String(decoding: bytes, as: UTF8.self))
        case UInt8(ascii: "~"):
            return bytes.count == 1 ? .null : .string
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            // Only the spellings of null, true and false are not strings.
            guard bytes.count == 4 || bytes.count == 5 else { return .string }
            func spells(_ word: StaticString) -> Bool {
                word.withUTF8Buffer { $0.elementsEqual(bytes) }
            }
            if spells("null") || spells("Null") || spells("NULL") { return .null }
            if spells("true") || spells("True") || spells("TRUE") { return .bool(true) }
            if spells("false") || spells("False") || spells("FALSE") { return .bool(false) }
            return .string
        default:
            return .string
        }
    }

    /// Text that starts like a number: the core schema's infinities, NaN, hex, octal, integers
    /// and floats, or a string.
    private static func number(_ s: String) -> YAMLDocument.Value {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if s.hasPrefix("0x"), s.count > 2, let v = Int(s.dropFirst(2), radix: 16) { return .int(v) }
        if s.hasPrefix("0o"), s.count > 2, let v = Int(s.dropFirst(2), radix: 8) { return .int(v) }
        if isDecimalInteger(s) {
            if let v = Int(s) { return .int(v) }
            return Double(s).map(YAMLDocument.Value.float) ?? .string
        }
        if isFloat(s), let v = Double(s) { return .float(v) }
        return .string
    }

    /// False when text that starts with a digit cannot be a number: it is not hex or octal and has
    /// a byte that no decimal integer or float has (`500m`, `1.4.2`, `10:30`).
    private static func mayBeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2, let first = bytes.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return true }
        if first == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "o") { return true }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "-"), UInt8(ascii: "+"): true
            default: false
            }
        }
    }

    /// `[-+]?[0-9]{1,18}` as an Int (18 digits never overflow), else nil.
    private static func smallDecimalInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard (1...18).contains(digits.count) else { return nil }
        var value = 0
        for c in digits {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(c - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }

    private static func isDecimalInteger(_ s: String) -> Bool {
        var digits = 0
        for (i, c) in s.utf8.enumerated() {
            if i == 0, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { continue }
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return false }
            digits += 1
        }
        return digits > 0
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float.
    private static func isFloat(_ s: String) -> Bool {
        var chars = Substring(s).utf8[...]
        func digits() -> Int {
            var n = 0
            while let c = chars.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { chars.removeFirst(); n += 1 }
            return n
        }
        if let c = chars.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { chars.removeFirst() }
        let whole = digits()
        var fraction = 0
        if chars.first == UInt8(ascii: ".") {
            chars.removeFirst()
            fraction = digits()
            if whole == 0 && fraction == 0 { return false }
        } else if whole == 0 {
            return false
        }
        if let c = chars.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            chars.removeFirst()
            if let c = chars.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { chars.removeFirst() }
            if digits() == 0 { return false }
        }
        return chars.isEmpty
    }
}
