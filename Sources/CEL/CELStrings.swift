/// String functions: cel-spec's `contains`, `startsWith`, `endsWith`, `matches`, and cel-go's
/// strings extension as Kubernetes enables it. Positions and lengths count code points, and text
/// is compared by code point (never by Swift's canonical equivalence).
struct CELStrings {
    let evaluator: CELEvaluator

    func call(_ function: CELFunction, _ target: CELValue, _ values: [CELValue]) throws(CELEvalError) -> CELValue {
        let arguments = CELArguments(function: function, target: target, values: values)
        guard case .string(let text) = target else { throw arguments.noOverload }
        let scalars = Array(text.unicodeScalars)
        switch function {
        case .contains: return .bool(Self.firstIndex(of: Array(try arguments.string(0).unicodeScalars), in: scalars, from: 0) != nil)
        case .startsWith: return .bool(scalars.starts(with: try arguments.string(0).unicodeScalars))
        case .endsWith: return .bool(scalars.reversed().starts(with: try arguments.string(0).unicodeScalars.reversed()))
        case .matches, .find, .findAll: return try regex(function, text, arguments)
        case .charAt:
            let position = try arguments.int(0)
            guard position >= 0, position <= scalars.count else { throw CELEvalError("index out of range: \(position)") }
            return .string(position == scalars.count ? "" : String(scalars[Int(position)]))
        case .indexOf, .lastIndexOf: return try indexOf(function == .lastIndexOf, scalars, arguments)
        case .lowerAscii, .upperAscii:
            try arguments.none()
            return .string(function == .lowerAscii ? Self.mapASCII(scalars, from: "A"..."Z", shift: 32) : Self.mapASCII(scalars, from: "a"..."z", shift: -32))
        case .trim:
            try arguments.none()
            let trimmed = scalars.drop { $0.properties.isWhitespace }.reversed().drop { $0.properties.isWhitespace }.reversed()
            return .string(Self.text(Array(trimmed)))
        case .replace: return try replace(scalars, arguments)
        case .split: return try split(scalars, arguments)
        case .substring: return try substring(scalars, arguments)
        default: throw arguments.noOverload
        }
    }

    private func regex(_ function: CELFunction, _ text: String, _ arguments: CELArguments) throws(CELEvalError) -> CELValue {
        let pattern = try arguments.string(0)
        let regex = CELRegexCalls(evaluator: evaluator)
        switch function {
        case .matches: return .bool(try regex.find(pattern, in: text, limit: 1).count == 1)
        case .find: return .string(try regex.find(pattern, in: text, limit: 1).first ?? "")
        default:
            let limit = arguments.count == 2 ? try arguments.int(1) : -1
            if limit == 0 { return .list([]) }
            return .list(try regex.find(pattern, in: text, limit: limit < 0 ? nil : Int(clamping: limit)).map(CELValue.string))
        }
    }

    static func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    private static func mapASCII(_ scalars: [Unicode.Scalar], from range: ClosedRange<Unicode.Scalar>, shift: Int32) -> String {
        text(scalars.map { range.contains($0) ? Unicode.Scalar(UInt32(Int32($0.value) + shift)) ?? $0 : $0 })
    }

    static func firstIndex(of part: [Unicode.Scalar], in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard part.count <= scalars.count - start else { return nil }
        for index in start...(scalars.count - part.count) where scalars[index..<index + part.count].elementsEqual(part) {
            return index
        }
        return nil
    }

    /// `indexOf(s)`, `indexOf(s, from)`, and the `lastIndexOf` forms (searching back from `from`).
    private func indexOf(_ last: Bool, _ scalars: [Unicode.Scalar], _ arguments: CELArguments) throws(CELEvalError) -> CELValue {
        let part = Array(try arguments.string(0).unicodeScalars)
        var offset = last ? scalars.count : 0
        if arguments.count == 2 {
            let given = try arguments.int(1)
            guard given >= 0, given <= scalars.count else { throw CELEvalError("index out of range: \(given)") }
            offset = Int(given)
        }
        if part.isEmpty { return .int(Int64(offset)) }
        try evaluator.chargeSize(scalars.count * max(1, part.count) / 4)
        if !last { return .int(Int64(Self.firstIndex(of: part, in: scalars, from: offset) ?? -1)) }
        var index = min(offset, scalars.count - part.count)
        while index >= 0 {
            if scalars[index..<index + part.count].elementsEqual(part) { return .int(Int64(index)) }
            index -= 1
        }
        return .int(-1)
    }

    private func substring(_ scalars: [Unicode.Scalar], _ arguments: CELArguments) throws(CELEvalError) -> CELValue {
        let start = try arguments.int(0)
        let end = arguments.count == 2 ? try arguments.int(1) : Int64(scalars.count)
        guard start >= 0, start <= scalars.count else { throw CELEvalError("index out of range: \(start)") }
        guard end >= 0, end <= scalars.count else { throw CELEvalError("index out of range: \(end)") }
        guard start <= end else { throw CELEvalError("invalid substring range. start: \(start), end: \(end)") }
        return .string(Self.text(scalars[Int(start)..<Int(end)]))
    }

    /// Go's strings.Replace: at most `n` replacements (all when n < 0); an empty `old` inserts
    /// `new` before every code point and at the end.
    private func replace(_ scalars: [Unicode.Scalar], _ arguments: CELArguments) throws(CELEvalError) -> CELValue {
        let old = Array(try arguments.string(0).unicodeScalars)
        let new = Array(try arguments.string(1).unicodeScalars)
        var remaining = arguments.count == 3 ? try arguments.int(2) : -1
        var result: [Unicode.Scalar] = []
        var index = 0
        while index <= scalars.count {
            let matches = remaining != 0 && (old.isEmpty || (index + old.count <= scalars.count && scalars[index..<index + old.count].elementsEqual(old)))
            if matches {
                result += new
                remaining -= 1
                try evaluator.checkStringLength(result.count)  // code points: at most the bytes
            }
            if matches && !old.isEmpty {
                index += old.count
            } else {
                if index < scalars.count { result.append(scalars[index]) }
                index += 1
            }
        }
        let text = Self.text(result)
        try evaluator.fitString(text.utf8.count)
        return .string(text)
    }

    /// Go's strings.SplitN: `n` pieces at most (all when n < 0, none when 0); an empty separator
    /// splits into code points.
    private func split(_ scalars: [Unicode.Scalar], _ arguments: CELArguments) throws(CELEvalError) -> CELValue {
        let separator = Array(try arguments.string(0).unicodeScalars)
        let limit = arguments.count == 2 ? try arguments.int(1) : -1
        if limit == 0 { return .list([]) }
        var pieces: [CELValue] = []
        var start = 0
        var index = 0
        while limit < 0 || pieces.count < limit - 1 {
            if separator.isEmpty {
                guard index < scalars.count - 1 else { break }
                pieces.append(.string(String(scalars[index])))
                index += 1
                start = index
                continue
            }
            guard let found = Self.firstIndex(of: separator, in: scalars, from: index) else { break }
            pieces.append(.string(Self.text(scalars[start..<found])))
            index = found + separator.count
            start = index
        }
        if !(separator.isEmpty && scalars.isEmpty) { pieces.append(.string(Self.text(scalars[start...]))) }
        try evaluator.fitList(pieces.count)
        return .list(pieces)
    }
}
