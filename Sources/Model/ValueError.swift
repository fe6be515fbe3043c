/// A value that does not parse.
///
/// `message` is a whole sentence a person understands, without a source position: the caller
/// (the manifest decoder) knows the file, line and column and adds them in front.
public struct ValueError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
