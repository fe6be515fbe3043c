@testable import Console
@testable import Controller
import Foundation
import JSON
import Model
@testable import Planner
import Testing

@Suite(.tags(.unit)) struct AccessTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theBearerTokenAndTheCookieAreReadStrictly() {
        #expect(Access.bearerToken(authorization: "Bearer abc") == "abc")
        #expect(Access.bearerToken(authorization: "bearer abc") == "abc")
        #expect(Access.bearerToken(authorization: "Basic abc") == nil)
        #expect(Access.bearerToken(authorization: "Bearer ") == nil)
        #expect(Access.bearerToken(authorization: nil) == nil)
        #expect(Access.cookie("s", in: "a=b; s=tok") == "tok")
        #expect(Access.cookie("s", in: "other=tok") == nil)
        #expect(Access.cookie("s", in: "s=") == nil)
        #expect(!Access.isPlausibleToken("a b") && !Access.isPlausibleToken("") && !Access.isPlausibleToken(String(repeating: "a", count: 4097)))
        #expect(Access.isPlausibleToken("eyJhbGciOi.x-y_z"))
    }

    @Test func theTokenFileGivesRolesAsGroups() async throws {
        let tokens = try StaticTokens(parsing: "# comment\nsecret-a alice approver\n\nsecret-v victor viewer\n")
        guard case .valid(let alice) = await tokens.check(token: "secret-a", now: start),
            case .valid(let victor) = await tokens.check(token: "secret-v", now: start)
        else { Issue.record("the file's tokens are valid"); return }
        #expect(alice.user == "alice" && victor.user == "victor")
        #expect(await tokens.mayApprove(alice, namespace: nil, now: start))
        #expect(await !tokens.mayApprove(victor, namespace: "x", now: start))
        #expect(await tokens.check(token: "nope", now: start) == .invalid)
        #expect(!tokens.revalidatesTokens)
    }

    @Test func aBadTokenFileNamesTheLineNotTheToken() {
        #expect(throws: StaticTokens.Problem.unknownRole(line: 1, role: "admin")) { try StaticTokens(parsing: "s3cret bob admin") }
        #expect(throws: StaticTokens.Problem.malformed(line: 2)) { try StaticTokens(parsing: "a b viewer\ns3cret bob") }
        #expect(!StaticTokens.Problem.malformed(line: 2).description.contains("s3cret"))
    }

    @Test func reviewsAreReadStrictly() {
        let ok: JSONValue = ["status": ["authenticated": true, "user": ["username": "alice", "groups": ["ops"]]]]
        #expect(KubeReview.user(fromTokenReview: ok).map { $0.0 } == "alice")
        #expect(KubeReview.user(fromTokenReview: ok).map { $0.1 } == ["ops"])
        #expect(KubeReview.user(fromTokenReview: ["status": ["authenticated": false]]) == nil)
        #expect(KubeReview.user(fromTokenReview: [:]) == nil)
        #expect(KubeReview.allowed(fromAccessReview: ["status": ["allowed": true]]))
        #expect(!KubeReview.allowed(fromAccessReview: ["status": [:]]))
        let review = KubeReview.accessReview(user: "alice", groups: ["ops"], namespace: "student-aid")
        #expect(review[path: ["spec", "resourceAttributes", "resource"]]?.stringValue == "approvals")
        #expect(review[path: ["spec", "resourceAttributes", "group"]]?.stringValue == "ops.hms.gov")
        #expect(review[path: ["spec", "resourceAttributes", "namespace"]]?.stringValue == "student-aid")
        #expect(KubeReview.tokenReview("t")[path: ["spec", "token"]]?.stringValue == "t")
    }

    @Test func theReviewAsksForTheApproveVerb() {
        #expect(KubeReview.accessReview(user: "a", groups: [], namespace: nil)[path: ["spec", "resourceAttributes", "verb"]] == "approve")
        #expect(KubeReview.accessReview(user: "a", groups: [], namespace: nil)[path: ["spec", "resourceAttributes", "namespace"]] == nil)
    }

    @Test func answersAreKeptForAWhileAndTheCacheIsBounded() {
        let cache = TimedCache<String, Int>(seconds: 10, capacity: 2)
        cache.put("t", 1, now: start)
        #expect(cache.get("t", now: start.addingTimeInterval(9)) == 1)
        #expect(cache.get("u", now: start) == nil)
        #expect(cache.get("t", now: start.addingTimeInterval(10)) == nil)
        // Full: expired entries go first, then everything; it never grows past its capacity.
        for index in 0..<5 { cache.put("t\(index)", index, now: start) }
        #expect(cache.get("t4", now: start) == 4)
        #expect(cache.get("t0", now: start) == nil)
    }

    @Test func reviewsOfUnknownTokensAreRateLimited() {
        let limiter = RateLimiter(perSecond: 5, burst: 20)
        let first = (0..<25).filter { _ in limiter.take(now: start) }.count
        #expect(first == 20)
        // A second later, five more; never more than the burst after a long pause.
        #expect((0..<10).filter { _ in limiter.take(now: start.addingTimeInterval(1)) }.count == 5)
        #expect((0..<50).filter { _ in limiter.take(now: start.addingTimeInterval(3600)) }.count == 20)
    }

    @Test func formsDecodeAndOnlyFormBodiesAreForms() {
        #expect(Form.parse("id=act-0123456789abcdef&c=a+b%21") == ["id": "act-0123456789abcdef", "c": "a b!"])
        #expect(Access.isForm(contentType: "application/x-www-form-urlencoded"))
        #expect(Access.isForm(contentType: "Application/X-WWW-Form-Urlencoded; charset=utf-8"))
        #expect(!Access.isForm(contentType: "text/plain"))
        #expect(!Access.isForm(contentType: "multipart/form-data; boundary=x"))
        #expect(!Access.isForm(contentType: nil))
    }

    @Test func onlyTheConsolesOwnOriginMayPost() {
        // Sec-Fetch-Site decides when a browser sends it: scripts cannot set it.
        #expect(Access.isSameOrigin(secFetchSite: "same-origin", origin: nil, host: "c:4400"))
        #expect(!Access.isSameOrigin(secFetchSite: "cross-site", origin: "http://c:4400", host: "c:4400"))
        // Another port of the same host is the same site, not the same origin: SameSite does not
        // separate them, this does.
        #expect(!Access.isSameOrigin(secFetchSite: "same-site", origin: "http://c:4401", host: "c:4400"))
        #expect(Access.isSameOrigin(secFetchSite: nil, origin: "http://127.0.0.1:4400", host: "127.0.0.1:4400"))
        #expect(!Access.isSameOrigin(secFetchSite: nil, origin: "http://127.0.0.1:4401", host: "127.0.0.1:4400"))
        #expect(!Access.isSameOrigin(secFetchSite: nil, origin: "http://evil.example", host: "127.0.0.1:4400"))
        #expect(!Access.isSameOrigin(secFetchSite: nil, origin: "null", host: "c"))
        #expect(!Access.isSameOrigin(secFetchSite: nil, origin: nil, host: "c"))
        #expect(!Access.isSameOrigin(secFetchSite: nil, origin: "http://c", host: nil))
        // Default ports, either way round; behind an ingress that terminates TLS.
        #expect(Access.isSameOrigin(secFetchSite: nil, origin: "https://ops.agency.gov", host: "ops.agency.gov"))
        #expect(Access.isSameOrigin(secFetchSite: nil, origin: "https://ops.agency.gov", host: "ops.agency.gov:443"))
        #expect(!Access.isSameOrigin(secFetchSite: nil, origin: "https://ops.agency.gov.evil.example", host: "ops.agency.gov"))
        #expect(Access.isSameOrigin(secFetchSite: nil, origin: "http://[::1]:4400", host: "[::1]:4400"))
    }

    @Test func refusalsSayLittleAndLogWhy() {
        #expect(Refusal.unknownToken.status == 401 && Refusal.noCredentials.message == Refusal.unknownToken.message)
        #expect(Refusal.crossOrigin.status == 403 && Refusal.badCSRFToken.status == 403 && Refusal.mayNotApprove.status == 403)
        #expect(Refusal.unsupportedMediaType.status == 415 && Refusal.tooManyStreams.status == 429 && Refusal.throttled.status == 429)
    }
}

@Suite(.tags(.unit)) struct SessionTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = Identity(user: "alice", groups: ["ops"])

    @Test func aSessionIsARandomIdBoundToWhoSignedIn() {
        let store = SessionStore()
        let one = store.create(alice, token: nil, now: start)
        let two = store.create(alice, token: nil, now: start)
        #expect(one.id != two.id && one.csrfToken != two.csrfToken && one.id != one.csrfToken)
        #expect(one.id.count == 64 && SessionStore.isWellFormed(one.id))
        #expect(store.lookup(one.id, now: start) == .active(one))
        #expect(store.lookup("not-a-session", now: start) == .none)
        #expect(store.lookup(String(repeating: "0", count: 64), now: start) == .none)
        store.end(one.id)
        #expect(store.lookup(one.id, now: start) == .none)
        #expect(store.lookup(two.id, now: start) != .none)
    }

    @Test func sessionsEndWhenIdleAndAtTheirAbsoluteLimit() {
        var limits = SessionStore.Limits()
        limits.idle = 600
        limits.absolute = 3600
        let store = SessionStore(limits: limits)
        let session = store.create(alice, token: nil, now: start)
        // Used every 9 minutes it stays, until an hour after sign-in.
        for minute in stride(from: 9, through: 54, by: 9) {
            guard case .active = store.lookup(session.id, now: start.addingTimeInterval(Double(minute) * 60)) else {
                Issue.record("active at minute \(minute)")
                return
            }
        }
        #expect(store.lookup(session.id, now: start.addingTimeInterval(3600)) == .none)
        let idle = store.create(alice, token: nil, now: start)
        #expect(store.lookup(idle.id, now: start.addingTimeInterval(600)) == .none)
        // The page refreshing itself is not activity.
        let open = store.create(alice, token: nil, now: start)
        _ = store.lookup(open.id, now: start.addingTimeInterval(300), activity: false)
        #expect(store.lookup(open.id, now: start.addingTimeInterval(600)) == .none)
    }

    @Test func aReviewedTokenIsCheckedAgainNowAndThen() {
        var limits = SessionStore.Limits()
        limits.recheck = 300
        let store = SessionStore(limits: limits)
        let session = store.create(alice, token: "k8s-token", now: start)
        #expect(store.lookup(session.id, now: start.addingTimeInterval(299)) != .none)
        guard case .recheck(_, let token) = store.lookup(session.id, now: start.addingTimeInterval(300)) else {
            Issue.record("a recheck is due")
            return
        }
        #expect(token == "k8s-token")
        #expect(store.revalidated(session.id, now: start.addingTimeInterval(301))?.checked == start.addingTimeInterval(301))
        guard case .active = store.lookup(session.id, now: start.addingTimeInterval(302)) else {
            Issue.record("active again")
            return
        }
        // A token-file session keeps no token and is never rechecked.
        let fromFile = store.create(alice, token: nil, now: start)
        guard case .active = store.lookup(fromFile.id, now: start.addingTimeInterval(1000)) else {
            Issue.record("no recheck without a token")
            return
        }
    }

    @Test func theStoreIsBoundedByEndingTheLeastRecentlyUsed() {
        var limits = SessionStore.Limits()
        limits.capacity = 3
        let store = SessionStore(limits: limits)
        let sessions = (0..<3).map { store.create(alice, token: nil, now: start.addingTimeInterval(Double($0))) }
        _ = store.lookup(sessions[0].id, now: start.addingTimeInterval(10))
        let fourth = store.create(alice, token: nil, now: start.addingTimeInterval(11))
        #expect(store.count == 3)
        #expect(store.lookup(sessions[1].id, now: start.addingTimeInterval(12)) == .none)
        #expect(store.lookup(sessions[0].id, now: start.addingTimeInterval(12)) != .none)
        #expect(store.lookup(fourth.id, now: start.addingTimeInterval(12)) != .none)
    }

    @Test func secretsCompareInConstantTime() {
        #expect(SessionStore.constantTimeEqual("abc", "abc"))
        #expect(!SessionStore.constantTimeEqual("abc", "abd"))
        #expect(!SessionStore.constantTimeEqual("abc", "abcd"))
    }

    @Test func theCookieIsHostOnlyAndSecureOverTLS() {
        let plain = SessionCookie(secure: false).set("id")
        #expect(plain == "hms_console_session=id; Path=/ops; HttpOnly; SameSite=Strict")
        let secure = SessionCookie(secure: true).set("id")
        #expect(secure == "__Host-hms_console_session=id; Path=/; Secure; HttpOnly; SameSite=Strict")
        #expect(SessionCookie(secure: true).clear.hasSuffix("Max-Age=0") && SessionCookie(secure: true).clear.hasPrefix("__Host-hms_console_session=;"))
    }

    @Test func eventStreamsAreCappedPerCallerAndInAll() {
        let slots = StreamSlots(perCaller: 2, total: 3)
        #expect(slots.acquire("a") && slots.acquire("a"))
        #expect(!slots.acquire("a"))
        #expect(slots.acquire("b"))
        #expect(!slots.acquire("c"))
        slots.release("a")
        #expect(slots.acquire("c") && slots.openCount == 3)
        slots.release("nobody")
        #expect(slots.openCount == 3)
    }
}

@Suite(.tags(.unit)) struct EscapingTests {
    @Test func markupCharactersAreEscapedScalarByScalar() {
        #expect(HTML.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        // A quote followed by a combining mark is one Character; its quote must still be escaped.
        let quoteWithMark = "\"\u{301} autofocus onfocus=alert(1) x=\""
        let oneCharacter: Character = "\"\u{301}"
        #expect(quoteWithMark.first == oneCharacter)
        #expect(!HTML.escape(quoteWithMark).contains("\""))
        let escapedPrefix = "&quot;\u{301} autofocus"
        #expect(HTML.escape(quoteWithMark).hasPrefix(escapedPrefix))
        #expect(!HTML.escape("<\u{338}script>").contains("<"))
        #expect(!HTML.escape("x\u{20DD}>\u{20DD}").contains(">"))
    }

    @Test func controlsAndBidiOverridesAreReplaced() {
        #expect(HTML.escape("a\u{0}b") == "a\u{FFFD}b")
        #expect(HTML.escape("tab\tnew\nline") == "tab\tnew\nline")
        #expect(HTML.escape("act-\u{202E}cba") == "act-\u{FFFD}cba")
        #expect(HTML.escape("\u{2066}x\u{2069}") == "\u{FFFD}x\u{FFFD}")
        #expect(HTML.escape("\u{85}\u{7F}") == "\u{FFFD}\u{FFFD}")
        #expect(HTML.escape("naïve café ✓ 日本") == "naïve café ✓ 日本")
    }
}

@Suite(.tags(.unit)) struct PageTests {
    /// 2027-01-15T08:00:00Z
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func snapshot() throws -> PassSnapshot {
        let service = try JSONDecoder().decode(ServiceSpec.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"ServiceSpec","metadata":{"name":"eligibility-api","namespace":"student-aid","labels":{"program":"student-aid"}},
             "spec":{"image":"registry.gov/e:1","replicas":4,"resources":{"cpu":"500m","memory":"512Mi"}}}
            """.utf8))
        var rule = try JSONDecoder().decode(AutoscaleRule.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"AutoscaleRule","metadata":{"name":"eligibility-api","namespace":"student-aid"},
             "spec":{"target":"eligibility-api","minReplicas":4,"maxReplicas":20,"metrics":[{"type":"pods","name":"http_rps","targetAverageValue":500}]}}
            """.utf8))
        var status = AutoscaleRule.Status()
        status.currentMetrics = [.init(name: "http_rps", current: 750, target: 500)]
        rule.status = status
        var budget = try JSONDecoder().decode(Budget.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"Budget","metadata":{"name":"student-aid-monthly","namespace":"student-aid"},
             "spec":{"selector":{"matchLabels":{"program":"student-aid"}},"monthlyLimitUSD":10000,"pricing":{"cpuCoreHourUSD":0.0316,"memoryGiBHourUSD":0.0042}}}
            """.utf8))
        budget.status = try JSONDecoder().decode(Budget.Status.self, from: Data(#"{"month":"2027-01","spentUSD":1234.5,"projectedUSD":4000}"#.utf8))
        let deployment = ObjectRef(kind: "Deployment", namespace: "student-aid", name: "eligibility-api")
        let held = Action(
            id: "act-00000000000000ab", source: service.ref, target: deployment, verb: .scale, from: "10", to: "12", requested: nil,
            reason: "autoscale <http_rps>", costDeltaUSDPerHour: 0.04,
            gates: [GateVerdict(gate: "budget", verdict: .allow, reason: "fits"),
                    GateVerdict(gate: "governance", verdict: .hold, reason: "[max-replicas] 12 replicas need approval above 10")],
            manifests: [])
        var observed = ObservedDeployment(["metadata": ["name": "eligibility-api", "namespace": "student-aid"], "spec": ["replicas": 10], "status": ["readyReplicas": 9]])
        observed.replicas = 10
        observed.readyReplicas = 9
        return PassSnapshot(number: 3, time: now, services: [service], autoscaleRules: [rule], budgets: [budget], deployments: [deployment: observed],
                            plan: Plan(actions: [held]), outcomes: [ActionOutcome(action: held, result: .notCarriedOut(.hold))])
    }

    @Test func servicesShowReplicasMetricCostAndBudget() throws {
        let html = Page.render(snapshot: try snapshot(), journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<span class=\"ready\">9</span> / <span class=\"desired\">10</span>"))
        #expect(html.contains("http_rps: <span class=\"current\">750</span> / target 500"))
        // 10 × (0.5 × 0.0316 + 0.5 × 0.0042) = 0.179
        #expect(html.contains("<td class=\"cost\">$0.18</td>"))
        #expect(html.contains("<span class=\"spent\">$1,234.50</span>"))
        #expect(html.contains("<span class=\"projected\">$4,000.00</span>"))
        #expect(html.contains("of <span class=\"limit\">$10,000.00</span> (<span class=\"percent\">40%</span>)"))
        // Spent 12.35 % of the bar, the rest of the projection 27.66 %, the limit at its end.
        #expect(html.contains("<rect class=\"bar-spent\" x=\"0\" y=\"0\" width=\"12.35\" height=\"10\"></rect><rect class=\"bar-projected\" x=\"12.35\" y=\"0\" width=\"27.66\""))
        // The limit's mark, kept inside the bar at its end.
        #expect(html.contains("<rect class=\"bar-limit\" x=\"99.40\" y=\"0\" width=\"0.6\" height=\"10\">"))
        // No inline style anywhere: the CSP allows none.
        #expect(!html.contains("style=") && !html.contains("<style") && !html.contains("<script>"))
        #expect(!html.contains("no spend recorded yet"))
        #expect(html.contains("data-pass=\"3\""))
    }

    @Test func aDegradedServiceSaysSoWithTheCounts() throws {
        var snapshot = try snapshot()
        let service = ObjectRef(kind: "ServiceSpec", namespace: "student-aid", name: "eligibility-api")
        snapshot.plan.health[service] = ServiceHealth(pods: 10, failing: 9, replace: [], degraded: true)
        let html = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<strong class=\"degraded\" role=\"status\">Degraded: 9 of 10 pods failing their health check;"))
        #expect(!Page.render(snapshot: try self.snapshot(), journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
            .contains("class=\"degraded\""))
    }

    @Test func aBudgetWithoutThisMonthsSpendShowsThePlannersProjection() throws {
        var snapshot = try snapshot()
        snapshot.budgets[0].status = nil
        let figures = Page.BudgetFigures(snapshot.budgets[0], in: snapshot)
        // 10 desired replicas × $0.0179 an hour × the 400 hours from 2027-01-15T08:00Z to February.
        let hours = Date(timeIntervalSince1970: 1_801_440_000).timeIntervalSince(now) / 3600
        #expect(hours == 400)
        #expect(figures.month == "2027-01" && figures.spent == 0 && !figures.recorded)
        #expect(abs(figures.projected - 10 * 0.0179 * hours) < 1e-9)
        let html = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("Spent <span class=\"spent\">$0.00</span>, projected <span class=\"projected\">$71.60</span>"))
        #expect(html.contains("no spend recorded yet: the planner's projection"))
        // Last month's figures are no figures for this month.
        snapshot.budgets[0].status = try JSONDecoder().decode(Budget.Status.self, from: Data(#"{"month":"2026-12","spentUSD":9000,"projectedUSD":9000}"#.utf8))
        #expect(Page.BudgetFigures(snapshot.budgets[0], in: snapshot).recorded == false)
    }

    @Test func aProjectionOverTheLimitStretchesTheBarAndMarksTheLimit() throws {
        var snapshot = try snapshot()
        snapshot.budgets[0].status = try JSONDecoder().decode(Budget.Status.self, from: Data(#"{"month":"2027-01","spentUSD":5000,"projectedUSD":12500}"#.utf8))
        let html = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<svg class=\"bar over\""))
        #expect(html.contains("width=\"40.00\" height=\"10\"></rect><rect class=\"bar-projected\" x=\"40.00\" y=\"0\" width=\"60.00\" height=\"10\"></rect><rect class=\"bar-limit\" x=\"79.70\""))
    }

    func directiveRun(_ scheduled: String, states: [Directive.JobState], deadline: String? = "2027-01-15T12:00:00Z", sloOk: Bool? = nil,
                      atRisk: Bool? = nil, trigger: Directive.Trigger? = nil) -> Directive.Status.Run {
        Directive.Status.Run(
            scheduledTime: scheduled, date: String(scheduled.prefix(10)), trigger: trigger, sloDeadline: deadline, sloOk: sloOk, sloAtRisk: atRisk,
            jobs: states.enumerated().map { index, state in .init(id: "power-\(index)", state: state, attempts: index == 2 ? 2 : 1) })
    }

    @Test func directivesShowTheLatestRunsWithProgressSLOAndIncidents() throws {
        var snapshot = try snapshot()
        let ref = ObjectRef(kind: "Directive", namespace: "power", name: "dispatch")
        let runs = [
            directiveRun("2027-01-11T11:00:00Z", states: [.succeeded], sloOk: true),
            directiveRun("2027-01-12T11:00:00Z", states: [.succeeded], sloOk: true),
            directiveRun("2027-01-13T11:00:00Z", states: [.succeeded, .succeeded, .succeeded], sloOk: true),
            directiveRun("2027-01-15T11:00:00Z", states: [.succeeded, .running, .pending], atRisk: true),
            directiveRun("2027-01-14T11:00:00Z", states: [.succeeded, .failed, .timedOut], sloOk: false),
        ]
        snapshot.plan.directives = [DirectiveReport(directive: ref, status: Directive.Status(nextRunTime: "2027-01-16T11:00:00Z", runs: runs))]
        let incident: JSONValue = [
            "time": "2027-01-14T12:00:00Z", "incident": "SLOBreached", "source": ["kind": "Directive", "namespace": "power", "name": "dispatch"],
            "run": "20270114-1100", "message": "run 2027-01-14 05:00 CST was not complete at its SLO deadline",
        ]
        let html = Page.render(snapshot: snapshot, journal: [incident], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        let section = String(html[html.range(of: "<section id=\"directives\"")!.lowerBound..<html.range(of: "<section id=\"held\"")!.lowerBound])
        #expect(section.contains("Latest 3 of 5 runs, newest first"))
        #expect(section.contains("Next run: <time datetime=\"2027-01-16T11:00:00Z\">2027-01-16 11:00 UTC</time>."))
        #expect(section.contains("<th scope=\"row\"><time datetime=\"2027-01-15T11:00:00Z\">2027-01-15 11:00 UTC</time></th>"))
        #expect(section.contains("by <time datetime=\"2027-01-15T12:00:00Z\">2027-01-15 12:00 UTC</time>: <span class=\"slo-state at-risk\">"))
        // Newest first, three of them.
        let order = ["20270115-1100", "20270114-1100", "20270113-1100"].map { section.range(of: "data-run=\"\($0)\"")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order[0]! < order[1]! && order[1]! < order[2]!)
        #expect(!section.contains("20270112-1100"))
        #expect(section.contains("<span class=\"done\">1</span> of <span class=\"total\">3</span> jobs done<br><progress max=\"3\" value=\"1\""))
        #expect(section.contains("<span class=\"done\">1</span> of <span class=\"total\">3</span> jobs done, <span class=\"failed\">2</span> failed"))
        #expect(section.contains("<li data-job=\"power-2\">power-2: <span class=\"state timed_out\">TIMED_OUT</span> <small>(attempt 2)</small>"))
        #expect(section.contains("<span class=\"slo-state at-risk\">at risk</span>"))
        #expect(section.contains("<span class=\"slo-state breached\">breached</span>"))
        #expect(section.contains("<span class=\"slo-state ok\">met</span>"))
        #expect(section.contains("<strong class=\"incident\">SLOBreached</strong> run 2027-01-14 05:00 CST was not complete at its SLO deadline"))
        // The journal lists the incident as one, and can be narrowed to incidents.
        #expect(html.contains("<td>incident Directive power/dispatch run 20270114-1100</td><td>SLOBreached</td>"))
        let incidentsOnly = JournalFilter(query: ["verdict": "incident"], now: now)
        #expect(incidentsOnly.incidentsOnly && incidentsOnly.apply([incident, entry("a", "HOLD", "2027-01-14T00:00:00Z")]).count == 1)
    }

    @Test func aBreachWithoutItsJournalEntryStillShowsAndDirectivesWithoutRunsSaySo() throws {
        var snapshot = try snapshot()
        snapshot.plan.directives = [
            DirectiveReport(directive: ObjectRef(kind: "Directive", namespace: "power", name: "a"),
                            status: Directive.Status(runs: [directiveRun("2027-01-14T11:00:00Z", states: [.failed], sloOk: false)])),
            DirectiveReport(directive: ObjectRef(kind: "Directive", namespace: "power", name: "b"), status: Directive.Status()),
            DirectiveReport(directive: ObjectRef(kind: "Directive", namespace: "power", name: "c"),
                            status: Directive.Status(runs: [directiveRun("2027-01-15T07:59:00Z", states: [.running], deadline: nil, trigger: .manual)])),
        ]
        let html = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<td class=\"incidents\"><p><strong class=\"incident\">SLOBreached</strong></p></td>"))
        #expect(html.contains("<h3 id=\"directive-power-b\">power/b</h3>\n<p>No runs yet.</p>"))
        #expect(html.contains("data-run=\"20270115-075900\"><th scope=\"row\"><time datetime=\"2027-01-15T07:59:00Z\">2027-01-15 07:59 UTC</time> <small>(manual)</small>"))
        #expect(html.contains("<small>(manual)</small>"))
        #expect(html.contains("<td class=\"slo\">no SLO</td>"))
        let none = Page.render(snapshot: nil, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(none.contains("<h2 id=\"directives-h\">Directives</h2>\n<p>No Directives.</p>"))
    }

    @Test func heldActionsShowEveryGateAndButtonsOnlyForApprovers() throws {
        let snapshot = try snapshot()
        let forViewer = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(forViewer.contains("data-action=\"act-00000000000000ab\""))
        #expect(forViewer.contains("[max-replicas] 12 replicas need approval above 10"))
        #expect(forViewer.contains("<strong>budget</strong>: <span class=\"verdict allow\">ALLOW</span>"))
        #expect(forViewer.contains("+$0.04 per hour"))
        #expect(!forViewer.contains("<form method=\"post\""))
        let forApprover = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(), viewer: Principal(user: "a", canApprove: true))
        #expect(forApprover.contains("<form method=\"post\" action=\"/ops/approve\"><input type=\"hidden\" name=\"id\" value=\"act-00000000000000ab\">"))
        #expect(forApprover.contains("action=\"/ops/reject\""))
        // Approving by a RoleBinding: buttons for the actions of that namespace only.
        let inNamespace = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(),
                                      viewer: Principal(user: "p", canApprove: false, approvesIn: ["student-aid"]))
        #expect(inNamespace.contains("action=\"/ops/approve\"") && inNamespace.contains("(approver in student-aid)"))
        let elsewhere = Page.render(snapshot: snapshot, journal: [], filter: JournalFilter(),
                                    viewer: Principal(user: "p", canApprove: false, approvesIn: ["power"]))
        #expect(!elsewhere.contains("action=\"/ops/approve\""))
    }

    @Test func textFromResourcesIsEscaped() throws {
        let html = Page.render(snapshot: try snapshot(), journal: [], filter: JournalFilter(), viewer: Principal(user: "<script>", canApprove: false))
        #expect(html.contains("autoscale &lt;http_rps&gt;"))
        #expect(html.contains("<strong>&lt;script&gt;</strong>"))
        #expect(!html.contains("<strong><script>"))
    }

    @Test func withoutAPassThePageSaysSo() {
        let html = Page.render(snapshot: nil, journal: [], filter: JournalFilter(), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("No reconcile pass has completed yet."))
        #expect(html.contains("Nothing waits for an approval."))
    }

    func entry(_ name: String, _ verdict: String, _ time: String) -> JSONValue {
        ["time": .string(time), "verb": "scale", "finalVerdict": .string(verdict), "result": "done", "reason": "r", "from": "1", "to": "2",
         "source": ["kind": "ServiceSpec", "namespace": "ns", "name": .string(name)],
         "target": ["kind": "Deployment", "namespace": "ns", "name": .string(name)], "gates": []]
    }

    @Test func theJournalFiltersByResourceVerdictAndTimeNewestFirst() {
        let entries = [entry("a", "ALLOW", "2026-01-01T00:00:00Z"), entry("b", "HOLD", "2026-01-02T00:00:00Z"), entry("a", "HOLD", "2026-01-03T00:00:00Z")]
        #expect(JournalFilter().apply(entries).count == 3)
        #expect(JournalFilter().apply(entries).first?["time"]?.stringValue == "2026-01-03T00:00:00Z")
        #expect(JournalFilter(query: ["resource": "a"], now: now).apply(entries).count == 2)
        #expect(JournalFilter(query: ["resource": "ns/b"], now: now).apply(entries).count == 1)
        #expect(JournalFilter(query: ["verdict": "hold"], now: now).apply(entries).count == 2)
        #expect(JournalFilter(query: ["resource": "a", "verdict": "HOLD"], now: now).apply(entries).count == 1)
        #expect(JournalFilter(query: ["since": "2026-01-02T00:00:00Z"], now: now).apply(entries).count == 2)
        #expect(JournalFilter(query: ["until": "2026-01-01T12:00:00Z"], now: now).apply(entries).count == 1)
        // What a date field sends, a bare date, and a while ago.
        #expect(JournalFilter(query: ["since": "2026-01-02T12:00"], now: now).since == RFC3339.date(from: "2026-01-02T12:00:00Z"))
        #expect(JournalFilter(query: ["until": "2026-01-02"], now: now).apply(entries).count == 2)
        let now = RFC3339.date(from: "2026-01-03T06:00:00Z")!
        #expect(JournalFilter(query: ["since": "12h"], now: now).apply(entries).count == 1)
        #expect(JournalFilter(query: ["since": "2d"], now: now).apply(entries).count == 2)
        #expect(JournalFilter(query: ["since": "3d"], now: now).apply(entries).count == 3)
        #expect(JournalFilter(query: ["verdict": "bogus", "since": "yesterday"], now: now) == JournalFilter())
        #expect(JournalFilter(query: ["resource": "NS/"], now: now).apply(entries).count == 3)
        #expect(JournalFilter(query: ["resource": "zzz"], now: now).apply(entries).isEmpty)
        let html = Page.render(snapshot: nil, journal: JournalTail(entries: entries), filter: JournalFilter(query: ["verdict": "HOLD"], now: now), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<option selected>HOLD</option>"))
        #expect(!html.contains("<td>2026-01-01T00:00:00Z</td>"))
        #expect(html.contains("<td>2026-01-03T00:00:00Z</td>"))
    }
}
