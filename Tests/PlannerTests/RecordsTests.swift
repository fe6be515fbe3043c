import Foundation
import Model
import Testing
@testable import Planner

/// What a pass records once its actions ran, decided without a cluster: the Events (named so that
/// a decision is one Event however many passes see it) and a Directive's status after its starts.
@Suite(.tags(.unit)) struct RecordsTests {
    let web = ObjectRef(kind: .serviceSpec, namespace: "gov", name: "web")
    let nightly = ObjectRef(kind: .directive, namespace: "gov", name: "nightly")
    let runTime = Date(timeIntervalSince1970: 1_800_000_000)

    func scale(_ result: ActionOutcome.Result) -> ActionOutcome {
        var action = Action(
            source: web, target: ObjectRef(kind: .deployment, namespace: "gov", name: "web"), change: .replicas(ReplicaChange(from: 10, to: 12)),
            reason: "manifest", gates: [GateVerdict(gate: "governance", verdict: .hold, reason: "[max-replicas] 12 replicas need approval above 10")])
        action.id = "a1"
        return ActionOutcome(action: action, result: result)
    }

    func start(_ job: String, run: String = "r1", _ result: ActionOutcome.Result = .done) -> ActionOutcome {
        let attempt = JobAttempt(run: run, runTime: runTime, trigger: .schedule, job: job, attempt: 1, maxAttempts: 3)
        let action = Action(source: nightly, target: ObjectRef(kind: .job, namespace: "gov", name: "nightly-\(run)-\(job)"), change: .startJob(attempt),
                            reason: "scheduled", gates: [])
        return ActionOutcome(action: action, result: result)
    }

    @Test func heldAndDoneAreEventsOfTheirOwn() {
        let held = Records.event(for: scale(.notCarriedOut(.hold)), uid: nil)
        let done = Records.event(for: scale(.done), uid: "uid-1")
        #expect(held.name == "web.a1.held")
        #expect(held.reason == "ActionHeld")
        #expect(held.message == "scale Deployment web 10 → 12: [max-replicas] 12 replicas need approval above 10 (a1)")
        #expect(done.name == "web.a1.done")
        #expect(done.reason == "Scaled")
        #expect(done.uid == "uid-1")
    }

    @Test func longNamesAreShortenedToAValidName() {
        let name = PlannedEvent.name(String(repeating: "a", count: 240) + "-" + String(repeating: "b", count: 20), "0123456789abcdef.held")
        #expect(name.count <= 253)
        #expect(name.hasSuffix("a.0123456789abcdef.held"))
    }

    @Test func jobStartsAreOneEventPerRunAndOutcome() {
        let outcomes = (1...5).map { start("j\($0)") } + [start("j6", .failed("quota exceeded")), start("k1", run: "r2")]
        let events = Records.runStartEvents(outcomes, uids: [nightly: "uid-n"])
        #expect(events.map(\.message) == [
            "started 5 jobs of run r1 (nightly-r1-j1, nightly-r1-j2, nightly-r1-j3, ...)",
            "not started 1 job of run r1 (nightly-r1-j6): quota exceeded",
            "started 1 job of run r2 (nightly-r2-k1)",
        ])
        #expect(events.map(\.reason) == ["JobStarted", "ActionFailed", "JobStarted"])
        #expect(Set(events.map(\.name)).count == 3)
        #expect(events.allSatisfy { $0.uid == "uid-n" && $0.about == nightly })
        // The same starts, seen again, are the same Events.
        #expect(Records.runStartEvents(outcomes, uids: [nightly: "uid-n"]) == events)
    }

    @Test func aFailedStartSaysWhyInItsJobAndAnUnchangedStatusIsNotWritten() {
        let job = Directive.Status.JobStatus(id: "j1", state: .pending, attempts: 1, jobName: "nightly-r1-j1")
        let status = Directive.Status(runs: [Directive.Status.Run(scheduledTime: "2027-01-15T08:00:00Z", date: "2027-01-15", jobs: [job])])
        let report = DirectiveReport(directive: nightly, status: status)
        let failed = Records.directiveStatus(report, stored: status, outcomes: [start("j1", .failed("admission webhook denied"))])
        #expect(failed?.runs?.first?.jobs.first?.message == "could not create the Job: admission webhook denied")
        #expect(Records.directiveStatus(report, stored: status, outcomes: [start("j1")]) == nil)
        #expect(Records.directiveStatus(report, stored: nil, outcomes: []) == status)
    }

    @Test func anOutageIsOneEventNamedByWhenItBegan() throws {
        let service = ServiceSpec(metadata: ObjectMeta(name: "web", namespace: "gov", uid: "uid-w"),
                                  spec: ServiceSpec.Spec(image: "registry.gov/web:1.0", replicas: 2, port: 8080))
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let degraded = ServiceHealth(pods: 2, failing: 2, replace: [], degraded: true, failingSince: since)
        let event = try #require(Records.degradedEvent(service, health: degraded))
        #expect(event.reason == ServiceHealth.degradedReason)
        #expect(event.type == "Warning")
        #expect(!event.countsRepeats)
        #expect(Records.degradedEvent(service, health: degraded)?.name == event.name)
        let later = ServiceHealth(pods: 2, failing: 2, replace: [], degraded: true, failingSince: since + 3600)
        #expect(Records.degradedEvent(service, health: later)?.name != event.name)
        #expect(Records.degradedEvent(service, health: ServiceHealth(pods: 2, failing: 1, replace: ["p"], degraded: false)) == nil)
    }

    @Test func anIncidentIsRaisedOncePerRun() {
        let incident = Incident(reason: .sloBreached, source: nightly, runID: "r1", message: "run r1 missed its SLO")
        let events = Records.incidentEvents([DirectiveReport(directive: nightly, uid: "uid-n", status: Directive.Status(), incidents: [incident])])
        #expect(events.map(\.name) == ["nightly.slobreached.r1"])
        #expect(events.first?.countsRepeats == false)
        #expect(events.first?.reason == "SLOBreached")
    }
}
