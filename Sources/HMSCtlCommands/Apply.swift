import ArgumentParser
import Controller
import Foundation
import JSON
import Kube
import Manifests
import Model
import Planner

/// `hmsctl apply -f PATH`: validate everything, store the resources, then carry out the plan
/// through the gates.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store the resources in the cluster and carry out the plan through the gates.",
        discussion: """
            Every document is validated first: if any is invalid nothing is written. With \
            --dry-run, prints the plan and writes nothing (exit 0 no changes, 2 changes pending).
            """
    )

    @OptionGroup var files: FileOptions
    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "Print the plan; write nothing.")
    var dryRun = false

    @Flag(help: "Delete managed objects that no manifest declares any more.")
    var prune = false

    @Option(help: "The decision journal (JSON lines). Default: $HMS_JOURNAL or ~/.local/state/hms/journal.jsonl.")
    var journal: String?

    func run() async throws {
        let manifests = try loadValidManifests(files)
        let access = try cluster.cluster(fieldManager: "hmsctl")
        if dryRun {
            let desired = try await desiredState(manifests, cluster: access)
            let plan: Plan
            do {
                plan = try await Reconciler(cluster: access, journal: nil, actor: currentUser())
                    .plan(desired, options: Planner.Options(prune: prune), now: Date()).0
            } catch {
                try failOnMissingCRDs(error)
            }
            print(plan.text(colored: standardOutputIsTerminal), terminator: "")
            throw ExitCode(PlanCommand.exitCode(plan, detailed: false))
        }

        // Store the resources first; the stored objects (uid, generation, status) are the desired
        // state. What the cluster already holds as written is left alone: no write at all.
        var stored: [AnyResource] = []
        for manifest in manifests {
            let resource = manifest.resource.resource
            let kind = type(of: resource)
            var object = ClusterAccess.json(of: resource)
            object[path: ["metadata", "namespace"]] = .string(resource.ref.namespace)
            object["status"] = nil
            do {
                let live = try await access.getIfPresent(.of(kind), namespace: resource.ref.namespace, name: resource.ref.name)
                let unchanged = live.map { object.differences(from: $0).isEmpty } ?? false
                let answer = unchanged ? live ?? object : try await access.apply(object, .of(kind))
                stored.append(AnyResource(try JSONDecoder().decode(kind, from: Data(answer.jsonBytes))))
                print("\(kind.singular).\(API.group)/\(resource.ref.name) \(live == nil ? "created" : unchanged ? "unchanged" : "configured")")
            } catch let error as KubeError {
                try failOnMissingCRDs(error)
            }
        }
        let desired = try await desiredState(stored.map { Manifest(resource: $0, file: "", mark: .init(line: 0, column: 0)) }, cluster: access)
        let journal = Journal(path: journal ?? Journal.defaultPath())
        let result: Reconciler.Result
        do {
            result = try await Reconciler(cluster: access, journal: journal, actor: currentUser(), statusScope: .acted)
                .reconcile(desired, options: Planner.Options(prune: prune), now: Date())
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        print()
        print(result.plan.text(colored: standardOutputIsTerminal), terminator: "")
        guard !result.plan.isEmpty else { return }
        print()
        var failed = 0
        for outcome in result.outcomes {
            let action = outcome.action
            let what = "\(action.verb.rawValue) \(action.target.kind) \(action.target.namespace)/\(action.target.name) \(action.from) → \(action.to)"
            switch outcome.result {
            case .done: print("✓ \(what)")
            case .notCarriedOut(.hold): print("… \(what): held for approval; release it with: hmsctl approve \(action.id) -n \(action.source.namespace)")
            case .notCarriedOut(let verdict): print("✗ \(what): \(verdict.rawValue.lowercased())")
            case .failed(let message):
                failed += 1
                print("✗ \(what): failed: \(message)")
            }
        }
        let done = result.outcomes.filter { $0.result == .done }.count
        let waiting = result.outcomes.count - done - failed
        print("Applied: \(done) done, \(waiting) not carried out, \(failed) failed.")
        if failed > 0 { throw ExitCode(1) }
    }
}
