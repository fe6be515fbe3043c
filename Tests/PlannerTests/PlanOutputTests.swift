import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// The plan's text and JSON, compared with golden files (regenerate with UPDATE_GOLDEN=1).
@Suite(.tags(.unit, .golden)) struct PlanOutputTests {
    /// One of each: a deploy, a clamped scale, a held scale, a denied update, a restart. Running:
    /// api 4, worker 1, batch 2 at $1/h each; $7,000 for the 360 h left.
    static var mixedPlan: Plan {
        let api = webService.replacingOccurrences(of: "name: web,", with: "name: api,").replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
        let worker = webService.replacingOccurrences(of: "name: web,", with: "name: worker,").replacingOccurrences(of: "registry.gov/web:1.0", with: "docker.io/worker:2")
        let batch = webService.replacingOccurrences(of: "name: web,", with: "name: batch,").replacingOccurrences(of: "replicas: 4", with: "replicas: 9")
            + "\n  restartedAt: 2026-11-16T00:00:00Z"
        let yaml = [webService, api, worker, batch].joined(separator: "\n---\n") + budget(limit: 7_000) + governance
        // Each as the web service would run under its name: the worker's image is still web's.
        func named(_ name: String) -> String { webService.replacingOccurrences(of: "name: web,", with: "name: \(name),") }
        let apiLive = live(named("api"), replicas: 4)
        let workerLive = live(named("worker"), replicas: 1)
        let batchLive = live(named("batch"), replicas: 2)
        return plan(yaml, observed(apiLive, workerLive, batchLive, services: ["api", "worker", "batch", "web"].map { ["kind": "Service", "metadata": ["name": .string($0), "namespace": "aid"]] }))
    }

    @Test func textMatchesTheGoldenFile() throws {
        try compare(Self.mixedPlan.text(), golden: "mixed-plan.txt")
    }

    @Test func jsonMatchesTheGoldenFile() throws {
        try compare(Self.mixedPlan.json.prettyPrinted, golden: "mixed-plan.json")
    }

    @Test func theSummaryLinesCountEveryKind() {
        let plan = Self.mixedPlan
        #expect(plan.summaryLine == "Plan: 1 to deploy, 1 to update, 3 to scale, 1 to restart, 0 to delete, 0 jobs to start.")
        #expect(plan.gatesLine == "Gates: 3 allowed, 1 clamped, 1 held for approval, 0 deferred, 1 denied.")
    }

    @Test func coloursOnlyWhenAsked() {
        #expect(!Self.mixedPlan.text().contains("\u{1B}["))
        #expect(Self.mixedPlan.text(colored: true).contains("\u{1B}[31mDENY "))
    }

    /// One Directive of one job, daily at 05:00, three times over with catchUp none, latest and all;
    /// it last ran on 22 November and the controller finds it at 08:00 on the 26th: four runs missed.
    static var catchUpPlan: Plan {
        let yaml = ["none", "latest", "all"].map { mode in
            """
            apiVersion: ops.hms.gov/v1alpha1
            kind: Directive
            metadata: {name: dispatch-\(mode), namespace: power}
            spec:
              schedule: "05:00"
              timeZone: America/Chicago
              template: {image: registry.gov/power-worker:2.1}
              jobs: [{id: tx}]
              catchUp: \(mode)
            """
        }.joined(separator: "\n---\n")
        var state = desired(yaml)
        for index in state.directives.indices {
            state.directives[index].metadata.creationTimestamp = "2026-11-01T00:00:00Z"
            state.directives[index].status = Directive.Status(lastScheduleTime: "2026-11-22T11:00:00Z")
        }
        return Planner().plan(desired: state, observed: ObservedState(), ledger: Ledger(), now: time("2026-11-26T08:00:00-06:00"))
    }

    @Test func theCatchUpPlanMatchesTheGoldenFiles() throws {
        try compare(Self.catchUpPlan.text(), golden: "catch-up-plan.txt")
        try compare(Self.catchUpPlan.json.prettyPrinted, golden: "catch-up-plan.json")
    }

    @Test func theCatchUpPlanSaysWhatEachModeDoes() {
        let plan = Self.catchUpPlan
        let runs = { (name: String) in plan.actions.filter { $0.source.name == name }.map { $0.target.name } }
        #expect(runs("dispatch-none").isEmpty)
        #expect(runs("dispatch-latest") == ["dispatch-latest-20261126-1100-tx-1"])
        #expect(runs("dispatch-all") == ["23", "24", "25", "26"].map { "dispatch-all-202611\($0)-1100-tx-1" })
        #expect(plan.remarks == ["# Directive power/dispatch-none: catchUp none: 4 missed runs skipped"])
        #expect(plan.json["notes"]?.arrayValue?.first?["message"] == "catchUp none: 4 missed runs skipped")
        #expect(plan.actions.first { $0.source.name == "dispatch-latest" }?.reason
            == "scheduled run 2026-11-26 05:00 CST, missed while the controller was down: catchUp latest starts it; 3 older missed runs skipped")
    }

    private func compare(_ actual: String, golden name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs; if the change is intended, run UPDATE_GOLDEN=1 swift test")
    }
}

extension JSONValue {
    /// Two-space indented JSON with sorted keys, for golden files people read in review.
    var prettyPrinted: String {
        func render(_ value: JSONValue, _ indent: String) -> String {
            switch value {
            case .object(let members) where !members.isEmpty:
                let inner = indent + "  "
                return "{\n" + members.keys.sorted().map { inner + JSONValue.string($0).jsonText + ": " + render(members[$0] ?? .null, inner) }
                    .joined(separator: ",\n") + "\n" + indent + "}"
            case .array(let items) where !items.isEmpty:
                let inner = indent + "  "
                return "[\n" + items.map { inner + render($0, inner) }.joined(separator: ",\n") + "\n" + indent + "]"
            default:
                return value.jsonText
            }
        }
        return render(self, "") + "\n"
    }
}
