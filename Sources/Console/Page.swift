import Controller
import Foundation
import JSON
import Model
import Planner

/// Which journal entries the page lists: `?resource=NAME&verdict=HOLD&since=TIME&until=TIME`.
/// `verdict=INCIDENT` lists the Directives' incidents (SLOBreached, SLOAtRisk).
public struct JournalFilter: Sendable, Equatable {
    /// Part of `namespace/name` of the source or the target, any case; `ns/` names a namespace.
    public var resource: String?
    public var verdict: Verdict?
    public var incidentsOnly = false
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
    /// Times are RFC 3339, `2026-11-26T08:00` or `2026-11-26` (UTC, as a date-time field sends
    /// them), or a while ago: `30m`, `6h`, `7d`.
    public init(query: [String: String], now: Date) {
        func value(_ key: String) -> String? { query[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        resource = value("resource")
        if value("verdict")?.uppercased() == "INCIDENT" {
            incidentsOnly = true
        } else {
            verdict = value("verdict").flatMap { Verdict(rawValue: $0.uppercased()) }
        }
        since = value("since").flatMap { Self.time($0, now: now) }
        until = value("until").flatMap { Self.time($0, now: now) }
    }

    static func time(_ text: String, now: Date) -> Date? {
        if let date = RFC3339.date(from: text) { return date }
        if let date = RFC3339.date(from: text + ":00Z") ?? RFC3339.date(from: text + "T00:00:00Z") { return date }
        guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 else { return nil }
        let seconds: Double? =
            switch unit {
            case "m": 60
            case "h": 3600
            case "d": 86400
            default: nil
            }
        return seconds.map { now.addingTimeInterval(-amount * $0) }
    }

    /// Newest first, at most `limit`; `matching` counts all that matched.
    public func apply(_ entries: [JSONValue]) -> [JSONValue] { select(entries).shown }

    func select(_ entries: [JSONValue]) -> (shown: [JSONValue], matching: Int) {
        var kept: [JSONValue] = []
        var matching = 0
        for entry in entries.reversed() where matches(entry) {
            matching += 1
            if kept.count < limit { kept.append(entry) }
        }
        return (kept, matching)
    }

    func matches(_ entry: JSONValue) -> Bool {
        let isIncident = entry["incident"] != nil
        if incidentsOnly, !isIncident { return false }
        if let resource {
            let wanted = resource.lowercased()
            let names = ["source", "target"].flatMap { key -> [String] in
                guard let name = entry[path: [key, "name"]]?.stringValue else { return [] }
                return [name, (entry[path: [key, "namespace"]]?.stringValue ?? "") + "/" + name]
            }
            guard names.contains(where: { $0.lowercased().contains(wanted) }) else { return false }
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
    /// `csrfToken`: the session's, when the viewer signed in with the form (every form then
    /// carries it, and the page offers to sign out); nil for a bearer-token client.
    public static func render(snapshot: PassSnapshot?, journal: JournalTail, filter: JournalFilter, viewer: Principal, notice: String? = nil,
                              csrfToken: String? = nil) -> String {
        var html = head(title: "Ops console") + """
            <header><h1>Ops console</h1>
            <p>Signed in as <strong>\(escape(viewer.user))</strong> (\(role(of: viewer))).
            \(snapshot.map { "Latest reconcile pass: <time id=\"pass\" data-pass=\"\($0.number)\" datetime=\"\(RFC3339.string(from: $0.time))\">\(RFC3339.string(from: $0.time))</time>." } ?? "No reconcile pass has completed yet.")
            <span id="live" aria-live="polite"></span></p>\(csrfToken.map(signOut) ?? "")
            </header>
            <main>

            """
        if let notice { html += "<p role=\"status\" class=\"notice\">\(escape(notice))</p>\n" }
        html += services(snapshot)
        html += budgets(snapshot)
        html += directives(snapshot, journal: journal.entries)
        html += held(snapshot, viewer: viewer, csrfToken: csrfToken)
        html += findings(snapshot)
        html += journalSection(journal, filter: filter)
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    static func head(title: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>hms-controller · \(title)</title>
        <link rel="stylesheet" href="\(Assets.stylePath)">
        <script src="\(Assets.scriptPath)" defer></script>
        </head>
        <body>

        """
    }

    /// The sign-in page: the token goes in a POST body, never in a URL (history, proxies' logs).
    public static func signIn(message: String? = nil) -> String {
        var html = head(title: "Sign in") + "<main><h1>Ops console</h1>\n"
        if let message { html += "<p role=\"alert\" class=\"notice\">\(escape(message))</p>\n" }
        html += """
            <form method="post" action="/ops/login" class="sign-in">
            <label>Token <input type="password" name="token" autocomplete="off" required></label>
            <button type="submit">Sign in</button>
            </form>
            <p><small>A Kubernetes bearer token (for example from <code>kubectl create token</code>), or one from the console's token file.</small></p>
            </main>
            </body>
            </html>

            """
        return html
    }

    static func csrfField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(token))\">"
    }

    static func signOut(_ csrfToken: String) -> String {
        "<form method=\"post\" action=\"/ops/logout\" class=\"sign-out\">\(csrfField(csrfToken))<button type=\"submit\">Sign out</button></form>"
    }

    static func role(of viewer: Principal) -> String {
        if viewer.canApprove { return "approver" }
        guard !viewer.approvesIn.isEmpty else { return "viewer" }
        return "approver in " + viewer.approvesIn.sorted().map(escape).joined(separator: ", ")
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
            html += "<td><span class=\"ready\">\(ready)</span> / <span class=\"desired\">\(desired)</span>"
            if let health = snapshot.plan.health[service.ref], health.degraded {
                html += " <strong class=\"degraded\" role=\"status\">Degraded: \(escape(health.message))</strong>"
            }
            html += "</td>"
            html += "<td>\(autoscaling(rule))</td>"
            html += "<td class=\"cost\">\(cost.map(usd) ?? "—")</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// Desired: what this pass set, else what the Deployment asks, else the manifest's baseline.
    static func replicas(of service: ServiceSpec, in snapshot: PassSnapshot) -> (desired: Int, ready: Int) {
        let live = snapshot.deployments[ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)]
        let desired = Statuses.replicas(of: service, live: live, outcomes: snapshot.outcomes) ?? service.spec.replicas ?? 1
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
            let figures = BudgetFigures(budget, in: snapshot)
            let limit = budget.spec.monthlyLimitUSD
            let label = "\(escape(budget.ref.namespace))/\(escape(budget.metadata.name))"
            // Figures from the cluster may be anything: clamp before converting, never trap.
            let ratio = limit > 0 ? figures.projected / limit * 100 : 0
            let percent = ratio.isFinite ? Int(max(-1e9, min(1e9, ratio)).rounded()) : 0
            // The bar spans the limit, or the projection when that is larger; the limit is a mark on it.
            let scale = max(limit, figures.projected, 0.01)
            // Drawn in SVG attributes, not style attributes: the page's CSP allows no inline style.
            let percentOfScale = { (value: Double) in max(0, min(100, value / scale * 100)) }
            let width = { (value: Double) in String(format: "%.2f", percentOfScale(value)) }
            let spent = width(figures.spent)
            let soft = limit * (budget.spec.softLimitPercent ?? 90) / 100
            let state = figures.projected > limit ? "over" : figures.projected > soft ? "soft" : "within"
            let source = figures.recorded ? "" : " <small class=\"estimate\">(no spend recorded yet: the planner's projection from the current replicas)</small>"
            html += """
                <div class="budget" data-budget="\(escape(budget.metadata.name))"><h3>\(label) · \(escape(figures.month))</h3>
                <p>Spent <span class="spent">\(usd(figures.spent))</span>, projected <span class="projected">\(usd(figures.projected))</span> \
                of <span class="limit">\(usd(limit))</span> (<span class="percent">\(percent)%</span>).\(source)</p>
                <svg class="bar \(state)" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" \
                aria-label="Spent \(usd(figures.spent)), projected \(usd(figures.projected)) of the \(usd(limit)) limit">\
                <rect class="bar-spent" x="0" y="0" width="\(spent)" height="10"></rect>\
                <rect class="bar-projected" x="\(spent)" y="0" width="\(width(figures.projected - figures.spent))" height="10"></rect>\
                <rect class="bar-limit" x="\(String(format: "%.2f", max(0, min(99.4, percentOfScale(limit) - 0.3))))" y="0" width="0.6" height="10"></rect></svg>

                <p class="legend" aria-hidden="true"><span class="key spent"></span> spent <span class="key projected"></span> projected to month end \
                <span class="key limit"></span> limit</p></div>

                """
        }
        return html + "</section>\n"
    }

    /// A Budget's month as the page shows it: from its status when the controller recorded this
    /// month's spend, else what the planner projects from the replicas this pass wants.
    struct BudgetFigures: Equatable {
        var month: String
        var spent: Double
        var projected: Double
        var recorded: Bool

        init(_ budget: Budget, in snapshot: PassSnapshot) {
            month = Ledger.month(of: snapshot.time)
            if let status = budget.status, status.month == month, let spent = status.spentUSD {
                self.spent = spent
                projected = status.projectedUSD ?? spent
                recorded = true
                return
            }
            var hourly = 0.0
            for service in snapshot.services where CostModel.budget(for: service, in: snapshot.budgets)?.ref == budget.ref {
                hourly += Double(Page.replicas(of: service, in: snapshot).desired) * CostModel.replicaHourUSD(service, pricing: budget.spec.pricing)
            }
            spent = 0
            projected = hourly * Ledger.hoursLeftInMonth(snapshot.time)
            recorded = false
        }
    }

    // MARK: - Directives

    /// How many runs per Directive the page lists, newest first.
    static let runsShown = 3

    static func directives(_ snapshot: PassSnapshot?, journal: [JSONValue]) -> String {
        var html = "<section id=\"directives\" aria-labelledby=\"directives-h\"><h2 id=\"directives-h\">Directives</h2>\n"
        guard let snapshot, !snapshot.plan.directives.isEmpty else { return html + "<p>No Directives.</p></section>\n" }
        for report in snapshot.plan.directives.sorted(by: { $0.directive < $1.directive }) {
            let ref = report.directive
            let label = "\(escape(ref.namespace))/\(escape(ref.name))"
            html += "<article class=\"directive\" data-directive=\"\(escape(ref.name))\" aria-labelledby=\"directive-\(escape(ref.namespace))-\(escape(ref.name))\">"
            html += "<h3 id=\"directive-\(escape(ref.namespace))-\(escape(ref.name))\">\(label)</h3>\n"
            if let next = report.status.nextRunTime { html += "<p>Next run: \(timeTag(next)).</p>\n" }
            let runs = (report.status.runs ?? []).sorted { $0.scheduledTime > $1.scheduledTime }
            guard !runs.isEmpty else {
                html += "<p>No runs yet.</p></article>\n"
                continue
            }
            let shown = runs.prefix(runsShown)
            html += """
                <table><caption>\(shown.count == runs.count ? "Runs" : "Latest \(shown.count) of \(runs.count) runs"), newest first</caption>
                <thead><tr><th scope="col">Run</th><th scope="col">Progress</th><th scope="col">Jobs</th>\
                <th scope="col">SLO</th><th scope="col">Incidents</th></tr></thead><tbody>

                """
            for run in shown { html += runRow(run, directive: ref, journal: journal) }
            html += "</tbody></table></article>\n"
        }
        return html + "</section>\n"
    }

    static func runRow(_ run: Directive.Status.Run, directive: ObjectRef, journal: [JSONValue]) -> String {
        let trigger = run.trigger ?? .schedule
        let runID = RFC3339.date(from: run.scheduledTime).map { DirectiveNaming.runID($0, trigger: trigger) } ?? run.scheduledTime
        let counts = run.jobCounts
        let total = run.totalJobs
        let done = counts.succeeded
        let failed = counts.failed + counts.timedOut
        var html = "<tr data-run=\"\(escape(runID))\"><th scope=\"row\">\(timeTag(run.scheduledTime))"
        html += trigger == .manual ? " <small>(manual)</small>" : ""
        html += run.completionTime.map { "<br><small>complete \(timeTag($0))</small>" } ?? ""
        html += "</th>\n<td><span class=\"done\">\(done)</span> of <span class=\"total\">\(total)</span> jobs done"
        html += failed > 0 ? ", <span class=\"failed\">\(failed)</span> failed" : ""
        html += "<br><progress max=\"\(max(total, 1))\" value=\"\(done)\" aria-label=\"\(done) of \(total) jobs of run \(escape(runID)) done\">\(done)/\(total)</progress></td>\n<td><ul class=\"jobs\">"
        for job in run.jobs {
            html += "<li data-job=\"\(escape(job.id))\">\(escape(job.id)): <span class=\"state \(job.state.rawValue.lowercased())\">\(job.state.rawValue)</span>"
            if let attempts = job.attempts, attempts > 1 { html += " <small>(attempt \(attempts))</small>" }
            if let message = job.message { html += "<br><small>\(escape(message))</small>" }
            html += "</li>"
        }
        html += "</ul></td>\n<td class=\"slo\">\(slo(run))</td>\n<td class=\"incidents\">"
        let incidents = incidentEntries(journal, directive: directive, runID: runID)
        if incidents.isEmpty, run.sloOk == false {
            html += "<p><strong class=\"incident\">SLOBreached</strong></p>"
        }
        html += incidents.isEmpty && run.sloOk != false ? "none" : ""
        for incident in incidents {
            let reason = incident["incident"]?.stringValue ?? ""
            html += "<p><strong class=\"incident\">\(escape(reason))</strong> \(escape(incident["message"]?.stringValue ?? ""))</p>"
        }
        return html + "</td></tr>\n"
    }

    /// The deadline, and whether it holds: met, breached, at risk, or open and on track.
    static func slo(_ run: Directive.Status.Run) -> String {
        guard let deadline = run.sloDeadline else { return "no SLO" }
        let state: (String, String) =
            switch (run.sloOk, run.sloAtRisk == true) {
            case (true?, _): ("ok", "met")
            case (false?, _): ("breached", "breached")
            case (nil, true): ("at-risk", "at risk")
            case (nil, false): ("ok", "holds so far")
            }
        return "by \(timeTag(deadline)): <span class=\"slo-state \(state.0)\">\(state.1)</span>"
    }

    /// The journal's incidents of one run, oldest first.
    static func incidentEntries(_ journal: [JSONValue], directive: ObjectRef, runID: String) -> [JSONValue] {
        journal.filter { entry in
            entry["incident"] != nil && entry["run"]?.stringValue == runID
                && entry[path: ["source", "name"]]?.stringValue == directive.name && entry[path: ["source", "namespace"]]?.stringValue == directive.namespace
        }
    }

    /// `2026-11-26 09:06 UTC` (seconds only when there are some), machine-readable in `datetime`.
    static func timeTag(_ rfc3339: String) -> String {
        guard let date = RFC3339.date(from: rfc3339) else { return "<time>\(escape(rfc3339))</time>" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        var text = String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
        if let second = parts.second, second != 0 { text += String(format: ":%02d", second) }
        return "<time datetime=\"\(escape(RFC3339.string(from: date)))\">\(text) UTC</time>"
    }

    static func held(_ snapshot: PassSnapshot?, viewer: Principal, csrfToken: String?) -> String {
        var html = "<section id=\"held\" aria-labelledby=\"held-h\"><h2 id=\"held-h\">Held actions</h2>\n"
        let actions = snapshot?.held ?? []
        guard !actions.isEmpty else { return html + "<p>Nothing waits for an approval.</p></section>\n" }
        html += "<p>Approvals are written as Approval resources and take effect on the next reconcile pass.</p>\n"
        for action in actions {
            html += "<article class=\"action\" data-action=\"\(escape(action.id))\"><h3>\(escape(action.verb.rawValue)) "
            html += "\(escape(action.target.kind.name)) \(escape(action.target.namespace))/\(escape(action.target.name)): "
            html += "\(escape(action.change.fromText)) → \(escape(action.change.toText))</h3>\n"
            html += "<p>\(escape(action.reason)) · cost \(signedUSD(action.costDeltaUSDPerHour)) per hour · <code>\(escape(action.id))</code></p>\n<ul class=\"gates\">"
            for gate in action.gates {
                html += "<li><strong>\(escape(gate.gate))</strong>: <span class=\"verdict \(gate.verdict.rawValue.lowercased())\">\(gate.verdict.rawValue)</span> — \(escape(gate.reason))</li>"
            }
            html += "</ul>\n"
            if viewer.mayApprove(in: action.source.namespace) {
                for (decision, label) in [("approve", "Approve"), ("reject", "Reject")] {
                    html += "<form method=\"post\" action=\"/ops/\(decision)\"><input type=\"hidden\" name=\"id\" value=\"\(escape(action.id))\">"
                    html += csrfToken.map(csrfField) ?? ""
                    html += "<button type=\"submit\" class=\"\(decision)\">\(label)<span class=\"sr\"> \(escape(action.id))</span></button></form>\n"
                }
            }
            html += "</article>\n"
        }
        return html + "</section>\n"
    }

    static func journalSection(_ journal: JournalTail, filter: JournalFilter) -> String {
        var verdicts = Verdict.allCases.map { verdict in
            "<option\(filter.verdict == verdict ? " selected" : "")>\(verdict.rawValue)</option>"
        }.joined()
        verdicts += "<option value=\"INCIDENT\"\(filter.incidentsOnly ? " selected" : "")>INCIDENT (Directive SLO)</option>"
        // The resources the journal knows, for the search field's suggestions.
        var names: [String] = []
        var seen: Set<String> = []
        for entry in journal.entries.reversed() {
            for key in ["target", "source"] {
                guard let name = entry[path: [key, "name"]]?.stringValue else { continue }
                let qualified = (entry[path: [key, "namespace"]]?.stringValue ?? "") + "/" + name
                if names.count < 50, seen.insert(qualified).inserted { names.append(qualified) }
            }
        }
        var html = """
            <section id="journal" aria-labelledby="journal-h"><h2 id="journal-h">Decision journal</h2>
            <form method="get" action="/ops" class="filter" role="search" aria-label="Search the decision journal">
            <label>Resource <input name="resource" list="journal-resources" value="\(escape(filter.resource ?? ""))" placeholder="name or namespace/name"></label>
            <datalist id="journal-resources">\(names.map { "<option value=\"\(escape($0))\">" }.joined())</datalist>
            <label>Verdict <select name="verdict"><option value="">any</option>\(verdicts)</select></label>
            <label>Since <input name="since" value="\(filter.since.map { RFC3339.string(from: $0) } ?? "")" placeholder="1h, 2026-11-26 or RFC 3339" aria-describedby="journal-times"></label>
            <label>Until <input name="until" value="\(filter.until.map { RFC3339.string(from: $0) } ?? "")" placeholder="RFC 3339" aria-describedby="journal-times"></label>
            <button type="submit">Search</button> <a href="/ops#journal">Clear</a>
            <small id="journal-times">Times in UTC: RFC 3339, a date, or a while ago (30m, 6h, 7d).</small></form>

            """
        html += searched(journal)
        let (entries, matching) = filter.select(journal.entries)
        guard !entries.isEmpty else { return html + "<p role=\"status\">No matching decisions.</p></section>\n" }
        html += """
            <p role="status">\(matching > entries.count ? "The newest \(entries.count) of \(matching)" : "\(matching)") matching \(matching == 1 ? "entry" : "entries"), newest first.</p>
            <table><thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Verdict</th>\
            <th scope="col">Result</th><th scope="col">Why</th></tr></thead><tbody>

            """
        for entry in entries {
            let string = { (path: [String]) in escape(entry[path: path]?.stringValue ?? "") }
            if entry["incident"] != nil {
                html += "<tr class=\"incident\"><td>\(string(["time"]))</td><td>incident \(string(["source", "kind"])) "
                html += "\(string(["source", "namespace"]))/\(string(["source", "name"])) run \(string(["run"]))</td>"
                html += "<td>\(string(["incident"]))</td><td>raised</td><td>\(string(["message"]))</td></tr>\n"
                continue
            }
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

    /// The page searches the journal's tail only: how far back, and where the older decisions are.
    static func searched(_ journal: JournalTail) -> String {
        guard journal.isCut else { return "" }
        let since = journal.entries.first?["time"]?.stringValue.flatMap { RFC3339.date(from: $0) }.map { ", since \(RFC3339.string(from: $0))" } ?? ""
        return "<p>Searched the newest \(journal.entries.count) entries\(since). Older decisions are only in the controller's journal file "
            + "(<code>$HMS_JOURNAL</code>, and <code>$HMS_JOURNAL.1</code> once it rotated).</p>\n"
    }

    // MARK: - Formatting

    static func escape(_ text: String) -> String { HTML.escape(text) }

    static func signedUSD(_ value: Double) -> String { (value >= 0 ? "+" : "−") + usd(abs(value)) }
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2f", value)
    }
}
