import ArgumentParser
import Controller
import Foundation
import JSON
import Model
import Planner

/// `hmsctl plan -f PATH`: what apply would do, with each action's cost and gate verdicts.
struct PlanCommand: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, with the cost and the gate verdicts of every action.",
        discussion: """
            Exit codes: 0 no changes, 2 changes pending, 1 error. With --detailed-exitcode: \
            3 when some action is held for approval, 4 when some action is denied.
            """
    )

    @OptionGroup var files: FileOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var time: TimeOptions

    @Option(name: [.customShort("o"), .long], help: "text or json.")
    var output: OutputFormat = .text

    @Flag(help: "Exit 3 when an action is held for approval, 4 when one is denied.")
    var detailedExitcode = false

    @Flag(help: "Also plan deleting managed objects that no manifest declares.")
    var prune = false

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let manifests = try loadValidManifests(files, terminal: terminal)
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        let desired = try await Self.withStoredUIDs(desiredState(manifests, cluster: access, terminal: terminal), cluster: access, terminal: terminal)
        let plan: Plan
        do {
            plan = try await Reconciler(cluster: access, journal: nil, actor: currentUser())
                .plan(desired, options: Planner.Options(prune: prune), now: time.moment(clock)).0
        } catch {
            try terminal.failOnMissingCRDs(error)
        }
        switch output {
        case .text: terminal.print(plan.text(colored: terminal.outputIsTerminal), terminator: "")
        case .json: terminal.print(plan.json.jsonText)
        }
        throw ExitCode(Self.exitCode(plan, detailed: detailedExitcode))
    }

    /// The ServiceSpecs with the uids the cluster stored them under: what the controller renders
    /// (the ownerReference names it), so that the plan compares what it would apply. One list of
    /// ServiceSpecs per namespace, read as JSON for the uids alone.
    static func withStoredUIDs(_ desired: DesiredState, cluster: ClusterAccess, terminal: Terminal) async throws -> DesiredState {
        var desired = desired
        var uids: [ObjectRef: String] = [:]
        for namespace in Set(desired.services.map(\.ref.namespace)).sorted() {
            do {
                for object in try await cluster.list(.of(ServiceSpec.self), namespace: namespace) {
                    guard let uid = object[path: ["metadata", "uid"]]?.stringValue else { continue }
                    uids[ObservedState.ref(.serviceSpec, object)] = uid
                }
            } catch {
                try terminal.failOnMissingCRDs(error)
            }
        }
        for index in desired.services.indices where desired.services[index].metadata.uid == nil {
            desired.services[index].metadata.uid = uids[desired.services[index].ref]
        }
        return desired
    }

    static func exitCode(_ plan: Plan, detailed: Bool) -> Int32 {
        if detailed, plan.count(.deny) > 0 { return 4 }
        if detailed, plan.count(.hold) > 0 { return 3 }
        return plan.isEmpty ? 0 : 2
    }
}
