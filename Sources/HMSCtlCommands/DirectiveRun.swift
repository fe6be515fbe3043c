import ArgumentParser
import Controller
import Foundation
import JSON
import Kube
import Model
import Planner

/// `hmsctl directive`: act on Directives.
struct DirectiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directive",
        abstract: "Act on Directives.",
        subcommands: [DirectiveRun.self]
    )
}

/// `hmsctl directive run NAME`: a run now, outside the schedule.
///
/// The request is an annotation on the Directive, `ops.hms.gov/run-requested-at: <RFC 3339 time>`:
/// a value the status has not handled yet (`status.lastHandledRunRequest`) asks for one run at that
/// time, whoever reconciles next (this command, `hmsctl apply`, or the controller). The run's Job
/// names come from that time, so however many of them act on it, each Job is created once.
struct DirectiveRun: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a run of a Directive now.",
        discussion: """
            Writes the annotation ops.hms.gov/run-requested-at on the Directive, then starts the \
            run's jobs through the gates (budget, governance, approvals), as apply does. With \
            --request-only, only writes the request and leaves the run to the controller. \
            A suspended Directive keeps the request until it is resumed.
            """
    )

    @Argument(help: "The Directive's name.")
    var name: String

    @Flag(help: "Only write the request; the controller (or the next apply) starts the run.")
    var requestOnly = false

    @Option(help: "The decision journal (JSON lines). Default: $HMS_JOURNAL or ~/.local/state/hms/journal.jsonl.")
    var journal: String?

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var time: TimeOptions

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        let namespace = cluster.namespace ?? access.client.namespace
        let now = Date(timeIntervalSince1970: time.moment(clock).timeIntervalSince1970.rounded(.down))
        let requested = RFC3339.string(from: now)
        let patch: JSONValue = ["metadata": ["annotations": [DirectiveNaming.runRequestAnnotation: .string(requested)]]]
        let stored: Directive
        do {
            let answer = try await access.json(.patch(.of(Directive.self), namespace: namespace, name: name, type: .merge, body: patch.jsonBytes))
            stored = try JSONValueDecoder().decode(Directive.self, from: answer)
        } catch let error as KubeError where error.reason == .notFound {
            terminal.printError("Error from server (NotFound): directives.\(API.group) \"\(name)\" not found")
            throw ExitCode(1)
        } catch let error as KubeError {
            try terminal.failOnMissingCRDs(error)
        }
        let schedule = DirectiveSchedule(stored)
        terminal.print("directive.\(API.group)/\(name): run requested for \(schedule.localDateTime(now)) (\(DirectiveNaming.runRequestAnnotation)=\(requested))")
        guard !requestOnly else { return }

        // This Directive, with the policies, budgets and approvals that govern it; no other kind acts.
        var resources: [AnyResource] = [.directive(stored)]
        var invalid: [InvalidObject] = []
        do {
            let read = try await access.resources(namespace: namespace, kinds: [Budget.self, GovernancePolicy.self, Approval.self])
            resources += read.valid
            invalid = read.invalid
            terminal.warnAboutInvalid(invalid)
        } catch {
            try terminal.failOnMissingCRDs(error)
        }
        let result: Reconciler.Result
        do {
            result = try await Reconciler(cluster: access, journal: Journal(path: journal ?? Journal.defaultPath()), actor: currentUser(), statusScope: .acted)
                .reconcile(DesiredState(resources, invalid: invalid), options: Planner.Options(), now: now)
        } catch {
            terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
        let failed = printOutcomes(result, on: terminal)
        if result.outcomes.isEmpty, result.plan.remarks.isEmpty {
            // A running controller watches the annotation and usually starts the run first.
            terminal.print("Every Job of the run exists already (a running controller starts a requested run at once); see: hmsctl get directive \(name) -n \(namespace)")
        }
        for line in result.plan.remarks { terminal.print(line) }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// One line per action carried out (or not), then the count; returns how many failed.
@discardableResult
func printOutcomes(_ result: Reconciler.Result, on terminal: Terminal) -> Int {
    var failed = 0
    for outcome in result.outcomes {
        let action = outcome.action
        let what = "\(action.verb.rawValue) \(action.target.kind) \(action.target.namespace)/\(action.target.name) \(action.change.fromText) → \(action.change.toText)"
        switch outcome.result {
        case .done: terminal.print("✓ \(what)")
        case .notCarriedOut(.hold): terminal.print("… \(what): held for approval; release it with: hmsctl approve \(action.id) -n \(action.source.namespace)")
        case .notCarriedOut(let verdict): terminal.print("✗ \(what): \(verdict.rawValue.lowercased())")
        case .skipped(let why): terminal.print("- \(what): skipped: \(why)")
        case .failed(let message):
            failed += 1
            terminal.print("✗ \(what): failed: \(message)")
        }
    }
    let done = result.outcomes.filter { $0.result == .done }.count
    let waiting = result.outcomes.count - done - failed
    let refused = printRefusedWrites(result, on: terminal)
    terminal.print("Applied: \(done) done, \(waiting) not carried out, \(failed) failed"
        + (refused > 0 ? "; \(refused) Event or status \(refused == 1 ? "write" : "writes") refused." : "."))
    return failed + refused
}

/// The Events and statuses the cluster would not take (a viewer's 403, say): what each was, and
/// the cluster's answer. The actions were carried out; the record of them is missing.
func printRefusedWrites(_ result: Reconciler.Result, on terminal: Terminal) -> Int {
    for write in result.refusedWrites { terminal.printError("error: not recorded: \(write)") }
    let unnamed = result.refusedWriteCount - result.refusedWrites.count
    if unnamed > 0 { terminal.printError("error: not recorded: \(unnamed) more") }
    return result.refusedWriteCount
}
