import Controller
import Foundation
import JSON
import Model
import Planner

/// Which journal entries the page lists: `?resource=NAME&verdict=HOLD&since=RFC3339&until=RFC3339`.
public struct JournalFilter: Sendable, Equatable {
    /// Matches the source or target name, or `namespace/name`.
    public var resource: String?
    public var verdict: Verdict?
    public var since: Date?
    public var until: Date?
    public var limit = 100

    public init(resource: String? = nil, verdict: Verdict? = nil, since: Date? = nil, until: Date? = nil) {
        self.resource = resource
        self.verdict = verdict
        self.since = since
        self.until = until
    }

    /// Unknown or malformed parameters are ignored rather than refused: a filter only narrows.
    public init(query: [String: String]) {
        func value(_ key: String) -> String? { query[key].flatMap { $0.isEmpty ? nil : $0 } }
        resource = value("resource")
        verdict = value("verdict").flatMap { Verdict(rawValue: $0.uppercased()) }
        since = value("since").flatMap { RFC3339.date(from: $0) }
        until = value("until").flatMap { RFC3339.date(from: $0) }
    }

    /// Newest first, at most `limit`.
    public func apply(_ entries: [JSONValue]) -> [JSONValue] {
        var kept: [JSONValue] = []
        for entry in entries.reversed() where matches(entry) {
            kept.append(entry)
            if kept.count == limit { break }
        }
        return kept
    }

    func matches(_ entry: JSONValue) -> Bool {
        if let resource {
            let names = ["source", "target"].flatMap { key -> [String] in
                let name = entry[path: [key, "name"]]?.stringValue ?? ""
                return [name, (entry[path: [key, "namespace"]]?.stringValue ?? "") + "/" + name]
            }
            guard names.contains(resource) else { return false }
        }
        if let verdict, entry["finalVerdict"]?.stringValue != verdict.rawValue { return false }
        if since != nil || until != nil {
            let time = entry["time"]?.stringValue.flatMap { RFC3339.date(from: $0) }
            guard let time else { return false }
            if let since, time < since { return false }
            if let until, time > until { return false }
        }
        return true
    }
}

/// The console page: a pure function of the latest pass, the journal and who looks.
public enum Page {
    public static func render(snapshot: PassSnapshot?, journal: [JSONValue], filter: JournalFilter, viewer: Principal, notice: String? = nil) -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>hms-controller · Ops console</title>
            <style>\(style)</style>
            </head>
            <body>
            <header><h1>Ops console</h1>
            <p>Signed in as <strong>\(escape(viewer.user))</strong> (\(viewer.canApprove ? "approver" : "viewer")).
            \(snapshot.map { "Latest reconcile pass: <time id=\"pass\" data-pass=\"\($0.number)\" datetime=\"\(RFC3339.string(from: $0.time))\">\(RFC3339.string(from: $0.time))</time>." } ?? "No reconcile pass has completed yet.")
            <span id="live" aria-live="polite"></span></p>
            </header>
            <main>

            """
        if let notice { html += "<p role=\"status\" class=\"notice\">\(escape(notice))</p>\n" }
        html += services(snapshot)
        html += budgets(snapshot)
        html += held(snapshot, viewer: viewer)
        html += journalSection(journal, filter: filter)
        html += "</main>\n<script>\(script)</script>\n</body>\n</html>\n"
        return html
    }

    // MARK: - Sections

    static func services(_ snapshot: PassSnapshot?) -> String {
        var html = "<section id=\"services\" aria-labelledby=\"services-h\"><h2 id=\"services-h\">Services</h2>\n"
        guard let snapshot, !snapshot.services.isEmpty else { return html + "<p>No ServiceSpecs.</p></section>\n" }
        html += """
            <table><thead><tr><th scope="col">Service</th><th scope="col">Replicas (ready / desired)</th>\
            <th scope="col">Autoscaling: metric current / target</th><th scope="col">Cost per hour</th></tr></thead><tbody>

            """
        for service in snapshot.services.sorted(by: { $0.ref < $1.ref }) {
            let (desired, ready) = replicas(of: service, in: snapshot)
            let rule = snapshot.autoscaleRules.first { $0.ref.namespace == service.ref.namespace && $0.spec.target == service.metadata.name }
            let cost = CostModel.budget(for: service, in: snapshot.budgets).map { Double(desired) * CostModel.replicaHourUSD(service, pricing: $0.spec.pricing) }
            html += "<tr data-service=\"\(escape(service.metadata.name))\"><th scope=\"row\">\(escape(service.ref.namespace))/\(escape(service.metadata.name))</th>"
            html += "<td><span class=\"ready\">\(ready)</span> / <span class=\"desired\">\(desired)</span></td>"
            html += "<td>\(autoscaling(rule))</td>"
            html += "<td class=\"cost\">\(cost.map(usd) ?? "—")</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// Desired: what this pass set, else what the Deployment asks, else the manifest's baseline.
    static func replicas(of service: ServiceSpec, in snapshot: PassSnapshot) -> (desired: Int, ready: Int) {
        let ref = ObjectRef(kind: "Deployment", namespace: service.ref.namespace, name: service.metadata.name)
        let live = snapshot.deployments[ref]
        let acted = snapshot.outcomes.last {
            $0.result == .done && $0.action.target == ref && ($0.action.verb == .scale || $0.action.verb == .deploy)
        }
        let desired = acted.flatMap { Int($0.action.to) } ?? live?.replicas ?? service.spec.replicas ?? 1
        return (desired, live?.readyReplicas ?? 0)
    }

    static func autoscaling(_ rule: AutoscaleRule?) -> String {
        guard let rule else { return "none" }
        let bounds = "\(rule.spec.minReplicas ?? 1)–\(rule.spec.maxReplicas) replicas"
        guard let metrics = rule.status?.currentMetrics, !metrics.isEmpty else { return "\(bounds); no metrics read yet" }
        let items = metrics.map { metric in
            "<span class=\"metric\">\(escape(metric.name)): <span class=\"current\">\(metric.current.map(number) ?? "unknown")</span> / target \(number(metric.target))</span>"
        }
        return items.joined(separator: "<br>") + "<br><small>\(bounds)</small>"
    }

    static func budgets(_ snapshot: PassSnapshot?) -> String {
        var html = "<section id=\"budgets\" aria-labelledby=\"budgets-h\"><h2 id=\"budgets-h\">Budgets</h2>\n"
        guard let snapshot, !snapshot.budgets.isEmpty else { return html + "<p>No Budgets.</p></section>\n" }
        for budget in snapshot.budgets.sorted(by: { $0.ref < $1.ref }) {
            let limit = budget.spec.monthlyLimitUSD
            let spent = budget.status?.spentUSD ?? 0
            let projected = budget.status?.projectedUSD ?? spent
            let label = "\(escape(budget.ref.namespace))/\(escape(budget.metadata.name))"
            let percent = limit > 0 ? Int((projected / limit * 100).rounded()) : 0
            html += """
                <div class="budget" data-budget="\(escape(budget.metadata.name))"><h3>\(label)\(budget.status?.month.map { " · " + escape($0) } ?? "")</h3>
                <p>Spent <span class="spent">\(usd(spent))</span>, projected <span class="projected">\(usd(projected))</span> \
                of <span class="limit">\(usd(limit))</span> (\(percent)%).</p>
                <meter min="0" max="\(limit)" low="\(limit * (budget.spec.softLimitPercent ?? 90) / 100)" high="\(limit)" optimum="0" \
                value="\(min(projected, limit))" aria-label="Projected spend of \(label)">\(percent)%</meter></div>

                """
        }
        return html + "</section>\n"
    }

    static func held(_ snapshot: PassSnapshot?, viewer: Principal) -> String {
        var html = "<section id=\"held\" aria-labelledby=\"held-h\"><h2 id=\"held-h\">Held actions</h2>\n"
        let actions = snapshot?.held ?? []
        guard !actions.isEmpty else { return html + "<p>Nothing waits for an approval.</p></section>\n" }
        html += "<p>Approvals are written as Approval resources and take effect on the next reconcile pass.</p>\n"
        for action in actions {
            html += "<article class=\"action\" data-action=\"\(escape(action.id))\"><h3>\(escape(action.verb.rawValue)) "
            html += "\(escape(action.target.kind)) \(escape(action.target.namespace))/\(escape(action.target.name)): "
            html += "\(escape(action.from)) → \(escape(action.to))</h3>\n"
            html += "<p>\(escape(action.reason)) · cost \(signedUSD(action.costDeltaUSDPerHour)) per hour · <code>\(escape(action.id))</code></p>\n<ul class=\"gates\">"
            for gate in action.gates {
                html += "<li><strong>\(escape(gate.gate))</strong>: <span class=\"verdict \(gate.verdict.rawValue.lowercased())\">\(gate.verdict.rawValue)</span> — \(escape(gate.reason))</li>"
            }
            html += "</ul>\n"
            if viewer.canApprove {
                for (decision, label) in [("approve", "Approve"), ("reject", "Reject")] {
                    html += "<form method=\"post\" action=\"/ops/\(decision)\"><input type=\"hidden\" name=\"id\" value=\"\(escape(action.id))\">"
                    html += "<button type=\"submit\" class=\"\(decision)\">\(label)<span class=\"sr\"> \(escape(action.id))</span></button></form>\n"
                }
            }
            html += "</article>\n"
        }
        return html + "</section>\n"
    }

    static func journalSection(_ journal: [JSONValue], filter: JournalFilter) -> String {
        let verdicts = Verdict.allCases.map { verdict in
            "<option\(filter.verdict == verdict ? " selected" : "")>\(verdict.rawValue)</option>"
        }.joined()
        var html = """
            <section id="journal" aria-labelledby="journal-h"><h2 id="journal-h">Decision journal</h2>
            <form method="get" action="/ops" class="filter">
            <label>Resource <input name="resource" value="\(escape(filter.resource ?? ""))" placeholder="name or namespace/name"></label>
            <label>Verdict <select name="verdict"><option value="">any</option>\(verdicts)</select></label>
            <label>Since <input name="since" value="\(filter.since.map { RFC3339.string(from: $0) } ?? "")" placeholder="2026-01-01T00:00:00Z"></label>
            <label>Until <input name="until" value="\(filter.until.map { RFC3339.string(from: $0) } ?? "")" placeholder="RFC 3339"></label>
            <button type="submit">Filter</button></form>

            """
        let entries = filter.apply(journal)
        guard !entries.isEmpty else { return html + "<p>No matching decisions.</p></section>\n" }
        html += """
            <table><thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Verdict</th>\
            <th scope="col">Result</th><th scope="col">Why</th></tr></thead><tbody>

            """
        for entry in entries {
            let string = { (path: [String]) in escape(entry[path: path]?.stringValue ?? "") }
            // Every gate, ALLOW included: an approval shows up as the reason a held gate now allows.
            let gates = (entry["gates"]?.arrayValue ?? []).map { gate in
                escape("\(gate["gate"]?.stringValue ?? "") \(gate["verdict"]?.stringValue ?? ""): \(gate["reason"]?.stringValue ?? "")")
            }
            html += "<tr><td>\(string(["time"]))</td><td>\(string(["verb"])) \(string(["target", "kind"])) "
            html += "\(string(["target", "namespace"]))/\(string(["target", "name"])) \(string(["from"])) → \(string(["to"]))</td>"
            html += "<td>\(string(["finalVerdict"]))</td><td>\(string(["result"]))</td>"
            html += "<td>\(string(["reason"]))\(gates.isEmpty ? "" : "<br>" + gates.joined(separator: "<br>"))</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    // MARK: - Formatting

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func usd(_ value: Double) -> String { "$" + String(format: "%.2f", value) }
    static func signedUSD(_ value: Double) -> String { (value >= 0 ? "+" : "−") + usd(abs(value)) }
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2f", value)
    }

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1b1b1b}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
        meter{width:100%;height:1.5rem}.verdict.hold{color:#8a4b00;font-weight:bold}.verdict.deny{color:#b50909;font-weight:bold}
        form{display:inline-block;margin:.2rem}button{font:inherit;padding:.3rem .9rem}button.approve{background:#00a91c;color:#fff;border:0}
        button.reject{background:#b50909;color:#fff;border:0}.sr{position:absolute;left:-9999px}.filter label{margin-right:1rem}
        .notice{background:#e7f6f8;padding:.5rem}:focus{outline:3px solid #2491ff}
        """

    /// Live updates: one server-sent event per reconcile pass; the page reloads its sections in place.
    /// Without JavaScript the page is complete, only not live.
    static let script = """
        (function(){if(!window.EventSource)return;var es=new EventSource('/ops/events'+location.search);
        es.addEventListener('pass',function(e){fetch(location.pathname+location.search,{credentials:'same-origin'})
        .then(function(r){return r.ok?r.text():null}).then(function(t){if(!t)return;
        var d=new DOMParser().parseFromString(t,'text/html');['services','budgets','held','journal'].forEach(function(id){
        var n=document.getElementById(id),m=d.getElementById(id);if(!n||!m)return;
        if((id==='held'||id==='journal')&&n.contains(document.activeElement))return;n.replaceWith(m)});
        var p=document.getElementById('pass'),q=d.getElementById('pass');if(p&&q)p.replaceWith(q);
        document.getElementById('live').textContent='Updated.'})});})();
        """
}
