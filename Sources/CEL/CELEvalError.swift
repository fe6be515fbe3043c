/// An evaluation error: a CEL error value that reached the top (`no such key: replicas`,
/// `integer overflow`, `division by zero`, ...), with where it arose when known.
public struct CELEvalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var position: CELPosition?
    /// Set when the cost limit or the step budget ran out: no `&&`, `||` or macro may absorb it.
    public var isBudgetExhausted: Bool

    public init(_ message: String, position: CELPosition? = nil, isBudgetExhausted: Bool = false) {
        self.message = message
        self.position = position
        self.isBudgetExhausted = isBudgetExhausted
    }

    /// cel-go's message when an evaluation goes over its cost limit.
    public static let costLimitExceeded = "operation cancelled: actual cost limit exceeded"

    public var description: String { position.map { "\($0): \(message)" } ?? message }

    static func noOverload(_ function: String, _ arguments: CELValue...) -> CELEvalError {
        noOverload(function, arguments)
    }
}
