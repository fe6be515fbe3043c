import Foundation
import JSON

/// The plan as people read it (Terraform-like blocks) and as programs read it (`hmsctl plan -o json`).
extension Plan {
    public static let noChanges = "No changes. The cluster matches the manifests."

    public func text(colored: Bool = false) -> String {
        guard !actions.isEmpty else { return Self.noChanges + "\n" + remarks.map { $0 + "\n" }.joined() }
        let paint = Paint(enabled: colored)
        // One string written in place: a plan of thousands of actions is tens of thousands of lines.
        var text = ""
        text.reserveCapacity(actions.count * 320)
        func field(_ label: String, _ value: String) {
            text += "    "
            text += label
            text += ":"
            if label.count < 11 { text += String(repeating: " ", count: 11 - label.count) }
            text += value
            text += "\n"
        }
        for action in actions {
            text += paint.symbol(action.verb)
            text += " \(action.verb.rawValue) \(action.target.kind) \(action.target.namespace)/\(action.target.name)"
            if action.source != action.target { text += " (\(action.source.kind) \(action.source.name))" }
            text += "\n"
            let asked = action.change.requestedText.map { " (asked for \($0))" } ?? ""
            field(action.change.changeLabel, "\(action.change.fromText) → \(action.change.toText)\(asked)")
            field("reason", action.reason)
            for drift in action.change.drift { field("drift", drift.text) }
            if action.costDeltaUSDPerHour != 0 {
                field("cost", "\(action.costDeltaUSDPerHour > 0 ? "+" : "")\(usd(action.costDeltaUSDPerHour))/h")
            }
            for gate in action.gates {
                field(gate.gate, paint.verdict(gate.verdict) + " " + gate.reason)
            }
            field("id", action.id)
            text += "\n"
        }
        for remark in remarks { text += remark + "\n" }
        if !remarks.isEmpty { text += "\n" }
        text += summaryLine + "\n" + gatesLine + "\n"
        return text
    }

    /// Incidents (`!`) and what the Directives' schedules left out (`#`), one line each.
    public var remarks: [String] {
        directives.flatMap { report in
            report.incidents.map { "! \($0.reason.rawValue) Directive \($0.source.namespace)/\($0.source.name): \($0.message)" }
                + report.notes.map { "# Directive \(report.directive.namespace)/\(report.directive.name): \($0)" }
        }
    }

    public var summaryLine: String {
        let updates = count(.update) > 0 ? ", \(count(.update)) to update" : ""
        return "Plan: \(count(.deploy)) to deploy\(updates), \(count(.scale)) to scale, \(count(.restart)) to restart, "
            + "\(count(.delete)) to delete, \(count(.startJob)) jobs to start."
    }

    public var gatesLine: String {
        "Gates: \(count(.allow)) allowed, \(count(.clamp)) clamped, \(count(.hold)) held for approval, "
            + "\(count(.defer)) deferred, \(count(.deny)) denied."
    }

    public var json: JSONValue {
        [
            "actions": .array(actions.map { action in
                var object: JSONValue = [
                    "id": .string(action.id), "kind": .string(action.source.kind.name),
                    "source": action.source.json, "target": action.target.json,
                    "verb": .string(action.verb.rawValue), "from": .string(action.change.fromText), "to": .string(action.change.toText),
                    "reason": .string(action.reason), "costDeltaUSDPerHour": .double((action.costDeltaUSDPerHour * 10_000).rounded() / 10_000),
                    "gates": .array(action.gates.map(\.json)), "finalVerdict": .string(action.finalVerdict.rawValue),
                ]
                if let requested = action.change.requestedText { object["requested"] = .string(requested) }
                let drift = action.change.drift
                if !drift.isEmpty {
                    object["drift"] = .array(drift.map { ["path": .string($0.path), "manager": .string($0.manager)] })
                }
                return object
            }),
            "incidents": .array(incidents.map { incident in
                [
                    "reason": .string(incident.reason.rawValue), "run": .string(incident.runID), "message": .string(incident.message),
                    "source": incident.source.json,
                ]
            }),
            // What a Directive's schedule left out, as the text's `#` lines (catch-up skipping runs).
            "notes": .array(directives.flatMap { report in
                report.notes.map { note in
                    [
                        "source": report.directive.json,
                        "message": .string(note),
                    ]
                }
            }),
            "summary": [
                "deploy": .int(count(.deploy)), "update": .int(count(.update)), "scale": .int(count(.scale)),
                "restart": .int(count(.restart)), "delete": .int(count(.delete)), "startJob": .int(count(.startJob)),
                "allowed": .int(count(.allow)), "clamped": .int(count(.clamp)), "held": .int(count(.hold)),
                "deferred": .int(count(.defer)), "denied": .int(count(.deny)),
            ],
        ]
    }
}

extension Action.Verb {
    var changeLabel: String {
        switch self {
        case .deploy, .scale, .delete: "replicas"
        case .update: "image"
        case .restart: "restart"
        case .startJob: "job"
        }
    }
}

extension Change {
    /// What the plan names before the arrow: a Service's port, else what the verb changes.
    var changeLabel: String {
        switch self {
        case .exposeService, .updateService: "port"
        default: verb.changeLabel
        }
    }
}

/// ANSI colours, on a terminal only.
struct Paint {
    let enabled: Bool

    func wrap(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func symbol(_ verb: Action.Verb) -> String {
        switch verb {
        case .deploy: wrap(verb.symbol, "32")
        case .update, .scale: wrap(verb.symbol, "33")
        case .delete: wrap(verb.symbol, "31")
        case .restart: wrap(verb.symbol, "36")
        case .startJob: wrap(verb.symbol, "34")
        }
    }

    func verdict(_ verdict: Verdict) -> String {
        let text = verdict.rawValue.padding(5)
        switch verdict {
        case .allow: return wrap(text, "32")
        case .clamp: return wrap(text, "33")
        case .hold: return wrap(text, "35")
        case .defer: return wrap(text, "36")
        case .deny: return wrap(text, "31")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

extension ObjectRef {
    /// `{"kind", "namespace", "name"}`, as plans, the journal and the console write a reference.
    public var json: JSONValue { ["kind": .string(kind.name), "namespace": .string(namespace), "name": .string(name)] }
}

extension GateVerdict {
    /// `{"gate", "verdict", "reason"}`, as plans and the journal write a gate's verdict.
    public var json: JSONValue { ["gate": .string(gate), "verdict": .string(verdict.rawValue), "reason": .string(reason)] }
}
