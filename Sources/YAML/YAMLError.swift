/// Everything that can go wrong reading or writing YAML, with libyaml's own wording and the
/// position it points at.
public struct YAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// libyaml could not read the bytes (bad encoding, control characters).
        case reader
        /// libyaml's scanner or parser refused the text.
        case syntax
        /// The same key twice in one mapping.
        case duplicateKey
        /// An alias names no anchor defined before it.
        case undefinedAlias
        /// Aliases expand past the limit ("billion laughs").
        case aliasExpansion
        /// Nested deeper than the limit.
        case depth
        /// A merge key (`<<`) whose value is not a mapping or a list of mappings.
        case merge
        /// The emitter refused the tree.
        case emitter
        /// libyaml ran out of memory.
        case memory
    }

    public var kind: Kind
    public var message: String
    public var mark: Mark?

    public init(_ kind: Kind, _ message: String, at mark: Mark?) {
        self.kind = kind
        self.message = message
        self.mark = mark
    }

    public var description: String {
        mark.map { "\($0): \(message)" } ?? message
    }
}
