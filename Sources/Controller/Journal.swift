import Foundation
import JSON
import Planner

/// The decision journal: one JSON line per decision (time, action, inputs, verdicts, actor, result),
/// the answer to "why did it (not) scale?". Appended, never rewritten.
public struct Journal: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// `$HMS_JOURNAL`, else `$XDG_STATE_HOME/hms/journal.jsonl`, else `~/.local/state/hms/journal.jsonl`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["HMS_JOURNAL"], !explicit.isEmpty { return explicit }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return state + "/hms/journal.jsonl"
    }

    /// One line of the journal: its members in a fixed order, time first, so that a line reads
    /// as it happened; written straight to bytes, since a large apply journals thousands.
    public typealias Entry = [(name: String, value: JSONValue)]

    public static func entry(_ action: Action, actor: String, result: String, time: String) -> Entry {
        [
            ("time", .string(time)), ("actor", .string(actor)), ("id", .string(action.id)),
            ("verb", .string(action.verb.rawValue)), ("source", json(action.source)), ("target", json(action.target)),
            ("from", .string(action.from)), ("to", .string(action.to)), ("requested", action.requested.map(JSONValue.string) ?? .null),
            ("reason", .string(action.reason)), ("costDeltaUSDPerHour", .double(action.costDeltaUSDPerHour)),
            ("gates", .array(action.gates.map { ["gate": .string($0.gate), "verdict": .string($0.verdict.rawValue), "reason": .string($0.reason)] })),
            ("finalVerdict", .string(action.finalVerdict.rawValue)), ("result", .string(result)),
        ]
    }

    /// An incident: an SLO breached or at risk, on one run of a Directive.
    public static func entry(_ incident: Incident, actor: String, time: String) -> Entry {
        [
            ("time", .string(time)), ("actor", .string(actor)), ("incident", .string(incident.reason.rawValue)),
            ("source", json(incident.source)), ("run", .string(incident.runID)), ("message", .string(incident.message)),
        ]
    }

    private static func json(_ ref: ObjectRef) -> JSONValue {
        ["kind": .string(ref.kind), "namespace": .string(ref.namespace), "name": .string(ref.name)]
    }

    public func append(_ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 512)
        for entry in entries {
            JSONValue.writeObject(entry, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    public func read() throws -> [JSONValue] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONValue(parsing: Array($0)) }
    }
}
