import JSON

/// Paths are the JSON module's, so that the YAML reader's errors carry them too.
public typealias FieldPath = JSON.FieldPath

/// A problem with one field, found after decoding. The manifest layer turns the path into a
/// file position.
public struct FieldIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String

    public init(_ path: FieldPath, _ message: String) {
        self.path = path
        self.message = message
    }

    public init(_ dotted: String, _ message: String) {
        self.init(FieldPath(dotted), message)
    }

    public var description: String { "\(path): \(message)" }
}

extension Double {
    /// `90` rather than `90.0` in messages.
    var compactDescription: String {
        rounded() == self && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
