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
struct Apply: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Store the resources in the cluster and carry out the plan through the gates.",
        discussion: """
            Every document is validated first: if any is invalid nothing is written. With \
            --dry-run, prints the plan and writes nothing (exit 0 no changes, 2 changes pending).
            """
    )

    @OptionGroup var files: FileOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var time: TimeOptions

    @Flag(help: "Print the plan; write nothing.")
    var dryRun = false

    @Flag(help: "Delete managed objects that no manifest declares any more.")
    var prune = false

    @Option(help: "The decision journal (JSON lines). Default: $HMS_JOURNAL or ~/.local/state/hms/journal.jsonl.")
    var journal: String?

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let manifests = try loadValidManifests(files, terminal: terminal)
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        if dryRun {
            let desired = try await PlanCommand.withStoredUIDs(desiredState(manifests, cluster: access, terminal: terminal), cluster: access, terminal: terminal)
            let plan: Plan
            do {
                plan = try await Reconciler(cluster: access, journal: nil, actor: currentUser())
                    .plan(desired, options: Planner.Options(prune: prune), now: time.moment(clock)).0
            } catch {
                try terminal.failOnMissingCRDs(error)
            }
            terminal.print(plan.text(colored: terminal.outputIsTerminal), terminator: "")
            throw ExitCode(PlanCommand.exitCode(plan, detailed: false))
        }

        // Thousands of small requests: run between the client's transfers, on its thread.
        if let executor = access.client.executor {
            try await withTaskExecutorPreference(executor) { try await apply(manifests, access: access, clock: clock, terminal: terminal) }
        } else {
            try await apply(manifests, access: access, clock: clock, terminal: terminal)
        }
    }

    private func apply(_ manifests: [Manifest], access: ClusterAccess, clock: WallClock, terminal: Terminal) async throws {
        let reconciler = Reconciler(
            cluster: access, journal: Journal(path: journal ?? Journal.defaultPath()), actor: currentUser(), statusScope: .acted)
        // Storing the resources changes neither what else the cluster holds of our kinds nor its
        // workloads: both are read while the resources are stored.
        async let context = ClusterContext.read(for: manifests, cluster: access, terminal: terminal)
        async let observed = reconciler.observe(DesiredState(manifests.map(\.resource)))
        // The stored objects (uid, generation, status) are the desired state. What the cluster
        // already holds as written is left alone: no write at all.
        let stored = try await store(manifests, access: access, terminal: terminal)
        let desired = try await context.desiredState(stored)
        let result: Reconciler.Result
        do {
            result = try await reconciler.reconcile(desired, observed: try await observed, options: Planner.Options(prune: prune), now: time.moment(clock), progress: Self.progressLine(terminal))
        } catch {
            terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
        terminal.print()
        terminal.print(result.plan.text(colored: terminal.outputIsTerminal), terminator: "")
        guard !result.plan.isEmpty else {
            // Nothing to do, but a status (the acted-on scope) may still have been refused.
            if printRefusedWrites(result, on: terminal) > 0 { throw ExitCode(1) }
            return
        }
        terminal.print()
        let failed = printOutcomes(result, on: terminal)
        if failed > 0 { throw ExitCode(1) }
    }

    /// On a terminal, a line on standard error that counts the actions carried out; nothing otherwise.
    static func progressLine(_ terminal: Terminal) -> (@Sendable (Int, Int) -> Void)? {
        guard terminal.errorsAreTerminal else { return nil }
        return { done, total in
            guard total >= 10 else { return }
            let text = done == total ? "\r\u{1B}[K" : "\rapplying: \(done)/\(total) actions"
            terminal.errors(text)
        }
    }

    /// Stores each resource with server-side apply unless the cluster holds it as written already;
    /// prints `created`, `configured` or `unchanged` for each, as kubectl does.
    private func store(_ manifests: [Manifest], access: ClusterAccess, terminal: Terminal) async throws -> [AnyResource] {
        // One list per kind and namespace tells what exists, instead of one GET per resource.
        var live: [ObjectRef: JSONValue] = [:]
        let groups = Set(manifests.map { "\($0.resource.resource.ref.kind)/\($0.resource.resource.ref.namespace)" })
        for group in groups.sorted() {
            let parts = group.split(separator: "/").map(String.init)
            guard let kind = AnyResource.kind(named: parts[0]) else { continue }
            do {
                for object in try await access.list(.of(kind), namespace: parts[1]) {
                    live[ObjectRef(kind: ObjectKind(parts[0]), namespace: parts[1], name: object[path: ["metadata", "name"]]?.stringValue ?? "")] = object
                }
            } catch {
                try terminal.failOnMissingCRDs(error)
            }
        }
        let existingObjects = live
        let results = await concurrentMap(manifests) { manifest -> Result<(AnyResource, String), KubeError> in
            let resource = manifest.resource.resource
            let kind = type(of: resource)
            var object = ClusterAccess.json(of: resource)
            object[path: ["metadata", "namespace"]] = .string(resource.ref.namespace)
            object["status"] = nil
            let existing = existingObjects[resource.ref]
            let unchanged = existing.map { object.differences(from: $0).isEmpty } ?? false
            do {
                let stored: any Resource
                if unchanged, let existing {
                    stored = try JSONValueDecoder().decode(kind, from: existing)
                } else {
                    stored = try await access.applied(resource, as: object)
                }
                return .success((AnyResource(stored), existing == nil ? "created" : unchanged ? "unchanged" : "configured"))
            } catch let error as KubeError {
                return .failure(error)
            } catch {
                return .failure(.decoding("\(resource.ref): \(error)"))
            }
        }
        // Every resource's fate, as kubectl prints it; on a partial failure, exactly what was and
        // was not written, and nothing is planned from a half-stored state.
        var stored: [AnyResource] = []
        var failures: [(ObjectRef, KubeError)] = []
        for (manifest, result) in zip(manifests, results) {
            let ref = manifest.resource.resource.ref
            let name = "\(type(of: manifest.resource.resource).singular).\(API.group)/\(ref.name)"
            switch result {
            case .success(let (resource, what)):
                stored.append(resource)
                terminal.print("\(name) \(what)")
            case .failure(let error):
                failures.append((ref, error))
                terminal.printError("error: \(name) in namespace \(ref.namespace) not written: \(explained(error))")
            }
        }
        guard failures.isEmpty else {
            terminal.printError("\(stored.count) of \(manifests.count) resources stored, \(failures.count) not written; nothing was planned or carried out.")
            throw ExitCode(1)
        }
        return stored
    }
}
