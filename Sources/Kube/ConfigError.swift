import YAML

/// A configuration source that cannot be used, pointing at the file, position and field like a
/// compiler: `/home/me/.kube/config:12:5: error: users[0].user.token: expected a string, found a mapping`.
/// Never a secret's value.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, or a description of the source (`$KUBECONFIG`, `--context`).
    public var source: String
    public var mark: Mark?
    public var field: String?
    public var message: String

    public init(source: String, mark: Mark? = nil, field: String? = nil, message: String) {
        self.source = source
        self.mark = mark
        self.field = field
        self.message = message
    }

    public var description: String {
        let location = mark.map { "\(source):\($0.line):\($0.column)" } ?? source
        let field = field.map { "\($0): " } ?? ""
        return "\(location): error: \(field)\(message)"
    }
}
