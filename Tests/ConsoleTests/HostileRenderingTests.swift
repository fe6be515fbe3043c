@testable import Console
@testable import Controller
import Foundation
import JSON
import Model
@testable import Planner
import Testing

/// Every string the page shows, from the cluster, the journal, the request or the token file, made
/// hostile; a conforming HTML5 parser (html5lib) must find exactly the elements and attributes
/// of the same page rendered with harmless strings: no markup the template did not write.
@Suite(.tags(.process, .hostile)) struct HostileRenderingTests {
    /// What attackers put in names, messages and query parameters: a quote or `<` followed by a
    /// combining mark (one Character with it), markup, NUL, bidi overrides, and a long string.
    static let payloads = [
        "\"\u{301} autofocus onfocus=alert(1) x=\"",
        "'\u{301} onmouseover='alert(1)",
        "<\u{301}img src=x onerror=alert(1)>",
        "</td></tr></table><script>alert(1)</script><svg onload=alert(1)>",
        "\u{0}<!--\u{0}--><![CDATA[x]]>",
        "\u{202E}evil\u{2066}<b>bidi</b>\u{2069}",
        "&lt;&#x3C;&quot;\u{FEFF}<\u{338}a>",
        String(repeating: "<i>\"'&", count: 2000),
    ]

    /// `text(label)`: the string shown at that place.
    static func page(_ text: (String) -> String) throws -> String {
        func object(_ kind: String, _ name: String, _ spec: JSONValue) -> Data {
            Data(JSONValue.object([
                "apiVersion": "ops.hms.gov/v1alpha1", "kind": .string(kind),
                "metadata": ["name": .string(name), "namespace": .string(text("ns")), "labels": ["program": "p"]], "spec": spec,
            ]).jsonBytes)
        }
        let service = try JSONDecoder().decode(ServiceSpec.self, from: object("ServiceSpec", text("svc"), [
            "image": "registry.gov/e:1", "replicas": 4, "resources": ["cpu": "500m", "memory": "512Mi"],
        ]))
        var rule = try JSONDecoder().decode(AutoscaleRule.self, from: object("AutoscaleRule", text("rule"), [
            "target": .string(text("svc")), "minReplicas": 1, "maxReplicas": 20,
            "metrics": [["type": "pods", "name": .string(text("metric")), "targetAverageValue": 500]],
        ]))
        var status = AutoscaleRule.Status()
        status.currentMetrics = [.init(name: text("metric"), current: 750, target: 500)]
        rule.status = status
        let budget = try JSONDecoder().decode(Budget.self, from: object("Budget", text("budget"), [
            "selector": ["matchLabels": ["program": "p"]], "monthlyLimitUSD": 100, "pricing": ["cpuCoreHourUSD": 0.03, "memoryGiBHourUSD": 0.004],
        ]))
        let deployment = ObjectRef(kind: "Deployment", namespace: text("ns"), name: text("svc"))
        let held = Action(
            id: "act-00000000000000ab", source: service.ref, target: deployment, verb: .scale, from: text("from"), to: text("to"), requested: nil,
            reason: text("reason"), costDeltaUSDPerHour: 0.04,
            gates: [GateVerdict(gate: text("gate"), verdict: .hold, reason: text("gate reason"))], manifests: [])
        var plan = Plan(actions: [held])
        let directive = ObjectRef(kind: "Directive", namespace: text("ns"), name: text("directive"))
        plan.directives = [DirectiveReport(directive: directive, status: Directive.Status(nextRunTime: text("next"), runs: [
            .init(scheduledTime: "2027-01-15T07:00:00Z", date: "2027-01-15", sloDeadline: text("deadline"), sloOk: false, completionTime: text("done"), jobs: [
                .init(id: text("job"), state: .failed, attempts: 2, message: text("job message")),
            ]),
        ]))]
        let snapshot = PassSnapshot(number: 7, time: Date(timeIntervalSince1970: 1_800_000_000), services: [service], autoscaleRules: [rule],
                                    budgets: [budget], plan: plan, outcomes: [ActionOutcome(action: held, result: .notCarriedOut(.hold))])
        func ref(_ key: String) -> JSONValue { ["kind": .string(text(key)), "namespace": .string(text("ns")), "name": .string(text("svc"))] }
        let journal: [JSONValue] = [
            ["time": .string(text("time")), "verb": .string(text("verb")), "finalVerdict": "HOLD", "result": .string(text("result")),
             "reason": .string(text("reason")), "from": .string(text("from")), "to": .string(text("to")), "source": ref("kind"), "target": ref("kind"),
             "gates": [["gate": .string(text("gate")), "verdict": .string(text("verdict")), "reason": .string(text("gate reason"))]]],
            ["time": .string(text("time")), "incident": .string(text("incident")), "source": ref("kind"), "run": .string(text("run")),
             "message": .string(text("incident message"))],
        ]
        let filter = JournalFilter(query: ["resource": text("svc"), "since": text("since")], now: Date(timeIntervalSince1970: 1_800_000_000))
        let viewer = Principal(user: text("user"), canApprove: false, approvesIn: [text("ns")])
        return Page.render(snapshot: snapshot, journal: JournalTail(entries: journal, isCut: true), filter: filter, viewer: viewer, notice: text("notice"), csrfToken: text("csrf"))
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// html5lib, from the repository's `.venv` (hack/test.sh installs it); required in CI.
    static var python: String? {
        let path = packageRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: path)
        probe.arguments = ["-c", "import html5lib"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return nil }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? path : nil
    }

    static var html5libRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" || python != nil }

    @Test(.enabled(if: html5libRequired, "html5lib is installed by hack/test.sh (and required when CI=true)"))
    func hostileStringsAddNoElementsOrAttributes() throws {
        guard let python = Self.python else {
            Issue.record("html5lib is missing: run hack/install-deps.sh pip:html5lib")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hms-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files = [directory.appendingPathComponent("benign.html")]
        try Self.page { "x" + $0.filter(\.isLetter) }.write(to: files[0], atomically: true, encoding: .utf8)
        for (index, payload) in Self.payloads.enumerated() {
            let file = directory.appendingPathComponent("hostile-\(index).html")
            try Self.page { $0 + payload }.write(to: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let compare = Process()
        compare.executableURL = URL(fileURLWithPath: python)
        compare.arguments = [Self.packageRoot.appendingPathComponent("hack/html-structure.py").path] + files.map(\.path)
        let output = Pipe()
        compare.standardOutput = output
        compare.standardError = output
        try compare.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        compare.waitUntilExit()
        #expect(compare.terminationStatus == 0, "\(report)")
    }

    @Test func everyPayloadReachesThePageEscaped() throws {
        for payload in Self.payloads {
            let html = try Self.page { $0 + payload }
            #expect(!html.contains("onerror=alert(1)>") && !html.contains("<script>alert") && !html.contains("<svg onload"))
            #expect(!html.contains("\u{0}") && !html.contains("\u{202E}"))
        }
    }
}
