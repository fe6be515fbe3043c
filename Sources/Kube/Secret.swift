/// A value that must never be printed: tokens, passwords, private keys. Its description says
/// what it is, never what it holds.
public struct Secret<Value: Sendable & Equatable>: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: Value

    public init(_ value: Value) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
