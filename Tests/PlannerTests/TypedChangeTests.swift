import Foundation
import JSON
import Model
import Testing
@testable import Planner

/// An action says what it changes as values: the gates judge them, the id hashes every one of
/// them, and the manifests are rendered from them after the gates.
@Suite(.tags(.unit)) struct TypedChangeTests {
    let deployment = ObjectRef(kind: .deployment, namespace: "aid", name: "web")
    let runTime = Date(timeIntervalSince1970: 1_800_000_000)

    func attempt(run: String = "20270115-0700", runTime: Date? = nil, trigger: Directive.Trigger = .schedule, job: String = "tx",
                 attempt: Int = 1, maxAttempts: Int = 3) -> Change {
        .startJob(JobAttempt(run: run, runTime: runTime ?? self.runTime, trigger: trigger, job: job, attempt: attempt, maxAttempts: maxAttempts))
    }

    func template(_ fields: [TemplateDiff.Field], from: String = "registry.gov/web:1.0", to: String = "registry.gov/web:1.0") -> Change {
        .template(TemplateDiff(fromImage: from, toImage: to, fields: fields))
    }

    /// Changes that each differ from another of the list in one field only.
    var oneFieldApart: [Change] {
        let env = [EnvVar(name: "MODE", value: "strict")]
        let check = ServiceSpec.HealthCheck(path: "/health", port: 8080, periodSeconds: 10, failureThreshold: 3, initialDelaySeconds: 5)
        func edited(_ edit: (inout ServiceSpec.HealthCheck) -> Void) -> ServiceSpec.HealthCheck {
            var changed = check
            edit(&changed)
            return changed
        }
        let cpu = try? Quantity(parsing: "1"), moreCPU = try? Quantity(parsing: "2"), memory = try? Quantity(parsing: "1Gi")
        let owner = ServiceSpecOwner(name: "web", uid: "u-1")
        return [
            .replicas(ReplicaChange(from: 2, to: 4)), .replicas(ReplicaChange(from: 3, to: 4)), .replicas(ReplicaChange(from: 2, to: 5)),
            .replicas(ReplicaChange(from: 2, to: 4, requested: 9)), .replicas(ReplicaChange(from: 2, to: 4, requested: 8)),
            .replicas(ReplicaChange(from: nil, to: 4)),
            .exposeService(port: 8080), .exposeService(port: 8081),
            template([.env(env)]), template([.env([EnvVar(name: "MODE", value: "lax")])]), template([.env([EnvVar(name: "MODE", value: nil)])]),
            template([.env([EnvVar(name: "LEVEL", value: "strict")])]), template([.env(env)], from: "registry.gov/web:0.9"),
            template([.env(env)], to: "registry.gov/web:1.1"), template([.env(env), .ports(8080)]),
            template([.ports(8080)]), template([.ports(8081)]), template([.ports(nil)]),
            template([.resources(ResourceRequests(cpu: cpu, memory: memory))]), template([.resources(ResourceRequests(cpu: moreCPU, memory: memory))]),
            template([.resources(ResourceRequests(cpu: cpu))]), template([.resources(nil)]),
            template([.healthCheck(check)]), template([.healthCheck(edited { $0.path = "/ready" })]), template([.healthCheck(edited { $0.port = 9090 })]),
            template([.healthCheck(edited { $0.periodSeconds = 20 })]), template([.healthCheck(edited { $0.failureThreshold = 4 })]),
            template([.healthCheck(edited { $0.initialDelaySeconds = nil })]), template([.healthCheck(nil)]),
            template([.ownerReference(owner)]), template([.ownerReference(ServiceSpecOwner(name: "web", uid: "u-2"))]), template([.sourceAnnotation]),
            template([.containers(port: 8080, env: env, resources: nil, healthCheck: nil)]),
            template([.containers(port: 8081, env: env, resources: nil, healthCheck: nil)]),
            template([.containers(port: 8080, env: [], resources: nil, healthCheck: nil)]),
            template([.containers(port: 8080, env: env, resources: ResourceRequests(cpu: cpu), healthCheck: nil)]),
            template([.containers(port: 8080, env: env, resources: nil, healthCheck: check)]),
            .rollingRestart(from: nil, to: "2027-01-15T07:00:00Z"), .rollingRestart(from: "2027-01-14T07:00:00Z", to: "2027-01-15T07:00:00Z"),
            .rollingRestart(from: nil, to: "2027-01-16T07:00:00Z"),
            .replacePod,
            attempt(), attempt(run: "20270116-0700"), attempt(runTime: runTime.addingTimeInterval(60)), attempt(trigger: .manual),
            attempt(job: "ca"), attempt(attempt: 2), attempt(maxAttempts: 4),
            .prune(replicas: 3, condition: PruneCondition(uid: "u-1", owner: .serviceSpec(owner))),
            .prune(replicas: 2, condition: PruneCondition(uid: "u-1", owner: .serviceSpec(owner))),
            .prune(replicas: 3, condition: PruneCondition(uid: "u-2", owner: .serviceSpec(owner))),
            .prune(replicas: 3, condition: PruneCondition(uid: nil, owner: .serviceSpec(owner))),
            .prune(replicas: 3, condition: PruneCondition(uid: "u-1", owner: .serviceSpec(ServiceSpecOwner(name: "web", uid: "u-9")))),
            .prune(replicas: 3, condition: PruneCondition(uid: "u-1", owner: .serviceSpecNamed("web"))),
            .prune(replicas: 3, condition: PruneCondition(uid: "u-1", owner: .createdFromManifests)),
        ]
    }

    @Test func twoChangesThatDifferInAnyFieldHaveDifferentIds() {
        let changes = oneFieldApart
        let ids = changes.map { Action.id(target: deployment, change: $0) }
        #expect(Set(ids).count == changes.count)
        #expect(ids.allSatisfy { $0.hasPrefix("act-") && $0.count == 20 && $0.dropFirst(4).allSatisfy(\.isHexDigit) })
        // The same change of another object is another action.
        let other = ObjectRef(kind: .deployment, namespace: "aid", name: "api")
        #expect(Action.id(target: other, change: changes[0]) != ids[0])
    }

    @Test func whatThePlanShowsWhollyKeepsItsId() throws {
        // `verb|kind|namespace|name|from|to`, as approvals written before named them.
        #expect(Action.id(target: deployment, change: .replicas(ReplicaChange(from: 2, to: 4))) == "act-558bccc67b09391e")
        #expect(Action.id(target: deployment, change: .replicas(ReplicaChange(from: nil, to: 4))) == "act-4471276da333383d")
        // What it does not show follows: a job's run (the README's example).
        let job = ObjectRef(kind: .job, namespace: "power", name: "daily-power-dispatch-20261126-080331-power-tx-2")
        let retry = JobAttempt(run: "20261126-080331", runTime: try #require(RFC3339.date(from: "2026-11-26T08:03:31Z")), trigger: .manual,
                               job: "power-tx", attempt: 2, maxAttempts: 3)
        #expect(Action.id(target: job, change: .startJob(retry)) == "act-edcd9fc8ad9e1766")
    }

    @Test func changingTheChangeChangesTheId() {
        var action = Action(source: ObjectRef(kind: .serviceSpec, namespace: "aid", name: "web"), target: deployment,
                            change: .replicas(ReplicaChange(from: 2, to: 9)), reason: "spec.replicas is 9")
        let asked = action.id
        action.change = .replicas(ReplicaChange(from: 2, to: 4, requested: 9))
        #expect(action.id != asked)
        #expect(action.id == Action.id(target: deployment, change: action.change))
    }

    @Test func eachChangeReadsAsThePlanHasAlwaysShownIt() {
        let shown = [
            Change.replicas(ReplicaChange(from: nil, to: 4)), .replicas(ReplicaChange(from: 2, to: 4, requested: 9)),
            .exposeService(port: 8080), template([.env([])], from: "", to: "registry.gov/web:1.1"),
            .rollingRestart(from: nil, to: "2027-01-15T07:00:00Z"), .replacePod, attempt(),
            .prune(replicas: 3, condition: PruneCondition(uid: "u-1", owner: .createdFromManifests)),
        ].map { "\($0.verb.rawValue) \($0.fromText) → \($0.toText)\($0.requestedText.map { " (asked for \($0))" } ?? "")" }
        #expect(shown == [
            "deploy 0 → 4", "scale 2 → 4 (asked for 9)", "deploy none → port 8080", "update  → registry.gov/web:1.1",
            "restart never → 2027-01-15T07:00:00Z", "restart unhealthy → replaced", "start-job tx → attempt 1 of 3", "delete 3 → 0",
        ])
    }

    // MARK: - Through the planner

    let nine = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 9")

    @Test func updatesToTheSameImageWithDifferentEnvironmentsAreDifferentActions() {
        let state = observed(live(replicas: 4), services: [frontService])
        let strict = plan(webService + "\n  env: [{name: MODE, value: strict}]", state).actions
        let lax = plan(webService + "\n  env: [{name: MODE, value: lax}]", state).actions
        #expect(strict.map(\.verb) == [.update] && lax.map(\.verb) == [.update])
        #expect(strict.map(\.change.toText) == lax.map(\.change.toText))
        #expect(strict[0].id != lax[0].id)
    }

    @Test func aClampedScaleIsNamedByTheCountItCarriesOut() {
        let state = observed(live(replicas: 2), services: [frontService])
        // $1,500 for 360 h fits 4 replicas; with $400 spent, 3.
        let toFour = plan(nine + budget(limit: 1_500), state).actions[0]
        let toThree = plan(nine + budget(limit: 1_500), state, spent: 400).actions[0]
        #expect(toFour.change == .replicas(ReplicaChange(from: 2, to: 4, requested: 9)))
        #expect(toThree.change == .replicas(ReplicaChange(from: 2, to: 3, requested: 9)))
        #expect(toFour.id != toThree.id)
        #expect(toFour.id == Action.id(target: toFour.target, change: toFour.change))
    }

    @Test func anApprovalOfOneClampReleasesNoOther() {
        let state = observed(live(replicas: 2), services: [frontService])
        let rules = governance.replacingOccurrences(of: "maxReplicasWithoutApproval: 10", with: "maxReplicasWithoutApproval: 2")
        func approval(_ id: String) -> String {
            "\n---\napiVersion: ops.hms.gov/v1alpha1\nkind: Approval\nmetadata: {name: ok, namespace: aid}\nspec: {action: \(id), approvedBy: alice, expiresAt: \"2026-11-17T00:00:00Z\", decision: approve}\n"
        }
        let heldThree = plan(nine + budget(limit: 1_500) + rules, state, spent: 400).actions[0]
        #expect(heldThree.finalVerdict == .hold)
        #expect(heldThree.gates.last?.reason == "[max-replicas] 3 replicas need approval above 2 (GovernancePolicy rules)")
        // The budget now fits 4: the approval of 3 does not carry over to it.
        let four = plan(nine + budget(limit: 1_500) + rules + approval(heldThree.id), state).actions[0]
        #expect(four.change == .replicas(ReplicaChange(from: 2, to: 4, requested: 9)))
        #expect(four.finalVerdict == .hold)
        #expect(plan(nine + budget(limit: 1_500) + rules + approval(four.id), state).actions[0].finalVerdict == .clamp)
    }

    @Test func theBudgetClampsTheTypedCountAndTheManifestIsRenderedFromIt() {
        let desiredState = desired(nine + budget(limit: 1_500))
        let index = DesiredIndex(desiredState)
        let state = observed(live(replicas: 2), services: [frontService])
        let gates = Gates(index: index, observed: state, ledger: Ledger(), now: now)
        let asked = Action(source: ObjectRef(kind: .serviceSpec, namespace: "aid", name: "web"), target: deployment,
                           change: .replicas(ReplicaChange(from: 2, to: 9)), reason: "spec.replicas is 9")
        let judged = gates.judge([asked])[0]
        #expect(judged.change == .replicas(ReplicaChange(from: 2, to: 4, requested: 9)))
        // The gates judge values: nothing rendered yet, nothing edited.
        #expect(judged.manifests.isEmpty)
        let rendered = ActionRendering(index: index, observed: state, fromManifests: false, judged: [judged]).rendered(judged)
        // A running Deployment is scaled by its count alone.
        #expect(rendered.manifests.isEmpty)
        #expect(rendered.patch == ["spec": ["replicas": 4]])
    }

    @Test func aClampedFirstDeployIsRenderedWithTheClampedCountAndItsService() {
        let deploy = plan(nine + budget(limit: 1_500)).actions[0]
        #expect(deploy.change == .replicas(ReplicaChange(from: nil, to: 4, requested: 9)))
        #expect(deploy.manifests.map { $0["kind"] } == ["Deployment", "Service"])
        #expect(deploy.manifests.first?[path: ["spec", "replicas"]] == 4)
    }

    @Test func onlyWhatProceedsIsRendered() {
        let twelve = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
        let held = plan(twelve + governance, observed(live(replicas: 4), services: [frontService])).actions[0]
        #expect(held.finalVerdict == .hold)
        #expect(held.manifests.isEmpty)
    }

    @Test func aJobStartCarriesItsRunAndIsRenderedFromIt() throws {
        let directive = try JSONDecoder().decode(Directive.self, from: Data("""
            {"apiVersion":"ops.hms.gov/v1alpha1","kind":"Directive","metadata":{"name":"dispatch","namespace":"power"},
             "spec":{"schedule":"0 7 * * *","template":{"image":"registry.gov/w:1"},"jobs":[{"id":"tx"}]}}
            """.utf8))
        let job = DirectiveRendering.job(directive, JobAttempt(run: "20270115-0700", runTime: runTime, trigger: .manual, job: "tx", attempt: 2,
                                                              maxAttempts: 3), name: "dispatch-20270115-0700-tx-2")
        #expect(job[path: ["metadata", "name"]] == "dispatch-20270115-0700-tx-2")
        #expect(job[path: ["metadata", "labels", "ops.hms.gov/run"]] == "20270115-0700")
        #expect(job[path: ["metadata", "labels", "ops.hms.gov/attempt"]] == "2")
        #expect(job[path: ["metadata", "annotations", "ops.hms.gov/trigger"]] == "manual")
        #expect(attempt().run == "20270115-0700" && Change.replacePod.run == nil)
    }

    @Test func aKindIsItsWireNameOnTheWire() throws {
        let ref = ObjectRef(kind: .deployment, namespace: "aid", name: "web")
        #expect(String(decoding: try JSONEncoder().encode(ref.kind), as: UTF8.self) == #""Deployment""#)
        #expect(try JSONDecoder().decode(ObjectRef.self, from: try JSONEncoder().encode(ref)) == ref)
        #expect(ref.json == ["kind": "Deployment", "namespace": "aid", "name": "web"])
        #expect(ObjectKind(ServiceSpec.self) == .serviceSpec && ObjectKind("ServiceSpec") == .serviceSpec)
        #expect("\(ref)" == "Deployment aid/web")
    }
}
