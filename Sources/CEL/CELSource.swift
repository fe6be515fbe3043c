/// A place in an expression's text: 1-based line and column, counted in Unicode code points as
/// cel-go counts them, and the 0-based code point offset the lexer works with.
public struct CELPosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// One problem found while reading or checking an expression, reported like a compiler's:
/// `1:12: error: undeclared reference to 'slef'`, then the source line and a caret.
public struct CELDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var position: CELPosition
    public var message: String
    /// The line of the expression the position is on, for the caret display.
    public var sourceLine: String

    public init(position: CELPosition, message: String, sourceLine: String) {
        self.position = position
        self.message = message
        self.sourceLine = sourceLine
    }

    public var description: String {
        let caret = String(repeating: " ", count: max(0, position.column - 1)) + "^"
        return "\(position): error: \(message)\n | \(sourceLine)\n | \(caret)"
    }
}

/// An expression the check step refuses: every problem found, in source order.
public struct CELCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [CELDiagnostic]

    public init(diagnostics: [CELDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The text of an expression as code points, with the line starts needed to turn offsets into
/// positions and to show the line a diagnostic points at.
struct CELSourceText: Sendable {
    let scalars: [Unicode.Scalar]
    private let lineStarts: [Int]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var starts = [0]
        for (index, scalar) in scalars.enumerated() where scalar == "\n" { starts.append(index + 1) }
        lineStarts = starts
    }

    func position(at offset: Int) -> CELPosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return CELPosition(offset: offset, line: low + 1, column: offset - lineStarts[low] + 1)
    }

    func line(_ number: Int) -> String {
        let start = lineStarts[number - 1]
        let end = number < lineStarts.count ? lineStarts[number] - 1 : scalars.count
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[start..<max(start, end)].map { $0 == "\r" || $0 == "\t" ? " " : $0 })
        return String(text)
    }

    func diagnostic(at offset: Int, _ message: String) -> CELDiagnostic {
        let position = position(at: offset)
        return CELDiagnostic(position: position, message: message, sourceLine: line(position.line))
    }
}
