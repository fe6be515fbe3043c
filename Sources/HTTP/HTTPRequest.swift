/// An HTTP method. A struct rather than an enum so that any verb a server speaks can be sent.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")

    public var description: String { rawValue }
}

/// Header fields in the order they were added. Names compare without regard to case; values that
/// carry credentials are never printed.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of a field.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Sets a field to one value, removing any others of that name.
    public mutating func replace(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Names whose values are secrets: printed as `<redacted>`.
    static let sensitiveNames = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    public var description: String {
        fields.map { field in
            let secret = Self.sensitiveNames.contains { field.name.caseInsensitiveEquals($0) }
            return "\(field.name): \(secret ? "<redacted>" : field.value)"
        }.joined(separator: "\n")
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) }
    }
}

/// A request as a value: what to send, where, and how long it may take.
public struct HTTPRequest: Sendable, Equatable, CustomStringConvertible {
    public var method: HTTPMethod
    /// An absolute URL, query included.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// The whole exchange, connecting included, must finish within this; nil: no limit (a watch).
    public var timeout: Duration?
    /// Whether sending it twice does no more than sending it once. libcurl sends a request again,
    /// on a new connection, when a reused one closes before any answer: harmless for these, but
    /// the server may have acted on the first copy, so any other request goes on a connection of
    /// its own, where libcurl does not do that. By default, from the method (RFC 9110).
    public var isIdempotent: Bool

    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, timeout: Duration? = .seconds(30), isIdempotent: Bool? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.isIdempotent = isIdempotent ?? [.get, .head, .put, .delete].contains(method)
    }

    /// Method and URL only: headers may hold credentials.
    public var description: String { "\(method) \(url)" }
}

/// A complete response, its body read to the end.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
