import Foundation
import JSON
import Manifests
import Model
import Testing
@testable import Planner

/// Builds desired state from YAML, the way users write it, with every approver standing as
/// `approvers` says (by default: the cluster still lets each one approve).
func desired(_ yaml: String, approvers: ApproverStanding = .authorized) -> DesiredState {
    let result = ManifestDecoder().decode(Array(yaml.utf8), file: "test.yaml")
    for diagnostic in result.diagnostics { Issue.record("the test's YAML is invalid: \(diagnostic)") }
    var state = DesiredState(result.manifests.map(\.resource))
    state.approverStandings = ApproverStandings(Dictionary(state.approvals.map { (Approver(of: $0), approvers) }) { first, _ in first })
    return state
}

let now = RFC3339.date(from: "2026-11-16T00:00:00Z") ?? Date()  // 15 days (360 h) left in November

let webService = """
    apiVersion: ops.hms.gov/v1alpha1
    kind: ServiceSpec
    metadata: {name: web, namespace: aid, labels: {program: aid}}
    spec:
      image: registry.gov/web:1.0
      replicas: 4
      port: 8080
      resources: {cpu: "1", memory: 1Gi}
      healthCheck: {path: /health, failureThreshold: 2}
    """

/// $1/h per replica: 1 core at $0.75 plus 1 GiB at $0.25.
func budget(limit: Double, soft: Double? = nil, warn: Bool = false) -> String {
    """

    ---
    apiVersion: ops.hms.gov/v1alpha1
    kind: Budget
    metadata: {name: aid, namespace: aid}
    spec:
      selector: {matchLabels: {program: aid}}
      monthlyLimitUSD: \(limit)
      pricing: {cpuCoreHourUSD: 0.75, memoryGiBHourUSD: 0.25}
    \(soft.map { "  softLimitPercent: \($0)" } ?? "")
    \(warn ? "  enforcement: warn" : "")
    """
}

let governance = """

    ---
    apiVersion: ops.hms.gov/v1alpha1
    kind: GovernancePolicy
    metadata: {name: rules, namespace: aid}
    spec:
      maxReplicasWithoutApproval: 10
      allowedRegistries: [registry.gov/]
    """

/// The live Deployment as the planner would have rendered it for `replicas`.
func live(_ yaml: String = webService, replicas: Int) -> JSONValue {
    guard let service = desired(yaml).services.first else { return .null }
    var deployment = Rendering.deployment(service, replicas: replicas)
    // What the apiserver adds must not read as a difference.
    deployment[path: ["spec", "template", "spec", "containers"]] = .array(
        (deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).map { container in
            var container = container
            container["imagePullPolicy"] = "IfNotPresent"
            container[path: ["readinessProbe", "timeoutSeconds"]] = 1
            return container
        })
    deployment[path: ["metadata", "uid"]] = "u-1"
    return deployment
}

func observed(_ deployments: JSONValue..., services: [JSONValue] = [], pods: [ObservedPod] = []) -> ObservedState {
    ObservedState(deployments: deployments, services: services, pods: pods)
}

let frontService: JSONValue = ["kind": "Service", "metadata": ["name": "web", "namespace": "aid"]]

func plan(_ yaml: String, _ observed: ObservedState = ObservedState(), spent: Double = 0, options: Planner.Options = .init()) -> Plan {
    let ledger = Ledger(spentUSD: [ObjectRef(kind: .budget, namespace: "aid", name: "aid"): spent])
    return Planner(options: options).plan(desired: desired(yaml), observed: observed, ledger: ledger, now: now)
}

@Suite(.tags(.unit)) struct PlanActionTests {
    @Test func aNewServiceIsDeployedWithItsService() {
        let result = plan(webService)
        #expect(result.actions.map(\.verb) == [.deploy])
        let deploy = result.actions[0]
        #expect(deploy.change == .replicas(ReplicaChange(from: nil, to: 4)))
        #expect(deploy.target == ObjectRef(kind: .deployment, namespace: "aid", name: "web"))
        #expect(deploy.manifests.map { $0["kind"] } == ["Deployment", "Service"])
        let container = deploy.manifests[0][path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
        #expect(container?["readinessProbe"] == ["httpGet": ["path": "/health", "port": 8080], "failureThreshold": 2])
        // Liveness tolerates more: an outage makes pods unready, not restarted in a loop.
        #expect(container?["livenessProbe"] == ["httpGet": ["path": "/health", "port": 8080], "failureThreshold": 6])
        #expect(container?[path: ["resources", "requests"]] == ["cpu": "1", "memory": "1Gi"])
        #expect(deploy.manifests[0][path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] == "hms-controller")
    }

    @Test func aClusterThatMatchesGivesAnEmptyPlan() {
        let result = plan(webService, observed(live(replicas: 4), services: [frontService]))
        #expect(result.isEmpty)
        #expect(result.text() == "No changes. The cluster matches the manifests.\n")
    }

    @Test func aChangedReplicaCountIsAScale() {
        let result = plan(webService, observed(live(replicas: 2), services: [frontService]))
        #expect(result.actions.map(\.verb) == [.scale])
        #expect(result.actions[0].change == .replicas(ReplicaChange(from: 2, to: 4)))
    }

    @Test func aChangedImageIsAnUpdate() {
        let result = plan(webService.replacingOccurrences(of: "web:1.0", with: "web:1.1"), observed(live(replicas: 4), services: [frontService]))
        #expect(result.actions.map(\.verb) == [.update])
        #expect(result.actions[0].change == .template(TemplateDiff(fromImage: "registry.gov/web:1.0", toImage: "registry.gov/web:1.1",
                                                                  fields: [.image(from: "registry.gov/web:1.0", to: "registry.gov/web:1.1")])))
        #expect(result.actions[0].reason == "changed: image registry.gov/web:1.0 → registry.gov/web:1.1")
    }

    @Test func aChangedEnvironmentIsAnUpdate() {
        let withEnv = webService + "\n  env: [{name: MODE, value: strict}]"
        let result = plan(withEnv, observed(live(replicas: 4), services: [frontService]))
        #expect(result.actions.map(\.reason) == ["changed: env"])
    }

    @Test func aNewRestartedAtIsARollingRestart() {
        let restarted = webService + "\n  restartedAt: 2026-11-16T00:00:00Z"
        let result = plan(restarted, observed(live(replicas: 4), services: [frontService]))
        #expect(result.actions.map(\.verb) == [.restart])
        #expect(result.actions[0].manifests.first?[path: ["spec", "template", "metadata", "annotations", "ops.hms.gov/restartedAt"]] == "2026-11-16T00:00:00Z")
        // Once the live template carries it, nothing more to do.
        #expect(plan(restarted, observed(live(restarted, replicas: 4), services: [frontService])).isEmpty)
    }

    @Test func objectsWeDidNotCreateAreLeftAlone() {
        var foreign = live(replicas: 1)
        foreign[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] = nil
        #expect(plan(webService, observed(foreign, services: [frontService])).isEmpty)
    }

    @Test func pruneDeletesOnlyManagedObjectsNoManifestDeclares() {
        var other = live(replicas: 2)
        other[path: ["metadata", "name"]] = "old"
        var foreign = other
        foreign[path: ["metadata", "name"]] = "theirs"
        foreign[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] = nil
        let state = observed(live(replicas: 4), other, foreign, services: [frontService])
        #expect(plan(webService, state).isEmpty)
        let pruned = plan(webService, state, options: .init(prune: true))
        #expect(pruned.actions.map { "\($0.verb) \($0.target.name)" } == ["delete old"])
    }

    @Test func anAutoscaleRecommendationDecidesTheReplicas() {
        let options = Planner.Options(recommendations: [
            ObjectRef(kind: .serviceSpec, namespace: "aid", name: "web"): .init(replicas: 7, rule: "web", reason: "http_rps 700 per pod, target 500"),
        ])
        let result = plan(webService, observed(live(replicas: 4), services: [frontService]), options: options)
        #expect(result.actions.map(\.change) == [.replicas(ReplicaChange(from: 4, to: 7))])
        #expect(result.actions[0].reason == "AutoscaleRule web: http_rps 700 per pod, target 500")
    }

    @Test func aRuleInRecommendModeLeavesTheCountToTheSpec() {
        let rule = """

            ---
            apiVersion: ops.hms.gov/v1alpha1
            kind: AutoscaleRule
            metadata: {name: web, namespace: aid}
            spec:
              target: web
              minReplicas: 2
              maxReplicas: 10
              metrics: [{type: cpu, targetUtilization: 50}]
              mode: recommend
            """
        #expect(plan(webService + rule).actions.map(\.change.toText) == ["4"])
        #expect(plan(webService + rule, observed(live(replicas: 9), services: [frontService])).actions.map(\.change.toText) == ["4"])
        // Enforced, the same rule keeps the live count within its bounds.
        let enforced = rule.replacingOccurrences(of: "mode: recommend", with: "mode: enforce")
        #expect(plan(webService + enforced).actions.map(\.change.toText) == ["2"])
    }

    @Test func actionIdsAreStableAndNameWhatTheyDo() {
        let first = plan(webService, observed(live(replicas: 2), services: [frontService])).actions[0].id
        let again = plan(webService, observed(live(replicas: 2), services: [frontService])).actions[0].id
        let other = plan(webService, observed(live(replicas: 3), services: [frontService])).actions[0].id
        #expect(first == again)
        #expect(first != other)
        #expect(first.hasPrefix("act-") && first.count == 20)
    }
}

@Suite(.tags(.unit)) struct GateTests {
    @Test func theBudgetAllowsWhatFits() {
        // 4 replicas at $1/h for 360 h: $1,440 of $10,000.
        let deploy = plan(webService + budget(limit: 10_000)).actions[0]
        #expect(deploy.gates.first { $0.gate == "budget" } == GateVerdict(gate: "budget", verdict: .allow, reason: "[budget] Budget aid: 4 replicas project $1,440.00 of $10,000.00"))
        #expect(deploy.costDeltaUSDPerHour == 4)
    }

    @Test func theBudgetClampsAScaleUpToWhatFits() {
        // 2 run; 9 would project 9 x 360 = $3,240 of $1,500; $1,500 / 360 h = $4.17/h: 4 replicas fit.
        let nine = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 9")
        let scale = plan(nine + budget(limit: 1_500), observed(live(replicas: 2), services: [frontService])).actions[0]
        #expect(scale.finalVerdict == .clamp)
        #expect(scale.change == .replicas(ReplicaChange(from: 2, to: 4, requested: 9)))
        #expect(scale.gates[0].reason == "[budget] Budget aid: 9 replicas would project $3,240.00 of $1,500.00; clamped to 4 ($1,440.00)")
        #expect(scale.patch?[path: ["spec", "replicas"]] == 4)
        #expect(scale.costDeltaUSDPerHour == 2)
        #expect(Plan(actions: [scale]).text().contains("    replicas:   2 → 4 (asked for 9)\n"))
        // What was spent counts: with $400 gone, ($1,100 / 360 h) = $3.06/h leaves room for 3.
        let spent = plan(nine + budget(limit: 1_500), observed(live(replicas: 2), services: [frontService]), spent: 400).actions[0]
        #expect((spent.change.toText, spent.finalVerdict) == ("3", .clamp))
    }

    @Test func theBudgetDeniesWhenNoReplicaFits() {
        let result = plan(webService + budget(limit: 1_000), observed(live(replicas: 2), services: [frontService]), spent: 900)
        #expect(result.actions[0].finalVerdict == .deny)
        #expect(result.actions[0].gates[0].reason.hasSuffix("no count above 2 fits"))
    }

    @Test func aboveTheSoftLimitAScaleUpIsHeld() {
        let result = plan(webService + budget(limit: 1_500, soft: 80), observed(live(replicas: 2), services: [frontService]))
        // 4 x 360 = $1,440 is 96% of $1,500.
        #expect(result.actions[0].gates[0] == GateVerdict(
            gate: "budget", verdict: .hold,
            reason: "[budget-soft-limit] Budget aid: 4 replicas project $1,440.00 of $1,500.00 (96%), above the soft limit of 80%: needs approval"))
    }

    @Test func warnOnlyBudgetsReportButAllow() {
        let result = plan(webService + budget(limit: 100, warn: true), observed(live(replicas: 2), services: [frontService]))
        #expect(result.actions[0].finalVerdict == .allow)
        #expect(result.actions[0].gates[0].reason.contains("(warn only)"))
    }

    @Test func scaleDownsAlwaysPassTheBudget() {
        let result = plan(webService + budget(limit: 1), observed(live(replicas: 6), services: [frontService]), spent: 5_000)
        #expect(result.actions[0].finalVerdict == .allow)
        #expect(result.actions[0].costDeltaUSDPerHour == -2)
        #expect(result.actions[0].gates[0].reason.hasSuffix("saves $2.00/h"))
    }

    @Test func actionsSpendTheBudgetInPlanOrder() {
        let second = webService.replacingOccurrences(of: "name: web,", with: "name: worker,")
        let result = plan(webService + "\n---\n" + second + budget(limit: 2_000))
        // $2,000 / 360 h = $5.56/h: web takes 4, worker gets the 1 left of its 4.
        #expect(result.actions.map { "\($0.target.name) \($0.change.toText) \($0.finalVerdict.rawValue)" } == ["web 4 ALLOW", "worker 1 CLAMP"])
    }

    @Test func governanceHoldsAboveTheApprovalThreshold() {
        let twelve = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
        let result = plan(twelve + governance, observed(live(replicas: 4), services: [frontService]))
        #expect(result.actions[0].finalVerdict == .hold)
        #expect(result.actions[0].gates.last?.reason == "[max-replicas] 12 replicas need approval above 10 (GovernancePolicy rules)")
    }

    @Test func governanceDeniesImagesFromOtherRegistries() {
        let foreign = webService.replacingOccurrences(of: "registry.gov/web:1.0", with: "docker.io/web:1.0")
        let result = plan(foreign + governance)
        #expect(result.actions[0].finalVerdict == .deny)
        #expect(result.actions[0].gates.last?.reason == "[registry] image docker.io/web:1.0 is not from an allowed registry (registry.gov/) (GovernancePolicy rules)")
    }

    @Test func registriesMatchAtAPathBoundaryOfTheParsedReference() {
        let policy = governance.replacingOccurrences(of: "allowedRegistries: [registry.gov/]", with: "allowedRegistries: [registry.gov, registry.gov:5000/team]")
        func verdict(_ image: String) -> Verdict? {
            plan(webService.replacingOccurrences(of: "registry.gov/web:1.0", with: image) + policy).actions.first?.finalVerdict
        }
        #expect(verdict("registry.gov.attacker.io/x:1") == .deny)
        #expect(verdict("registry.gov:5000/x:1") == .deny)
        #expect(verdict("registry.gov:5000/teamx/y:1") == .deny)
        #expect(verdict("registry.gov/x:1") == .allow)
        #expect(verdict("registry.gov:5000/team/y:1") == .allow)
    }

    @Test func aFreezeWindowDefersWhatItBlocksInTheDirectionItBlocks() {
        // Every day from 23:00 UTC for 2 hours: 00:00 on the 16th is inside.
        let freeze = governance + "\n  freezeWindows: [{schedule: \"0 23 * * *\", durationMinutes: 120, blocks: [scale-up]}]"
        let up = plan(webService + freeze, observed(live(replicas: 2), services: [frontService]))
        #expect(up.actions[0].finalVerdict == .defer)
        #expect(up.actions[0].gates.last?.reason == "[freeze] the window \"0 23 * * *\" blocks scale-up until 2026-11-16T01:00:00Z (GovernancePolicy rules)")
        let down = plan(webService + freeze, observed(live(replicas: 6), services: [frontService]))
        #expect(down.actions[0].finalVerdict == .allow)
    }

    @Test func anApprovalReleasesExactlyTheActionItNames() {
        let twelve = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 12")
        let state = observed(live(replicas: 4), services: [frontService])
        let held = plan(twelve + governance, state).actions[0]
        func approval(_ id: String, decision: String = "approve", expires: String = "2026-11-17T00:00:00Z") -> String {
            "\n---\napiVersion: ops.hms.gov/v1alpha1\nkind: Approval\nmetadata: {name: ok, namespace: aid}\nspec: {action: \(id), approvedBy: alice, expiresAt: \"\(expires)\", decision: \(decision)}\n"
        }
        let released = plan(twelve + governance + approval(held.id), state).actions[0]
        #expect(released.finalVerdict == .allow)
        #expect(released.gates.last?.reason.hasSuffix("; approved by alice (Approval ok)") == true)
        // An expired approval, or one for another action, releases nothing.
        #expect(plan(twelve + governance + approval(held.id, expires: "2026-11-15T00:00:00Z"), state).actions[0].finalVerdict == .hold)
        let thirteen = webService.replacingOccurrences(of: "replicas: 4", with: "replicas: 13")
        #expect(plan(thirteen + governance + approval(held.id), state).actions[0].finalVerdict == .hold)
        #expect(plan(twelve + governance + approval(held.id, decision: "reject"), state).actions[0].finalVerdict == .deny)
    }

    @Test func aPausedServiceIsPlannedButDeferred() {
        let paused = webService + "\n  paused: true"
        let result = plan(paused, observed(live(replicas: 2), services: [frontService]))
        #expect(result.actions[0].finalVerdict == .defer)
        #expect(result.actions[0].gates[0].reason == "[paused] spec.paused is true: planned, not carried out")
    }
}

/// Objects the cluster holds but that do not decode or validate still count: what they may own is
/// never pruned, and an invalid policy or budget holds back what it could have governed.
@Suite(.tags(.unit)) struct InvalidObjectPlanTests {
    func withInvalid(_ yaml: String, _ invalid: InvalidObject...) -> DesiredState {
        var state = desired(yaml)
        state.invalid = invalid
        return state
    }

    func plan(_ state: DesiredState, _ observed: ObservedState, prune: Bool = false) -> Plan {
        Planner(options: .init(prune: prune)).plan(desired: state, observed: observed, ledger: Ledger(spentUSD: [:]), now: now)
    }

    let brokenPolicy = InvalidObject(kind: "GovernancePolicy", namespace: "aid", name: "rules", issues: [FieldIssue(FieldPath("spec.freezeWindows").index(0).key("schedule"), "bad cron")])

    @Test func anInvalidPolicyDefersADeploy() {
        let result = plan(withInvalid(webService, brokenPolicy), ObservedState())
        #expect(result.actions.map(\.finalVerdict) == [.defer])
        #expect(result.actions[0].gates.first?.reason
            == "[invalid-gate-input] GovernancePolicy rules is invalid (spec.freezeWindows[0].schedule: bad cron): changes it could govern wait until it is fixed")
    }

    @Test func anInvalidBudgetDefersAScaleUpButNotAScaleDown() {
        let brokenBudget = InvalidObject(kind: "Budget", namespace: "aid", name: "aid", issues: [FieldIssue("spec.pricing", "required field is missing")])
        let up = plan(withInvalid(webService, brokenBudget), observed(live(replicas: 2), services: [frontService]))
        #expect(up.actions.map(\.finalVerdict) == [.defer])
        let down = plan(withInvalid(webService, brokenBudget), observed(live(replicas: 6), services: [frontService]))
        #expect(down.actions.map(\.finalVerdict) == [.allow])
    }

    @Test func anotherNamespacesInvalidPolicyChangesNothing() {
        var elsewhere = brokenPolicy
        elsewhere.namespace = "other"
        #expect(plan(withInvalid(webService, elsewhere), ObservedState()).actions.map(\.finalVerdict) == [.allow])
    }

    @Test func anInvalidServiceSpecKeepsItsDeployment() {
        let brokenService = InvalidObject(kind: "ServiceSpec", namespace: "aid", name: "web", issues: [FieldIssue("spec.resources.cpu", "bad")])
        var state = DesiredState()
        state.invalid = [brokenService]
        #expect(plan(state, observed(live(replicas: 4)), prune: true).isEmpty)
        // Without the finding, the same Deployment would be pruned.
        #expect(plan(DesiredState(), observed(live(replicas: 4)), prune: true).actions.map(\.verb) == [.delete])
    }
}
