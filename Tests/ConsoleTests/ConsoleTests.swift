@testable import Console
@testable import Controller
import Foundation
import JSON
import Model
@testable import Planner
import Testing

@Suite struct AccessTests {
    let viewer = Principal(user: "victor", canApprove: false)
    let approver = Principal(user: "alice", canApprove: true)

    @Test func noTokenIsUnauthenticatedForEveryRoute() {
        for route in [Route.page, .events, .approve] {
            #expect(Access.decide(route, principal: nil) == .unauthenticated)
        }
    }

    @Test func viewersReadButMayNotApprove() {
        #expect(Access.decide(.page, principal: viewer) == .allow(viewer))
        #expect(Access.decide(.events, principal: viewer) == .allow(viewer))
        #expect(Access.decide(.approve, principal: viewer) == .forbidden(viewer))
        #expect(Access.decide(.approve, principal: approver) == .allow(approver))
    }

    @Test func theTokenComesFromTheBearerHeaderElseTheCookie() {
        #expect(Access.token(authorization: "Bearer abc", cookie: nil) == "abc")
        #expect(Access.token(authorization: "bearer abc", cookie: nil) == "abc")
        #expect(Access.token(authorization: "Basic abc", cookie: "hms_console_token=x") == nil)
        #expect(Access.token(authorization: "Bearer ", cookie: nil) == nil)
        #expect(Access.token(authorization: nil, cookie: "a=b; hms_console_token=tok") == "tok")
        #expect(Access.token(authorization: nil, cookie: "other=tok") == nil)
        #expect(Access.token(authorization: nil, cookie: nil) == nil)
    }

    @Test func theCookieIsHttpOnlyAndSameSiteStrict() {
        let cookie = Access.setCookie(token: "t0k")
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ops"))
        #expect(!Access.isPlausibleToken("a;b") && !Access.isPlausibleToken("") && !Access.isPlausibleToken("a b"))
        #expect(Access.isPlausibleToken("eyJhbGciOi.x-y_z"))
    }

    @Test func theTokenFileGivesRoles() async throws {
        let tokens = try StaticTokens(parsing: "# comment\nsecret-a alice approver\n\nsecret-v victor viewer\n")
        #expect(await tokens.principal(for: "secret-a", namespace: nil) == approver)
        #expect(await tokens.principal(for: "secret-v", namespace: "x") == viewer)
        #expect(await tokens.principal(for: "nope", namespace: nil) == nil)
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

    @Test func formsDecode() {
        #expect(Form.parse("id=act-0123456789abcdef&c=a+b%21") == ["id": "act-0123456789abcdef", "c": "a b!"])
    }
}

@Suite struct PageTests {
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
        budget.status = try JSONDecoder().decode(Budget.Status.self, from: Data(#"{"spentUSD":1234.5,"projectedUSD":4000}"#.utf8))
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
        #expect(html.contains("<span class=\"spent\">$1234.50</span>"))
        #expect(html.contains("<span class=\"projected\">$4000.00</span>"))
        #expect(html.contains("<meter min=\"0\" max=\"10000.0\""))
        #expect(html.contains("data-pass=\"3\""))
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
        #expect(JournalFilter(query: ["resource": "a"]).apply(entries).count == 2)
        #expect(JournalFilter(query: ["resource": "ns/b"]).apply(entries).count == 1)
        #expect(JournalFilter(query: ["verdict": "hold"]).apply(entries).count == 2)
        #expect(JournalFilter(query: ["resource": "a", "verdict": "HOLD"]).apply(entries).count == 1)
        #expect(JournalFilter(query: ["since": "2026-01-02T00:00:00Z"]).apply(entries).count == 2)
        #expect(JournalFilter(query: ["until": "2026-01-01T12:00:00Z"]).apply(entries).count == 1)
        #expect(JournalFilter(query: ["verdict": "bogus", "since": "yesterday"]) == JournalFilter())
        let html = Page.render(snapshot: nil, journal: entries, filter: JournalFilter(query: ["verdict": "HOLD"]), viewer: Principal(user: "v", canApprove: false))
        #expect(html.contains("<option selected>HOLD</option>"))
        #expect(!html.contains("<td>2026-01-01T00:00:00Z</td>"))
        #expect(html.contains("<td>2026-01-03T00:00:00Z</td>"))
    }
}
