import ArgumentParser
import Controller
import Foundation
import JSON
import Kube
import Manifests
import Model
import Planner

/// `hmsctl get KIND [NAME]`: our resources with their status, as kubectl would print them.
struct Get: TerminalCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "List or show resources with their status.")

    @Argument(help: "A kind: servicespecs, autoscalerules, budgets, directives, governancepolicies, approvals (or a short name).")
    var kind: String

    @Argument(help: "One resource's name.")
    var name: String?

    @Option(name: [.customShort("o"), .long], help: "yaml, json or wide.")
    var output: Format?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    var allNamespaces = false

    @OptionGroup var cluster: ClusterOptions

    enum Format: String, ExpressibleByArgument { case yaml, json, wide }

    func run(on terminal: Terminal, clock: WallClock) async throws {
        guard let resourceKind = AnyResource.kind(matching: kind) else {
            terminal.printError("error: the server doesn't have a resource type \"\(kind)\"; ours are: \(AnyResource.kinds.map { $0.plural }.joined(separator: ", "))")
            throw ExitCode(1)
        }
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        let namespace = allNamespaces ? nil : (cluster.namespace ?? access.client.namespace)
        let objects = try await fetch(resourceKind, namespace: namespace, access: access, terminal: terminal)
        switch output {
        case .json:
            terminal.print(objects.count == 1 && name != nil ? objects[0].prettyJSON : JSONValue.object(["apiVersion": "v1", "kind": "List", "items": .array(objects)]).prettyJSON)
        case .yaml:
            terminal.print(try ResourceWriter.yaml(objects), terminator: "")
        case .wide, nil:
            guard !objects.isEmpty else {
                terminal.printError("No resources found\(namespace.map { " in \($0) namespace" } ?? "").")
                return
            }
            let findings = objects.map { Self.finding(resourceKind, $0) }
            if resourceKind == Directive.self, name != nil, let object = objects.first, case .valid(let directive) = Admitted<Directive>.admit(object) {
                terminal.print(Self.runs(directive, wide: output == .wide), terminator: "")
                return
            }
            terminal.print(Self.table(objects, columns: CustomResourceDefinitions.printerColumns(resourceKind), wide: output == .wide, showNamespace: allNamespaces,
                                      findings: findings, now: clock.now()), terminator: "")
        }
    }

    private func fetch(_ kind: any Resource.Type, namespace: String?, access: ClusterAccess, terminal: Terminal) async throws -> [JSONValue] {
        let result: Result<[JSONValue], KubeError>
        do throws(KubeError) {
            if let name {
                result = .success([try await access.json(.get(.of(kind), namespace: namespace, name: name))])
            } else {
                result = .success(try await access.list(.of(kind), namespace: namespace))
            }
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let objects):
            return objects
        case .failure(let error) where error.reason == .notFound && name != nil:
            terminal.printError("Error from server (NotFound): \(kind.plural).\(API.group) \"\(name ?? "")\" not found")
            throw ExitCode(1)
        case .failure(let error):
            try terminal.failOnMissingCRDs(error)
        }
    }

    /// What is wrong with an object the cluster holds, when it does not decode or validate.
    static func finding<R: Resource>(_ kind: R.Type, _ object: JSONValue) -> InvalidObject? {
        Admitted<R>.admit(object).invalid
    }

    /// The objects as kubectl prints custom resources: their printer columns, then, when some
    /// object is invalid, an INVALID column with its first field error (the controller skips it).
    static func table(_ objects: [JSONValue], columns: [CustomResourceDefinitions.Column], wide: Bool, showNamespace: Bool,
                      findings: [InvalidObject?] = [], now: Date) -> String {
        let shown = columns.filter { wide || $0.priority == 0 }
        let anyInvalid = findings.contains { $0 != nil }
        var rows: [[String]] = [(showNamespace ? ["NAMESPACE"] : []) + ["NAME"] + shown.map { $0.name.uppercased() } + (anyInvalid ? ["INVALID"] : [])]
        for (index, object) in objects.enumerated() {
            var row = showNamespace ? [object[path: ["metadata", "namespace"]]?.stringValue ?? ""] : []
            row.append(object[path: ["metadata", "name"]]?.stringValue ?? "")
            for column in shown {
                let value = object.value(atJSONPath: column.path)
                row.append(cell(value, type: column.type, now: now))
            }
            if anyInvalid {
                let finding = index < findings.count ? findings[index] : nil
                row.append(finding.map { invalidCell($0, wide: wide) } ?? "-")
            }
            rows.append(row)
        }
        let widths = (0..<(rows.first?.count ?? 0)).map { index in rows.map { $0[index].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, text in index == row.count - 1 ? text : text + String(repeating: " ", count: widths[index] - text.count + 3) }
                .joined()
        }.joined(separator: "\n") + "\n"
    }

    /// The first field error (all of them with -o wide), on one line.
    static func invalidCell(_ finding: InvalidObject, wide: Bool) -> String {
        let text = wide ? finding.summary(limit: 400) : finding.issues.first.map(\.description) ?? "invalid"
        let line = text.replacingOccurrences(of: "\n", with: " ")
        let more = !wide && finding.issues.count > 1 ? " (+\(finding.issues.count - 1) more)" : ""
        return (line.count > 100 ? String(line.prefix(100)) + "…" : line) + more
    }

    /// One Directive: its schedule, then each run's counts and one row per job the status lists
    /// (the failing and most recent ones), newest run first, with the times on the Directive's
    /// wall clock.
    static func runs(_ directive: Directive, wide: Bool) -> String {
        let schedule = DirectiveSchedule(directive)
        let spec = directive.spec
        let status = directive.status
        var lines = ["Directive \(directive.ref.namespace)/\(directive.metadata.name): schedule \"\(spec.schedule.expression)\" in \(schedule.timeZone.identifier)"
            + (spec.slo.map { ", SLO: finish before \($0.finishBefore)" } ?? "") + ((spec.suspend ?? false) ? " (suspended)" : "")]
        let last = status?.lastScheduleTime.flatMap(RFC3339.date(from:)).map(schedule.localDateTime) ?? "never"
        let next = status?.nextRunTime.flatMap(RFC3339.date(from:)).map(schedule.localDateTime) ?? "none"
        lines.append("Last scheduled run: \(last). Next run: \(next).")
        lines.append("")
        let runs = status?.runs ?? []
        guard !runs.isEmpty else { return (lines + ["No runs yet."]).joined(separator: "\n") + "\n" }
        var rows = [["DIRECTIVE", "DATE", "TIME", "TRIGGER", "JOB", "STATE", "ATTEMPTS", "SLO_OK"] + (wide ? ["JOB-NAME", "MESSAGE"] : [])]
        for run in runs {
            let time = RFC3339.date(from: run.scheduledTime).map(schedule.localTime) ?? run.scheduledTime
            let slo = run.sloOk.map { String($0) } ?? (run.sloAtRisk == true ? "at-risk" : run.sloDeadline == nil ? "<none>" : "pending")
            let counts = run.jobCounts
            let summary = Directive.JobState.allCases.filter { counts[$0] > 0 }.map { "\(counts[$0]) \($0.rawValue)" }.joined(separator: ", ")
            rows.append([directive.metadata.name, run.date, time, (run.trigger ?? .schedule).rawValue, "(\(run.totalJobs) jobs)", summary.isEmpty ? "-" : summary,
                         "", slo] + (wide ? ["", ""] : []))
            for job in run.jobs {
                rows.append([directive.metadata.name, run.date, time, (run.trigger ?? .schedule).rawValue, job.id, job.state.rawValue,
                             String(job.attempts ?? 0), slo] + (wide ? [job.jobName ?? "<none>", job.message ?? ""] : []))
            }
        }
        return (lines + [aligned(rows)]).joined(separator: "\n")
    }

    /// Columns padded to their widest cell, three spaces apart, the last one unpadded.
    static func aligned(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { index in rows.map { $0[index].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, text in index == row.count - 1 ? text : text + String(repeating: " ", count: widths[index] - text.count + 3) }
                .joined()
        }.joined(separator: "\n") + "\n"
    }

    static func cell(_ value: JSONValue?, type: String, now: Date) -> String {
        switch value {
        case nil, .null?: return "<none>"
        case .string(let text)? where type == "date":
            guard let date = RFC3339.date(from: text) else { return text }
            return humanDuration(now.timeIntervalSince(date))
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return number.rounded() == number ? String(Int(number)) : String(format: "%.2f", number)
        case .bool(let flag)?: return String(flag)
        default: return value?.jsonText ?? ""
        }
    }

    /// kubectl's AGE: 45s, 3m20s, 5h, 12d.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = max(0, Int(interval))
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 48 { return "\(hours)h" }
        return "\(hours / 24)d"
    }
}

extension ResourceWriter {
    static func yaml(_ objects: [JSONValue]) throws -> String {
        try yaml(objects.map { $0 as any Encodable })
    }
}

extension JSONValue {
    /// Indented JSON with sorted keys, as `-o json` prints it.
    var prettyJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? jsonText
    }
}
