import Foundation
import JSON
import Model
import Testing

@testable import Planner

/// Directives through the whole planner: actions, the Job they create, the gates, the status.
@Suite("Directive plans", .tags(.unit))
struct DirectivePlanTests {
    let dueNow = time("2026-11-26T05:00:20-06:00")

    func plan(_ directive: Directive, with yaml: String = "", jobs: [ObservedJob] = [], spent: Double = 0) -> Plan {
        var state = desired(yaml.isEmpty ? "" : yaml)
        state.directives.append(directive)
        var observed = ObservedState()
        observed.directiveJobs[directive.ref] = jobs
        let ledger = Ledger(spentUSD: [ObjectRef(kind: .budget, namespace: "power", name: "power"): spent])
        return Planner().plan(desired: state, observed: observed, ledger: ledger, now: dueNow)
    }

    @Test func aDueRunIsOneStartJobActionPerJob() throws {
        let result = plan(try dispatch())
        #expect(result.actions.map(\.verb) == [.startJob, .startJob, .startJob])
        let start = result.actions[0]
        #expect(start.source == ObjectRef(kind: .directive, namespace: "power", name: "dispatch"))
        #expect(start.target == ObjectRef(kind: .job, namespace: "power", name: "dispatch-20261126-1100-tx-1"))
        #expect(start.change == .startJob(JobAttempt(run: "20261126-1100", runTime: time("2026-11-26T11:00:00Z"), trigger: .schedule, job: "tx",
                                                     attempt: 1, maxAttempts: 3)))
        #expect(start.finalVerdict == .allow)
        #expect(result.summaryLine == "Plan: 0 to deploy, 0 to scale, 0 to restart, 0 to delete, 3 jobs to start.")
        #expect(result.text().contains("▶ start-job Job power/dispatch-20261126-1100-tx-1 (Directive dispatch)\n    job:        tx → attempt 1 of 3\n    reason:     scheduled run 2026-11-26 05:00 CST\n"))
        #expect(result.requeueAt == time("2026-11-26T06:00:00-06:00"))
    }

    @Test func theJobCarriesThePayloadLabelsAndLimits() throws {
        let manifest = try #require(plan(try dispatch()).actions.first?.manifests.first)
        #expect(manifest["apiVersion"] == "batch/v1")
        #expect(manifest["kind"] == "Job")
        #expect(manifest[path: ["metadata", "labels"]] == [
            "app.kubernetes.io/managed-by": "hms-controller", "ops.hms.gov/directive": "dispatch", "ops.hms.gov/run": "20261126-1100",
            "ops.hms.gov/job": "tx", "ops.hms.gov/attempt": "1",
        ])
        #expect(manifest[path: ["metadata", "annotations", "ops.hms.gov/scheduled-time"]] == "2026-11-26T11:00:00Z")
        #expect(manifest[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"] == "uid-dispatch")
        #expect(manifest[path: ["spec", "backoffLimit"]] == 0)
        #expect(manifest[path: ["spec", "activeDeadlineSeconds"]] == 1800)
        #expect(manifest[path: ["spec", "template", "spec", "restartPolicy"]] == "Never")
        let container = try #require(manifest[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        #expect(container["image"] == "registry.gov/power-worker:2.1")
        #expect(container["command"] == ["dispatch"])
        #expect(container[path: ["resources", "requests"]] == ["cpu": "1", "memory": "1Gi"])
        let env = Dictionary((container["env"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["value"]?.stringValue ?? "") },
                             uniquingKeysWith: { first, _ in first })
        #expect(env["HMS_PAYLOAD"] == #"{"megawatts":400,"region":"TX"}"#)
        #expect(env["HMS_RUN_ID"] == "20261126-1100")
        #expect(env["HMS_JOB_ID"] == "tx")
        #expect(env["HMS_ATTEMPT"] == "1")
        // A job without a payload gets an empty object.
        let ar = try #require(plan(try dispatch()).actions.last?.manifests.first)
        let arEnv = ar[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["env"]?.arrayValue ?? []
        #expect(arEnv.first { $0["name"] == "HMS_PAYLOAD" }?["value"] == "{}")
    }

    @Test func aForeignImageIsDeniedAndTheStatusSaysWhy() throws {
        let foreign = try dispatch(dispatchYAML.replacingOccurrences(of: "registry.gov/power-worker", with: "docker.io/power-worker"))
        let policy = """
            apiVersion: ops.hms.gov/v1alpha1
            kind: GovernancePolicy
            metadata: {name: rules, namespace: power}
            spec: {allowedRegistries: [registry.gov/]}
            """
        let result = plan(foreign, with: policy)
        #expect(result.actions.map(\.finalVerdict) == [.deny, .deny, .deny])
        let tx = try #require(result.directives.first?.status.runs?.first?.jobs.first)
        #expect(tx.state == .pending)
        #expect(tx.attempts == 0)
        #expect(tx.jobName == nil)
        #expect(tx.message == "attempt 1 denied: [registry] image docker.io/power-worker:2.1 is not from an allowed registry (registry.gov/) (GovernancePolicy rules)")
    }

    @Test func aFreezeOnStartJobDefers() throws {
        let freeze = """
            apiVersion: ops.hms.gov/v1alpha1
            kind: GovernancePolicy
            metadata: {name: freeze, namespace: power}
            spec:
              freezeWindows:
              - {schedule: "0 4 * * *", durationMinutes: 120, timeZone: America/Chicago, blocks: [start-job]}
            """
        let result = plan(try dispatch(), with: freeze)
        #expect(result.actions.map(\.finalVerdict) == [.defer, .defer, .defer])
        #expect(result.directives.first?.status.runs?.first?.jobs.first?.message?.hasPrefix("attempt 1 deferred: [freeze]") == true)
    }

    /// $1/h per job (1 core at $0.75, 1 GiB at $0.25) for at most 30 minutes: $0.50 a job.
    func powerBudget(limit: Double, soft: Double? = nil) -> String {
        """
        apiVersion: ops.hms.gov/v1alpha1
        kind: Budget
        metadata: {name: power, namespace: power}
        spec:
          selector: {matchLabels: {program: power}}
          monthlyLimitUSD: \(limit)
          pricing: {cpuCoreHourUSD: 0.75, memoryGiBHourUSD: 0.25}
        \(soft.map { "  softLimitPercent: \($0)" } ?? "")
        """
    }

    @Test func theBudgetPricesEachJobAtItsLongestRun() throws {
        let result = plan(try dispatch(), with: powerBudget(limit: 100), spent: 10)
        #expect(result.actions.map(\.costDeltaUSDPerHour) == [1, 1, 1])
        #expect(result.actions.map(\.finalVerdict) == [.allow, .allow, .allow])
        #expect(result.actions.map { $0.gates.first?.reason } == [
            "[budget] Budget power: the job costs at most $0.50 ($1.00/h, maxRuntimeSeconds 1800); projected $10.50 of $100.00",
            "[budget] Budget power: the job costs at most $0.50 ($1.00/h, maxRuntimeSeconds 1800); projected $11.00 of $100.00",
            "[budget] Budget power: the job costs at most $0.50 ($1.00/h, maxRuntimeSeconds 1800); projected $11.50 of $100.00",
        ])
    }

    @Test func jobsBeyondTheLimitAreDeniedAndAboveTheSoftLimitHeld() throws {
        let tight = plan(try dispatch(), with: powerBudget(limit: 11), spent: 10)
        #expect(tight.actions.map(\.finalVerdict) == [.allow, .allow, .deny])
        let soft = plan(try dispatch(), with: powerBudget(limit: 100, soft: 10.8), spent: 10)
        #expect(soft.actions.map(\.finalVerdict) == [.allow, .hold, .hold])
        // Held jobs are listed first, as failing ones.
        let held = try #require(soft.directives.first?.status.runs?.first?.jobs.first { $0.id == "ok" })
        #expect(held.message?.hasPrefix("attempt 1 held for approval (\(soft.actions[1].id)): [budget-soft-limit]") == true)
    }

    @Test func anSLOBreachIsAnIncidentInThePlan() throws {
        var late = try dispatch(lastRun: "2026-11-25T05:00:00-06:00")
        late.status?.lastScheduleTime = "2026-11-26T11:00:00Z"
        var state = DesiredState()
        state.directives = [late]
        var observed = ObservedState()
        observed.directiveJobs[late.ref] = [job("tx", .active, started: "2026-11-26T05:00:21-06:00")]
        let result = Planner().plan(desired: state, observed: observed, ledger: Ledger(), now: time("2026-11-26T06:30:00-06:00"))
        #expect(result.incidents.map(\.reason) == [.sloBreached])
        #expect(result.text().hasPrefix("No changes. The cluster matches the manifests.\n! SLOBreached Directive power/dispatch: run 2026-11-26 05:00 CST was not complete"))
        #expect(result.json["incidents"]?.arrayValue?.first?["reason"] == "SLOBreached")
    }

    @Test func observedJobsAreFiledUnderTheirDirective() {
        let object: JSONValue = [
            "metadata": [
                "name": "dispatch-20261126-1100-tx-2", "namespace": "power",
                "labels": [
                    "app.kubernetes.io/managed-by": "hms-controller", "ops.hms.gov/directive": "dispatch", "ops.hms.gov/run": "20261126-1100",
                    "ops.hms.gov/job": "tx", "ops.hms.gov/attempt": "2",
                ],
                "annotations": ["ops.hms.gov/directive-name": "dispatch"],
            ],
            "status": [
                "startTime": "2026-11-26T11:00:21Z",
                "conditions": [["type": "Failed", "status": "True", "reason": "DeadlineExceeded", "lastTransitionTime": "2026-11-26T11:30:21Z",
                                "message": "Job was active longer than specified deadline"]],
            ],
        ]
        let state = ObservedState(deployments: [], jobs: [object, ["metadata": ["name": "someone-elses"]]])
        let jobs = state.directiveJobs[ObjectRef(kind: .directive, namespace: "power", name: "dispatch")] ?? []
        #expect(jobs.count == 1)
        #expect(jobs.first?.phase == .timedOut)
        #expect(jobs.first?.attempt == 2)
        #expect(jobs.first?.finishTime == time("2026-11-26T11:30:21Z"))
        #expect(jobs.first?.state == .timedOut)

        // With backoffLimit 0, the Job's generic "backoff limit" message is left out.
        var failed = object
        failed[path: ["status", "conditions"]] = [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                                   "message": "Job has reached the specified backoff limit"]]
        #expect(ObservedJob(failed)?.phase == .failed)
        #expect(ObservedJob(failed)?.message == nil)
    }
}
