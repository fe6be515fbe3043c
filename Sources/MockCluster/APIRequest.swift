import JSON

/// One HTTP request to the cluster, as a value: the server shell builds it, the core answers it.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits `path?query` the way a URL parser would, percent-decoding the query.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let parts = target.split(byte: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(byte: UInt8(ascii: "&")) {
                let keyValue = pair.split(byte: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                let key = percentDecoded(keyValue[0])
                query[key] = keyValue.count == 2 ? percentDecoded(keyValue[1]) : ""
            }
        }
        self.init(method: method, path: percentDecoded(parts[0], plusIsSpace: false), query: query, headers: headers, body: body)
    }

    var accept: String { headers["accept"] ?? "" }
    var contentType: String { headers["content-type"] ?? "" }
    var userAgent: String { headers["user-agent"] ?? "" }
    var isDryRun: Bool { query["dryRun"] == "All" }

    /// Go's strconv.ParseBool, which the apiserver uses for flags such as `watch`.
    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return ["1", "t", "T", "true", "TRUE", "True"].contains(value)
    }

    var target: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.keys.sorted().map { "\($0)=\(query[$0] ?? "")" }.joined(separator: "&")
    }
}

func percentDecoded(_ text: Substring, plusIsSpace: Bool = true) -> String {
    guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return String(text) }
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.popFirst() {
        if byte == UInt8(ascii: "%"), utf8.count >= 2,
            let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        } else if byte == UInt8(ascii: "+"), plusIsSpace {
            bytes.append(UInt8(ascii: " "))
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The answer to one request.
public struct APIResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A body written piece after piece: a list is its items' stored bytes between a header and
        /// a trailer, so it is never encoded or copied into one array (10,000 Deployments are 19 MB).
        case parts([[UInt8]])
        /// A watch: the shell writes `initial`, then follows the cluster's changes through `watch`.
        case watch(Watch)
        /// Injected fault: the shell drops the connection without answering.
        case connectionReset
    }

    public var status: Int
    public var contentType: String
    public var body: Body
    /// Injected latency: the shell waits this long before answering.
    public var delaySeconds: Double = 0
    /// `Warning: 299 - "..."` headers (unknown fields under fieldValidation=Warn, admission policies with the Warn action).
    public var warnings: [String] = []

    public init(status: Int, contentType: String = "application/json", body: Body) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static func json(_ value: JSONValue, status: Int = 200, contentType: String = "application/json") -> APIResponse {
        APIResponse(status: status, contentType: contentType, body: .bytes(value.jsonBytes))
    }

    static func text(_ text: String, status: Int = 200) -> APIResponse {
        APIResponse(status: status, contentType: "text/plain", body: .bytes(Array(text.utf8)))
    }

    public var bodyBytes: [UInt8] {
        switch body {
        case .bytes(let bytes): bytes
        case .parts(let parts): Array(parts.joined())
        case .watch, .connectionReset: []
        }
    }
}
