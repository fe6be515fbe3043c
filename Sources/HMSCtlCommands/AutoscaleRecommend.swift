import ArgumentParser
import Foundation
import JSON
import Manifests
import Model
import Planner

/// `hmsctl autoscale recommend --input FILE`: the AutoscaleRule algorithm on one recorded moment.
struct AutoscaleRecommend: TerminalCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Evaluate an AutoscaleRule on one recorded moment: the replicas it sets, and why.",
        discussion: """
            The input (JSON or YAML) describes one moment of one rule: currentReplicas, \
            statusReplicas, minReplicas, maxReplicas, metric {type: cpuUtilization | \
            averageValue | value, target, name}, pods [{usage, request, ready}], metricValue, \
            additionalMetrics [{metric, pods | metricValue, error}], tolerance, behavior (as in \
            an AutoscaleRule; null for the legacy path), recommendationHistory [{secondsAgo, \
            replicas}], scaleUpEvents and scaleDownEvents [{secondsAgo, change}]. The algorithm \
            is the Kubernetes HPA's (autoscaling/v2), shared with the controller. Exits 0 with a \
            recommendation, 1 when the input is invalid.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: ArgumentHelp("The recorded moment, JSON or YAML, or - for standard input.", valueName: "file"))
    var input: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var output: OutputFormat = .text

    func run(on terminal: Terminal, clock: WallClock) throws {
        let file = input == "-" ? "<stdin>" : input
        let bytes: [UInt8]
        if input == "-" {
            bytes = terminal.input()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                terminal.printError("\(file): error: no such file")
                throw ExitCode(1)
            }
            guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: input) else {
                terminal.printError("\(file): error: cannot read file")
                throw ExitCode(1)
            }
            bytes = [UInt8](data)
        }

        let situation: AutoscaleSituation
        do {
            situation = try ValueDocumentDecoder().decode(AutoscaleSituation.self, from: bytes, file: file) { $0.validate() }
        } catch {
            for diagnostic in error.diagnostics { terminal.printError(diagnostic.description) }
            throw ExitCode(1)
        }
        let recommendation = Autoscaler.recommend(situation.moment())
        switch output {
        case .json: terminal.print(Self.json(recommendation))
        case .text: terminal.print(Self.text(recommendation, currentReplicas: situation.currentReplicas), terminator: "")
        }
    }

    /// `{"desiredReplicas": N, "proposal": N, "reasons": [...]}`, keys in that order; `proposal`
    /// is null when the metrics were not consulted.
    static func json(_ recommendation: AutoscaleRecommendation) -> String {
        var reasons: [UInt8] = []
        for (index, reason) in recommendation.reasons.enumerated() {
            if index > 0 { reasons += Array(", ".utf8) }
            JSONValue.writeString(reason, to: &reasons)
        }
        let proposal = recommendation.proposal.map(String.init) ?? "null"
        return "{\"desiredReplicas\": \(recommendation.desiredReplicas), \"proposal\": \(proposal), \"reasons\": [\(String(decoding: reasons, as: UTF8.self))]}"
    }

    static func text(_ recommendation: AutoscaleRecommendation, currentReplicas: Int) -> String {
        var lines: [String] = []
        let change = recommendation.desiredReplicas == currentReplicas ? "unchanged" : "from \(currentReplicas)"
        lines.append("Desired replicas: \(recommendation.desiredReplicas) (\(change))")
        if let proposal = recommendation.proposal {
            lines.append("Metric proposal:  \(proposal) (before stabilization, rate limits and min/max)")
        } else {
            lines.append("Metric proposal:  none (the metrics were not consulted)")
        }
        lines.append("")
        lines.append("Why:")
        lines += recommendation.steps.map { "  \($0)" }
        lines.append("")
        lines.append("Conditions:")
        let typeWidth = recommendation.conditions.map(\.type.count).max() ?? 0
        let reasonWidth = recommendation.conditions.map { ($0.reason ?? "").count }.max() ?? 0
        for condition in recommendation.conditions {
            let type = condition.type.padding(toLength: typeWidth, withPad: " ", startingAt: 0)
            let status = condition.status.padding(toLength: 5, withPad: " ", startingAt: 0)
            let reason = (condition.reason ?? "").padding(toLength: reasonWidth, withPad: " ", startingAt: 0)
            lines.append("  \(type)  \(status)  \(reason)  \(condition.message ?? "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
