import JSON

/// The journal's lines, as the core decides them: each decision with its result, the intent
/// written before an action is sent, each incident. The shell's `Journal` appends them.
public enum JournalLine {
    /// One line of the journal: its members in a fixed order, time first, so that a line reads
    /// as it happened; written straight to bytes, since a large apply journals thousands.
    public typealias Members = [(name: String, value: JSONValue)]

    public static func decision(_ action: Action, actor: String, result: String, time: String) -> Members {
        decisionMembers(action, actor: actor, verbKey: "verb", time: time) + [("result", .string(result))]
    }

    /// The intent to carry out an action: the decision without its result, the verb under `intent`.
    public static func intent(_ action: Action, actor: String, time: String) -> Members {
        decisionMembers(action, actor: actor, verbKey: "intent", time: time)
    }

    private static func decisionMembers(_ action: Action, actor: String, verbKey: String, time: String) -> Members {
        [
            ("time", .string(time)), ("actor", .string(actor)), ("id", .string(action.id)),
            (verbKey, .string(action.verb.rawValue)), ("source", action.source.json), ("target", action.target.json),
            ("from", .string(action.change.fromText)), ("to", .string(action.change.toText)),
            ("requested", action.change.requestedText.map(JSONValue.string) ?? .null),
            ("reason", .string(action.reason)), ("costDeltaUSDPerHour", .double(action.costDeltaUSDPerHour)),
            ("gates", .array(action.gates.map(\.json))),
            ("finalVerdict", .string(action.finalVerdict.rawValue)),
        ]
    }

    /// An incident: an SLO breached or at risk, on one run of a Directive.
    public static func incident(_ incident: Incident, actor: String, time: String) -> Members {
        [
            ("time", .string(time)), ("actor", .string(actor)), ("incident", .string(incident.reason.rawValue)),
            ("source", incident.source.json), ("run", .string(incident.runID)), ("message", .string(incident.message)),
        ]
    }
}
