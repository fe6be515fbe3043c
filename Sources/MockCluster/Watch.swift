import Foundation
import JSON

/// An open watch: what it follows and how far it has read. The shell writes `initial`, then calls
/// `MockCluster.poll(_:now:)` whenever the cluster changed, until the watch ends.
public struct Watch: Sendable {
    let type: ResourceType
    let namespace: String?
    let labels: LabelSelector
    let fields: FieldSelector
    let asTable: Bool
    let includeObject: String?
    let bookmarks: Bool
    /// The last resourceVersion this watch has seen.
    public internal(set) var resourceVersion: Int
    /// Events to write before any change: the synthetic ADDED events of a fresh watch, or a 410.
    public internal(set) var initial: [UInt8] = []
    /// True when the watch is over after `initial` (it carried an error).
    public internal(set) var endsAfterInitial = false
    /// `timeoutSeconds`: the shell closes the stream after this long.
    public let timeoutSeconds: Double?
    var sentTableHeaders = false
    var lastBookmark = Date.distantPast

    func matches(_ object: StoredObject) -> Bool {
        (namespace == nil || object.value[path: ["metadata", "namespace"]]?.stringValue == namespace)
            && labels.matches(object.labels) && fields.matches(object.value)
    }
}

extension MockCluster {
    func watch(_ route: ResourceRoute, _ request: APIRequest, now: Date) throws(APIError) -> APIResponse {
        let namespace = route.type.namespaced ? route.namespace : nil
        var watch = Watch(
            type: route.type, namespace: namespace,
            labels: try LabelSelector(parsing: request.query["labelSelector"] ?? ""),
            fields: try FieldSelector(parsing: request.query["fieldSelector"] ?? ""),
            asTable: request.wantsTable, includeObject: request.query["includeObject"],
            bookmarks: request.flag("allowWatchBookmarks"), resourceVersion: store.resourceVersion,
            timeoutSeconds: request.query["timeoutSeconds"].flatMap(Double.init))
        var initial: [UInt8] = []
        var ends = false
        let requested = request.query["resourceVersion"] ?? ""
        if requested.isEmpty || requested == "0" || request.flag("sendInitialEvents") {
            // A fresh watch starts with every current object as ADDED.
            for object in store.list(route.type.id, namespace: namespace) where watch.matches(object) {
                initial += eventLine(&watch, "ADDED", object, now: now)
            }
            if request.flag("sendInitialEvents") {
                initial += bookmarkLine(watch, annotations: ["k8s.io/initial-events-end": "true"])
            }
        } else if let version = Int(requested) {
            if let changes = store.changes(after: version) {
                for change in changes where change.typeID == route.type.id && watch.matches(change.object) {
                    initial += eventLine(&watch, change.kind.rawValue, change.object, now: now)
                }
            } else {
                initial += Self.errorLine(.expired(version, store.oldestResumable))
                ends = true
            }
        } else {
            throw .badRequest("invalid resource version: \(requested)")
        }
        watch.initial = initial
        watch.endsAfterInitial = ends
        watch.resourceVersion = store.resourceVersion
        return APIResponse(status: 200, body: .watch(watch))
    }

    /// The events a watch has not seen yet, as lines to write; `ended` when it cannot go on (its
    /// position fell out of the history: it gets a 410 and must relist).
    public func poll(_ watch: inout Watch, now: Date) -> (lines: [UInt8], ended: Bool) {
        guard store.resourceVersion > watch.resourceVersion else { return ([], false) }
        guard let changes = store.changes(after: watch.resourceVersion) else {
            return (Self.errorLine(.expired(watch.resourceVersion, store.oldestResumable)), true)
        }
        var lines: [UInt8] = []
        for change in changes where change.typeID == watch.type.id && watch.matches(change.object) {
            lines += eventLine(&watch, change.kind.rawValue, change.object, now: now)
        }
        watch.resourceVersion = store.resourceVersion
        // Quiet watches learn the current version from a bookmark, at most once a second.
        if lines.isEmpty, watch.bookmarks, now.timeIntervalSince(watch.lastBookmark) >= 1 {
            lines = bookmarkLine(watch, annotations: nil)
            watch.lastBookmark = now
        }
        return (lines, false)
    }

    private func eventLine(_ watch: inout Watch, _ type: String, _ object: StoredObject, now: Date) -> [UInt8] {
        var line = Array(#"{"type":""#.utf8) + Array(type.utf8) + Array(#"","object":"#.utf8)
        if watch.asTable {
            Tables.table(for: [object.value], type: watch.type, resourceVersion: object.resourceVersion,
                         includeObject: watch.includeObject, now: now, withHeaders: !watch.sentTableHeaders).write(to: &line)
            watch.sentTableHeaders = true
        } else {
            line += object.bytes
        }
        line += Array("}\n".utf8)
        return line
    }

    private func bookmarkLine(_ watch: Watch, annotations: JSONValue?) -> [UInt8] {
        var metadata: JSONValue = ["resourceVersion": .string(String(store.resourceVersion))]
        if let annotations { metadata["annotations"] = annotations }
        let event: JSONValue = [
            "type": "BOOKMARK",
            "object": ["kind": .string(watch.type.kind), "apiVersion": .string(watch.type.apiVersion), "metadata": metadata],
        ]
        return event.jsonBytes + [UInt8(ascii: "\n")]
    }

    static func errorLine(_ error: APIError) -> [UInt8] {
        JSONValue.object(["type": "ERROR", "object": error.status]).jsonBytes + [UInt8(ascii: "\n")]
    }
}
