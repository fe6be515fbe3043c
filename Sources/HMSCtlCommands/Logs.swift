import ArgumentParser
import Controller
import Foundation
import HTTP
import JSON
import Kube
import Model

/// `hmsctl logs SERVICE`: the logs of a service's pods, each line prefixed with its pod, as
/// operators ask for them; `-f` streams them as they come.
struct Logs: TerminalCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the logs of a service's pods.")

    @Argument(help: "The ServiceSpec (its pods carry app=SERVICE).")
    var service: String

    @Option(help: "Only this pod.")
    var pod: String?

    @Option(help: "Lines from the end of each pod's log.")
    var tail = 100

    @Flag(name: [.customShort("f"), .long], help: "Keep streaming new lines.")
    var follow = false

    @OptionGroup var cluster: ClusterOptions

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        let namespace = cluster.namespace ?? access.client.namespace
        let pods: [String]
        do {
            let listed = try await access.list(.pods, namespace: namespace, labelSelector: "app=\(service)")
            pods = listed.compactMap { $0["metadata"]?["name"]?.stringValue }.filter { pod == nil || $0 == pod }.sorted()
        } catch {
            terminal.printError("error: \(error)")
            throw ExitCode(1)
        }
        guard !pods.isEmpty else {
            terminal.printError("error: no pods of \(service) in namespace \(namespace)\(pod.map { " named \($0)" } ?? "")")
            throw ExitCode(1)
        }
        let width = pods.map(\.count).max() ?? 0
        // Each pod's log streams on its own; lines are printed whole, as they complete.
        await withTaskGroup(of: Void.self) { group in
            for name in pods {
                group.addTask {
                    await stream(name, namespace: namespace, access: access, terminal: terminal, prefix: "[\(name)]" + String(repeating: " ", count: width - name.count) + " ")
                }
            }
        }
    }

    private func stream(_ pod: String, namespace: String, access: ClusterAccess, terminal: Terminal, prefix: String) async {
        var query: [(name: String, value: String)] = [("container", service), ("tailLines", String(tail))]
        if follow { query.append(("follow", "true")) }
        let request = KubeRequest(
            method: HTTPMethod(rawValue: "GET"), path: ResourceType.pods.path(namespace: namespace, name: pod, subresource: "log"),
            query: query, headers: ["Accept": "text/plain"], timeout: follow ? nil : .seconds(30))
        do {
            let response = try await access.client.stream(request)
            var splitter = LineSplitter()
            while let chunk = try await response.body.next() {
                for line in try splitter.push(chunk) { terminal.print(prefix + String(decoding: line, as: UTF8.self)) }
            }
        } catch {
            terminal.printError("\(prefix)error: \(error)")
        }
    }
}
