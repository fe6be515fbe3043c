import Controller
import Planner

extension Page {
    /// What the live workloads run that their ServiceSpecs do not declare, as the governance gate
    /// reported it on the latest pass: each finding with the gate's reasons. The controller does not
    /// remove these (they are other managers' fields); a person does, or declares them.
    static func findings(_ snapshot: PassSnapshot?) -> String {
        var html = "<section id=\"findings\" aria-labelledby=\"findings-h\"><h2 id=\"findings-h\">Findings on the live state</h2>\n"
        let found = (snapshot?.plan.actions ?? []).filter { if case .foreignContainers = $0.change { true } else { false } }
        guard !found.isEmpty else { return html + "<p>Every managed workload runs only what its ServiceSpec declares.</p></section>\n" }
        for action in found {
            html += "<article class=\"finding\" data-action=\"\(escape(action.id))\"><h3>\(escape(action.target.kind.name)) "
            html += "\(escape(action.target.namespace))/\(escape(action.target.name)): \(escape(action.change.fromText))</h3>\n<ul class=\"gates\">"
            for gate in action.gates where gate.verdict == .deny {
                html += "<li><span class=\"verdict deny\">DENY</span> — \(escape(gate.reason))</li>"
            }
            html += "</ul></article>\n"
        }
        return html + "</section>\n"
    }
}
