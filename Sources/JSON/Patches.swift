/// A patch that cannot be applied to its target, worded for a Status message.
public struct PatchError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONValue {
    /// RFC 7386 JSON merge patch: objects merge member by member, `null` removes a member, anything
    /// else (arrays included) replaces.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members = objectValue ?? [:]
        for (key, change) in changes {
            if change == .null {
                members[key] = nil
            } else {
                members[key] = (members[key] ?? .null).applyingMergePatch(change)
            }
        }
        return .object(members)
    }

    /// RFC 6902 JSON patch: a list of operations applied in order; any failure rejects the whole patch.
    public func applyingJSONPatch(_ patch: JSONValue) throws(PatchError) -> JSONValue {
        guard case .array(let operations) = patch else { throw PatchError("a JSON patch must be a list of operations") }
        var document = self
        for operation in operations {
            guard let op = operation["op"]?.stringValue else { throw PatchError("a JSON patch operation needs \"op\"") }
            guard let pathText = operation["path"]?.stringValue else {
                throw PatchError("the \(op) operation needs \"path\"")
            }
            let path = try JSONPointer(pathText)
            switch op {
            case "add":
                try document.insert(try Self.operand(operation, op), at: path, replacing: false)
            case "replace":
                _ = try document.remove(at: path)
                try document.insert(try Self.operand(operation, op), at: path, replacing: false)
            case "remove":
                _ = try document.remove(at: path)
            case "move", "copy":
                guard let fromText = operation["from"]?.stringValue else { throw PatchError("the \(op) operation needs \"from\"") }
                let from = try JSONPointer(fromText)
                let value = op == "move" ? try document.remove(at: from) : try document.value(at: from)
                try document.insert(value, at: path, replacing: false)
            case "test":
                let expected = try Self.operand(operation, op)
                guard try document.value(at: path) == expected else { throw PatchError("test operation failed at \(pathText)") }
            default:
                throw PatchError("unknown JSON patch operation \"\(op)\"")
            }
        }
        return document
    }

    private static func operand(_ operation: JSONValue, _ op: String) throws(PatchError) -> JSONValue {
        guard let value = operation["value"] else { throw PatchError("the \(op) operation needs \"value\"") }
        return value
    }

    func value(at pointer: JSONPointer) throws(PatchError) -> JSONValue {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw PatchError("path \(pointer) not found") }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { throw PatchError("path \(pointer) not found") }
                current = items[index]
            default:
                throw PatchError("path \(pointer) not found")
            }
        }
        return current
    }

    mutating func remove(at pointer: JSONPointer) throws(PatchError) -> JSONValue {
        guard let last = pointer.tokens.last else {
            let removed = self
            self = .null
            return removed
        }
        return try modifyParent(of: pointer) { parent throws(PatchError) in
            switch parent {
            case .object(var members):
                guard let removed = members.removeValue(forKey: last) else { throw PatchError("path \(pointer) not found") }
                parent = .object(members)
                return removed
            case .array(var items):
                guard let index = Int(last), items.indices.contains(index) else { throw PatchError("path \(pointer) not found") }
                let removed = items.remove(at: index)
                parent = .array(items)
                return removed
            default:
                throw PatchError("path \(pointer) not found")
            }
        }
    }

    mutating func insert(_ value: JSONValue, at pointer: JSONPointer, replacing: Bool) throws(PatchError) {
        guard let last = pointer.tokens.last else {
            self = value
            return
        }
        _ = try modifyParent(of: pointer) { parent throws(PatchError) in
            switch parent {
            case .object(var members):
                members[last] = value
                parent = .object(members)
            case .array(var items):
                if last == "-" {
                    items.append(value)
                } else {
                    guard let index = Int(last), (0...items.count).contains(index) else {
                        throw PatchError("index \(last) out of range at \(pointer)")
                    }
                    items.insert(value, at: index)
                }
                parent = .array(items)
            default:
                throw PatchError("cannot add a member at \(pointer): its parent is not an object or a list")
            }
            return .null
        }
    }

    /// Runs `change` on the container that holds the last token of `pointer`.
    private mutating func modifyParent(
        of pointer: JSONPointer, _ change: (inout JSONValue) throws(PatchError) -> JSONValue
    ) throws(PatchError) -> JSONValue {
        try modify(tokens: pointer.tokens.dropLast()[...], pointer: pointer, change)
    }

    private mutating func modify(
        tokens: ArraySlice<String>, pointer: JSONPointer, _ change: (inout JSONValue) throws(PatchError) -> JSONValue
    ) throws(PatchError) -> JSONValue {
        guard let token = tokens.first else { return try change(&self) }
        switch self {
        case .object(var members):
            guard var child = members[token] else { throw PatchError("path \(pointer) not found") }
            let result = try child.modify(tokens: tokens.dropFirst(), pointer: pointer, change)
            members[token] = child
            self = .object(members)
            return result
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else { throw PatchError("path \(pointer) not found") }
            let result = try items[index].modify(tokens: tokens.dropFirst(), pointer: pointer, change)
            self = .array(items)
            return result
        default:
            throw PatchError("path \(pointer) not found")
        }
    }
}

/// RFC 6901 JSON pointer, e.g. `/metadata/labels/app.kubernetes.io~1name`.
public struct JSONPointer: Equatable, CustomStringConvertible {
    public var tokens: [String]
    public let description: String

    public init(_ text: String) throws(PatchError) {
        description = text
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw PatchError("a JSON pointer starts with '/': \(text)") }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { token in
            token.split(separator: "~1", omittingEmptySubsequences: false).joined(separator: "/")
                .split(separator: "~0", omittingEmptySubsequences: false).joined(separator: "~")
        }
    }
}
