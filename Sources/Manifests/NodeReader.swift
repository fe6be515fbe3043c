import JSON
import Model
import YAML

typealias NodeID = YAMLDocument.NodeID

/// A decoding problem at a node; the caller adds the file.
struct NodeError: Error {
    var mark: Mark
    var path: FieldPath
    var message: String
}

/// A type the manifest decoder reads straight from YAML nodes, strictly: no unknown fields, no type
/// coercion (an unquoted `10` is not a string, `"10"` is not an integer), every error at its node.
/// JSON, the cluster's wire format, keeps Codable; a test holds the two to the same fields.
protocol NodeDecodable {
    /// Reads the value at `node`. `key` is the key it sits under, if any: errors about a block
    /// collection point at the key, where the reader looks for them.
    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError)

    /// A value read from one scalar (a string, a number, an enum): it throws its problem and
    /// records none. The default is false.
    static var isScalar: Bool { get }
}

extension NodeDecodable {
    static var isScalar: Bool { false }
}

/// Reads one document. Problems in optional fields are recorded and the field reads as absent, so
/// one pass reports many errors, not just the first; any other problem is thrown.
final class NodeReader {
    let document: YAMLDocument
    private(set) var problems: [NodeError] = []
    /// Where the value being read sits; copied into an error only when there is one.
    private var path: [FieldPath.Component] = []

    init(_ document: YAMLDocument) {
        self.document = document
    }

    /// Reads the value at `node`, one path component below the current one.
    func read<T: NodeDecodable>(_ node: NodeID, key: NodeID?, at component: FieldPath.Component) throws(NodeError) -> T {
        if T.isScalar {
            // Most fields; their component joins the path only when there is an error to place.
            do {
                return try T(from: node, key: key, in: self)
            } catch {
                var error = error
                error.path.components.append(component)
                throw error
            }
        }
        path.append(component)
        defer { path.removeLast() }
        return try T(from: node, key: key, in: self)
    }

    func record(_ problem: NodeError) {
        problems.append(problem)
    }

    func error(at mark: Mark, _ message: String, below component: FieldPath.Component? = nil) -> NodeError {
        NodeError(mark: mark, path: FieldPath(component.map { path + [$0] } ?? path), message: message)
    }

    /// `expected an integer, found "three"`, at the node itself.
    func mismatch(_ node: NodeID, expected: String, hint: String = "") -> NodeError {
        error(at: document.mark(of: node), "expected \(expected), found \(document.describe(node))\(hint)")
    }

    /// Errors about a block collection point at its key (`spec:`), not at its first child, which is
    /// where libyaml marks it; scalars and flow collections point at themselves.
    func errorMark(_ node: NodeID, key: NodeID?) -> Mark {
        let mark = document.mark(of: node)
        guard let key else { return mark }
        let keyMark = document.mark(of: key)
        return mark.line > keyMark.line ? keyMark : mark
    }

    /// Whether a mapping key is a string; records the problem when it is not.
    func isStringKey(_ key: NodeID) -> Bool {
        guard document.isString(key) else {
            record(error(at: document.mark(of: key), "keys must be strings, found \(document.describe(key))"))
            return false
        }
        return true
    }

    /// The string at a scalar. Unquoted `yes`, `no`, `on` and `off` are refused unless
    /// `allowingYAML11Booleans` (a closed set of values gives better advice).
    func string(_ node: NodeID, allowingYAML11Booleans: Bool = false) throws(NodeError) -> String {
        guard case .scalar = document.kind(of: node) else { throw mismatch(node, expected: "a string") }
        let text = document.text(of: node)
        guard document.isString(node) else {
            throw mismatch(node, expected: "a string", hint: document.isNull(node) ? "" : "; quote it to make it a string: \"\(text)\"")
        }
        if !allowingYAML11Booleans && isYAML11Boolean(node) {
            throw error(at: document.mark(of: node), "\"\(text)\" is a boolean to YAML 1.1 tools such as kubectl; quote it to make it a string: \"\(text)\"")
        }
        return text
    }

    /// An unquoted, untagged `yes`, `no`, `on` or `off`, which YAML 1.1 readers (go-yaml v2, which
    /// kubectl uses) take as booleans.
    func isYAML11Boolean(_ node: NodeID) -> Bool {
        // All of them are one to three letters long.
        guard document.kind(of: node) == .scalar(.plain), document.tag(of: node) == nil,
              document.isString(node), document.textCount(of: node) <= 3 else { return false }
        return Scalar(document.text(of: node), style: .plain).isYAML11Boolean
    }

    /// `"4"` where a number belongs: say how to write it.
    func quotedNumberHint(_ node: NodeID) -> String {
        guard case .scalar(let style) = document.kind(of: node), style != .plain else { return "" }
        let text = document.text(of: node)
        switch Scalar(text, style: .plain).resolved {
        case .int, .float: return "; remove the quotes: \(text)"
        default: return ""
        }
    }

    /// `"no"` where a boolean belongs: say which boolean YAML 1.1 meant.
    func booleanHint(_ node: NodeID) -> String {
        guard case .scalar = document.kind(of: node) else { return "" }
        let text = document.text(of: node)
        guard Scalar(text, style: .plain).isYAML11Boolean else { return "" }
        return ["y", "yes", "on"].contains(text.lowercased()) ? "; write true" : "; write false"
    }
}

extension YAMLDocument {
    /// How a node reads in a message: `"three"`, `the number 3`, `a mapping`.
    func describe(_ node: NodeID) -> String {
        switch kind(of: node) {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch value(of: node) {
            case .null?, nil: return "nothing (null)"
            case .bool(let value)?: return "the boolean \(value)"
            case .int?, .float?: return "the number \(text(of: node))"
            case .string?: return "\"\(text(of: node))\""
            }
        }
    }

    /// The position of the deepest node that exists along a field path: the field itself, or the
    /// mapping that lacks it.
    func mark(at path: FieldPath) -> Mark {
        var node = root
        for component in path.components {
            switch component {
            case .key(let key):
                guard let value = value(of: node, at: key) else { return mark(of: node) }
                node = value
            case .index(let index):
                let items = items(of: node)
                guard items.indices.contains(index) else { return mark(of: node) }
                node = items[index]
            }
        }
        return mark(of: node)
    }
}

// MARK: Objects

/// The field names of a type, in declaration order: the keys a manifest may use. ASCII, at most 64.
protocol FieldName: RawRepresentable<String>, CaseIterable, Equatable where AllCases == [Self] {}

/// A struct read from a mapping, field by field.
protocol NodeObject: NodeDecodable {
    associatedtype Field: FieldName
    init(from object: ObjectReader<Field>) throws(NodeError)
}

extension NodeObject {
    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        try self.init(from: ObjectReader(node, key: key, in: reader))
    }
}

/// The fields of one mapping. Unknown keys are recorded as soon as it is opened, so they are
/// reported even when a required field is missing.
struct ObjectReader<Field: FieldName> {
    private let reader: NodeReader
    private let node: NodeID
    /// Where errors about the mapping as a whole point.
    private let mark: Mark
    /// A bit for each field the mapping has, by declaration order: absent fields need no search.
    private let present: UInt64

    init(_ node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        self.reader = reader
        self.node = node
        self.mark = reader.errorMark(node, key: key)
        let document = reader.document
        guard document.kind(of: node) == .mapping else {
            throw reader.error(at: mark, "expected a mapping, found \(document.describe(node))")
        }
        var present: UInt64 = 0
        var next = 0
        for pair in document.pairs(of: node) where reader.isStringKey(pair.key) {
            if let index = Self.field(named: pair.key, in: document, from: next) {
                present |= 1 << index
                next = index + 1
            } else {
                let name = document.text(of: pair.key)
                reader.record(reader.error(at: document.mark(of: pair.key), Self.unknownField(name), below: .key(name)))
            }
        }
        self.present = present
    }

    /// A missing or bad field is recorded and a stand-in read instead, where the type has one, so
    /// the fields after it are still checked and reported (as the API server reports them all).
    func required<T: NodeDecodable>(_ field: Field) throws(NodeError) -> T {
        let problem: NodeError
        if let pair = pair(field) {
            do {
                return try reader.read(pair.value, key: pair.key, at: .key(field.rawValue))
            } catch {
                problem = error
            }
        } else {
            problem = reader.error(at: mark, "missing required field \"\(field.rawValue)\"")
        }
        guard let decodable = T.self as? any Decodable.Type, let standIn = OpenAPISchema.placeholder(of: decodable) as? T else {
            throw problem
        }
        reader.record(problem)
        return standIn
    }

    /// Absent and null read as nil; so does a value with a problem, which is recorded.
    func optional<T: NodeDecodable>(_ field: Field) -> T? {
        guard let pair = pair(field), !reader.document.isNull(pair.value) else { return nil }
        do {
            return try reader.read(pair.value, key: pair.key, at: .key(field.rawValue)) as T
        } catch {
            reader.record(error)
            return nil
        }
    }

    /// The index of the field `key` names. Manifests mostly list fields in declaration order, so
    /// the search starts after the field found last and wraps around.
    private static func field(named key: NodeID, in document: YAMLDocument, from start: Int) -> Int? {
        let fields = Field.allCases
        for step in 0..<fields.count {
            let index = (start + step) % fields.count
            if document.text(of: key, equalsASCII: fields[index].rawValue) { return index }
        }
        return nil
    }

    private func pair(_ field: Field) -> (key: NodeID, value: NodeID)? {
        guard let index = Field.allCases.firstIndex(of: field), present & (1 << index) != 0 else { return nil }
        // Mappings are small; a scan beats building a dictionary for each.
        return reader.document.pairs(of: node).first { reader.document.text(of: $0.key, equalsASCII: field.rawValue) }
    }

    /// `unknown field "replica"; did you mean "replicas"?`, or the list of known fields.
    private static func unknownField(_ name: String) -> String {
        let known = Field.allCases.map(\.rawValue)
        if let suggestion = Spelling.closest(to: name, in: known) {
            return "unknown field \"\(name)\"; did you mean \"\(suggestion)\"?"
        }
        return "unknown field \"\(name)\"; known fields: \(known.joined(separator: ", "))"
    }
}

// MARK: Collections

extension Array: NodeDecodable where Element: NodeDecodable {
    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        guard reader.document.kind(of: node) == .sequence else {
            throw reader.error(at: reader.errorMark(node, key: key), "expected a list, found \(reader.document.describe(node))")
        }
        let items = reader.document.items(of: node)
        self.init()
        reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            append(try reader.read(item, key: nil, at: .index(index)))
        }
    }
}

extension Dictionary: NodeDecodable where Key == String, Value: NodeDecodable {
    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        let document = reader.document
        guard document.kind(of: node) == .mapping else {
            throw reader.error(at: reader.errorMark(node, key: key), "expected a mapping, found \(document.describe(node))")
        }
        // Every key is checked before any value is read, so a bad value does not hide a bad key.
        let pairs = document.pairs(of: node).filter { reader.isStringKey($0.key) }
        self.init(minimumCapacity: pairs.count)
        for pair in pairs {
            let name = document.text(of: pair.key)
            // As Codable's dictionary keys did: a key that reads as an integer is an index in the path.
            let component = Int(name).map(FieldPath.Component.index) ?? .key(name)
            self[name] = try reader.read(pair.value, key: pair.key, at: component) as Value
        }
    }
}

// MARK: Scalars

extension String: NodeDecodable {
    static var isScalar: Bool { true }

    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        self = try reader.string(node)
    }
}

extension Int: NodeDecodable {
    static var isScalar: Bool { true }

    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        guard case .int(let value)? = reader.document.value(of: node) else {
            throw reader.mismatch(node, expected: "an integer", hint: reader.quotedNumberHint(node))
        }
        self = value
    }
}

extension Double: NodeDecodable {
    static var isScalar: Bool { true }

    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        switch reader.document.value(of: node) {
        case .int(let value)?: self = Double(value)
        case .float(let value)? where value.isFinite: self = value
        default: throw reader.mismatch(node, expected: "a number", hint: reader.quotedNumberHint(node))
        }
    }
}

extension Bool: NodeDecodable {
    static var isScalar: Bool { true }

    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        guard case .bool(let value)? = reader.document.value(of: node) else {
            throw reader.mismatch(node, expected: "a boolean (true or false)", hint: reader.booleanHint(node))
        }
        self = value
    }
}

/// Values parsed from a string (cron, times, time zones) and closed sets of strings report their
/// parser's own words, at the node or, for a block collection, at its key.
extension NodeDecodable where Self: StringCodable {
    static var isScalar: Bool { true }

    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        let text = try reader.string(node)
        do {
            self = try Self(parsing: text)
        } catch {
            throw reader.error(at: reader.errorMark(node, key: key), error.message)
        }
    }
}

extension NodeDecodable where Self: WireEnum {
    static var isScalar: Bool { true }

    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        let raw = try reader.string(node, allowingYAML11Booleans: true)
        do {
            self = try Self(parsing: raw)
        } catch {
            throw reader.error(at: reader.errorMark(node, key: key), error.message)
        }
    }
}

extension Quantity: NodeDecodable {
    static var isScalar: Bool { true }

    /// An integer (`cpu: 2`) or a string (`cpu: 500m`), as the API server's int-or-string; a
    /// number with a fraction (`cpu: 0.5`) is refused with a hint (`write 500m`).
    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        let text: String
        switch reader.document.value(of: node) {
        case .int(let value)?: text = String(value)
        case .float(let value)?:
            throw reader.error(at: reader.errorMark(node, key: key), Quantity.fractionMessage(value, written: reader.document.text(of: node)))
        case .string? where !reader.isYAML11Boolean(node): text = reader.document.text(of: node)
        default: throw reader.error(at: reader.errorMark(node, key: key), Quantity.typeMismatch)
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw reader.error(at: reader.errorMark(node, key: key), error.message)
        }
    }
}

extension JSONValue: NodeDecodable {
    /// Free-form, but still strict about what YAML 1.1 tools would read differently.
    init(from node: NodeID, key: NodeID?, in reader: NodeReader) throws(NodeError) {
        let document = reader.document
        switch document.kind(of: node) {
        case .mapping:
            let pairs = document.pairs(of: node).filter { reader.isStringKey($0.key) }
            var values: [String: JSONValue] = [:]
            for pair in pairs {
                let name = document.text(of: pair.key)
                values[name] = try reader.read(pair.value, key: pair.key, at: .key(name)) as JSONValue
            }
            self = .object(values)
        case .sequence:
            var values: [JSONValue] = []
            for (index, item) in document.items(of: node).enumerated() {
                values.append(try reader.read(item, key: nil, at: .index(index)))
            }
            self = .array(values)
        case .scalar:
            switch document.value(of: node) {
            case .null?: self = .null
            case .bool(let value)?: self = .bool(value)
            case .int(let value)?: self = .int(value)
            case .float(let value)? where value.isFinite: self = .double(value)
            default: self = .string(try reader.string(node))
            }
        }
    }
}
