import Foundation
import JSON

/// One kind of object the cluster serves: where it lives in the API, and how `kubectl get` prints it.
struct ResourceType: Sendable {
    var group: String
    var version: String
    var kind: String
    var plural: String
    var singular: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    var subresources: [String] = []
    var verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    /// Columns after NAME (kubectl adds NAMESPACE itself for `-A`).
    var columns: [Column] = [.age]
    /// Built-in types accept strategic merge patches; custom resources answer 415.
    var isBuiltIn = true
    /// Read-only APIs (metrics) are served by their own handlers, not the store.
    var isStored = true
    /// DELETE answers with the object (the apiserver's `ReturnDeletedObject`, or an object that
    /// waits for finalizers); for every other type it answers with a `Status` of `Success`.
    var returnsDeletedObject = false
    /// A custom resource's schema, parsed from its definition (nil for built-in types).
    var schema: CustomResourceSchema?

    /// Reviews: a POST answers them, nothing is kept.
    var isCreateOnly: Bool { !isStored && verbs == ["create"] }

    /// The store's key for this type: `apps/deployments`, `/pods`.
    var id: String { "\(group)/\(plural)" }
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }
    var listKind: String { kind + "List" }
    var basePath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    func details(_ name: String) -> JSONValue {
        ["name": .string(name), "group": .string(group), "kind": .string(plural)]
    }

    func path(namespace: String?, name: String) -> String {
        if let namespace, namespaced { "\(basePath)/namespaces/\(namespace)/\(plural)/\(name)" } else { "\(basePath)/\(plural)/\(name)" }
    }
}

/// A column of a server-side printed Table.
struct Column: Sendable {
    var name: String
    var type = "string"
    var format = ""
    var description = ""
    var priority = 0
    var cell: @Sendable (_ object: JSONValue, _ now: Date) -> JSONValue

    static let age = Column(name: "Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created.") { object, now in
        .string(humanAge(object[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now))
    }

    static func path(_ name: String, _ path: String, type: String = "string", priority: Int = 0) -> Column {
        let keys = path.split(separator: ".").map(String.init)
        return Column(name: name, type: type, priority: priority) { object, _ in object[path: keys] ?? .null }
    }

    var definition: JSONValue {
        ["name": .string(name), "type": .string(type), "format": .string(format), "description": .string(description), "priority": .int(priority)]
    }
}

/// How long ago, the way kubectl's AGE column says it (apimachinery's `HumanDuration`).
func humanAge(_ timestamp: String?, now: Date) -> String {
    guard let timestamp, let date = parseTimestamp(timestamp) else { return "<unknown>" }
    return humanDuration(now.timeIntervalSince(date))
}

func humanDuration(_ interval: TimeInterval) -> String {
    let seconds = Int(interval.rounded(.down))
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 120 { return "\(seconds)s" }
    let minutes = seconds / 60
    if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
    if minutes < 180 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 {
        let days = hours / 24 % 365
        return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
    }
    return "\(hours / 24 / 365)y"
}

// MARK: - Timestamps

/// `metav1.Time`: RFC 3339 in whole seconds, UTC.
func timestamp(_ date: Date) -> String {
    UTCTime.string(wholeSecondsOf: date)
}

/// `metav1.MicroTime`: exactly six fractional digits, or typed Go clients refuse it.
func microTimestamp(_ date: Date) -> String {
    UTCTime.microString(of: date)
}

/// A client's `metav1.MicroTime` as the apiserver reads and writes it back. It parses with Go's
/// layout `2006-01-02T15:04:05.000000Z07:00` (exactly six fractional digits, then `Z` or `±hh:mm`;
/// anything else is a 400) and stores UTC. The Python client sends `isoformat()`, which writes
/// `+00:00` and drops the fraction at whole seconds.
func canonicalMicroTimestamp(_ text: String) -> String? {
    let bytes = Array(text.utf8)
    let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    guard bytes.count >= 27, bytes[19] == UInt8(ascii: "."), bytes[20..<26].allSatisfy(isDigit) else { return nil }
    let zone = bytes[26...]
    let isOffset = zone.count == 6 && (zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-"))
        && zone[zone.startIndex + 3] == UInt8(ascii: ":")
    guard Array(zone) == [UInt8(ascii: "Z")] || isOffset,
        let date = parseTimestamp(String(decoding: bytes[..<19] + zone, as: UTF8.self))
    else { return nil }
    // The fraction is copied, not converted: a Double would round it.
    return String(timestamp(date).dropLast()) + "." + String(decoding: bytes[20..<26], as: UTF8.self) + "Z"
}

func parseTimestamp(_ text: String) -> Date? {
    UTCTime.date(rfc3339: text)
}
