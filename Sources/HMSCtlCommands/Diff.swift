import ArgumentParser
import Controller
import Foundation
import JSON
import Kube
import Manifests
import Model
import Planner

/// `hmsctl diff -f PATH`: field by field, what the cluster holds against what the manifests say,
/// for our resources and the Deployments and Services they stand for.
struct Diff: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show field-level differences between the live objects and the manifests.",
        discussion: "Exit codes: 0 no differences, 1 differences, 2 or more an error (as kubectl diff)."
    )

    @OptionGroup var files: FileOptions
    @OptionGroup var cluster: ClusterOptions

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let manifests: [Manifest]
        do {
            manifests = try loadValidManifests(files, terminal: terminal)
        } catch {
            throw ExitCode(2)
        }
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        var blocks: [String] = []
        do {
            for manifest in manifests {
                let resource = manifest.resource.resource
                var desired = ClusterAccess.json(of: resource)
                desired["status"] = nil
                desired[path: ["metadata", "namespace"]] = .string(resource.ref.namespace)
                let live = try await getIfPresent(access, .of(type(of: resource)), resource.ref, terminal: terminal)
                blocks += block(resource.ref, desired: ["spec": desired["spec"] ?? .null, "metadata": ["labels": desired[path: ["metadata", "labels"]] ?? [:]]], live: live)
                guard case .serviceSpec(var service) = manifest.resource else { continue }
                // The stored ServiceSpec's uid: the Deployment's ownerReference names it.
                service.metadata.uid = live?[path: ["metadata", "uid"]]?.stringValue
                let deploymentRef = ObjectRef(kind: .deployment, namespace: service.ref.namespace, name: service.metadata.name)
                let liveDeployment = try await getIfPresent(access, .deployments, deploymentRef, terminal: terminal)
                blocks += deploymentBlock(deploymentRef, service: service, live: liveDeployment)
                let serviceRef = ObjectRef(kind: .service, namespace: service.ref.namespace, name: service.metadata.name)
                if service.spec.port != nil, let liveService = try await getIfPresent(access, .services, serviceRef, terminal: terminal) {
                    blocks += serviceBlock(serviceRef, service: service, live: ObservedService(liveService))
                }
            }
        } catch let error as KubeError {
            terminal.printError("error: \(error)")
            throw ExitCode(2)
        }
        guard !blocks.isEmpty else { return }
        terminal.print(blocks.joined(separator: "\n"))
        throw ExitCode(1)
    }

    private func getIfPresent(_ access: ClusterAccess, _ type: ResourceType, _ ref: ObjectRef, terminal: Terminal) async throws -> JSONValue? {
        do {
            return try await access.json(.get(type, namespace: ref.namespace, name: ref.name))
        } catch {
            if error.reason == .notFound { return nil }
            if type.group == API.group { try terminal.failOnMissingCRDs(error) }
            throw error
        }
    }

    /// The Deployment's differences as the plan sees them (`TemplateDiff.differences`, through
    /// field ownership), and its replica count when the spec sets one: diff and plan agree.
    private func deploymentBlock(_ ref: ObjectRef, service: ServiceSpec, live: JSONValue?) -> [String] {
        let title = "\(ref.kind) \(ref.namespace)/\(ref.name)"
        guard let live else { return ["+ \(title) (not in the cluster)"] }
        let observed = ObservedDeployment(live)
        // One we did not make is never changed: no difference to show.
        guard observed.isManaged else { return [] }
        var lines = TemplateDiff.differences(live: observed, service: service, fromManifests: false).map(\.line)
        // An external scaler's count is never a difference: the controller leaves it alone.
        if !service.spec.isScaledExternally, let replicas = service.spec.replicas, replicas != observed.replicas {
            lines.insert(".spec.replicas: \(observed.replicas) → \(replicas)", at: 0)
        }
        return changed(ref, lines)
    }

    /// An object's block: `~ Kind ns/name` and its differences, one a line; none without any.
    private func changed(_ ref: ObjectRef, _ lines: [String]) -> [String] {
        guard !lines.isEmpty else { return [] }
        return ["~ \(ref.kind) \(ref.namespace)/\(ref.name)\n" + lines.map { "    \($0)" }.joined(separator: "\n")]
    }

    /// The Service's differences as the plan sees them (`ServiceDiff.differences`); one we did
    /// not make is never changed. A missing one is made with the Deployment (its block says so).
    private func serviceBlock(_ ref: ObjectRef, service: ServiceSpec, live: ObservedService) -> [String] {
        guard live.isManaged else { return [] }
        return changed(ref, ServiceDiff.differences(live: live, service: service, fromManifests: false).map(\.line))
    }

    private func block(_ ref: ObjectRef, desired: JSONValue, live: JSONValue?) -> [String] {
        let title = "\(ref.kind) \(ref.namespace)/\(ref.name)"
        guard let live else { return ["+ \(title) (not in the cluster)"] }
        // The server stores no empty labels: none and {} are the same.
        let comparable: JSONValue = ["spec": live["spec"] ?? .null, "metadata": ["labels": live[path: ["metadata", "labels"]] ?? [:]]]
        let differences = desired.differences(from: comparable)
        guard !differences.isEmpty else { return [] }
        return ["~ \(title)\n" + differences.map { "    \($0)" }.joined(separator: "\n")]
    }
}
