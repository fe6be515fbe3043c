/// Text from the cluster, the journal or a request, made safe to place in HTML text or in a
/// quoted attribute value.
public enum HTML {
    /// Works on Unicode scalars, never on `Character`s: a quote followed by a combining mark is one
    /// Character (`"\u{301}`), and comparing Characters with `"` would let the quote through.
    ///
    /// Beyond the five markup characters it replaces, with U+FFFD, what has no business on the page
    /// and could mislead a reader or a parser: NUL and the other C0/C1 controls (tab and newline
    /// kept), noncharacters, and the bidirectional overrides and isolates, which can make an action
    /// id or a name read as another one.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case _ where isUnwanted(scalar): out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    static func isUnwanted(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F: true
        // LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM, ALM are harmless marks, kept.
        case 0x202A...0x202E, 0x2066...0x2069: true
        // Noncharacters.
        case 0xFDD0...0xFDEF: true
        case let value where value & 0xFFFE == 0xFFFE: true
        default: false
        }
    }
}
