import ArgumentParser
import Controller
import Foundation
import JSON
import Kube
import Model
import Planner

/// `hmsctl approve ID` and `hmsctl reject ID`: write the Approval that releases, or refuses, one
/// held action.
struct Approve: TerminalCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Release a held action: write an Approval naming its id.")

    @Argument(help: "The action's id, as the plan prints it (act-...).")
    var id: String

    @Option(help: "Who approves (default: $USER).")
    var by: String?

    @Option(help: "How long the approval holds, in minutes.")
    var expiresInMinutes = 60

    @Option(help: "A comment kept with the approval.")
    var comment: String?

    @OptionGroup var cluster: ClusterOptions

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let request = ApprovalRequest(id: id, decision: .approve, by: by, minutes: expiresInMinutes, comment: comment)
        try await request.write(cluster: cluster, terminal: terminal, clock: clock)
    }
}

struct Reject: TerminalCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Refuse a held action: write an Approval that rejects it.")

    @Argument(help: "The action's id, as the plan prints it (act-...).")
    var id: String

    @Option(help: "Who rejects (default: $USER).")
    var by: String?

    @Option(help: "A comment kept with the decision.")
    var comment: String?

    @OptionGroup var cluster: ClusterOptions

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let request = ApprovalRequest(id: id, decision: .reject, by: by, minutes: 24 * 60, comment: comment)
        try await request.write(cluster: cluster, terminal: terminal, clock: clock)
    }
}

/// What `approve` and `reject` write: the Approval of one held action, by whom, for how long.
struct ApprovalRequest {
    var id: String
    var decision: Approval.Decision
    var by: String?
    var minutes: Int
    var comment: String?

    func write(cluster: ClusterOptions, terminal: Terminal, clock: WallClock) async throws {
        guard ApprovalObject.isActionID(id) else {
            terminal.printError("error: \"\(id)\" is not an action id; ids look like act-0123456789abcdef (see hmsctl plan)")
            throw ExitCode(1)
        }
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        let namespace = cluster.namespace ?? access.client.namespace
        guard try await isHeld(id, namespace: namespace, access: access, terminal: terminal, now: clock.now()) else {
            terminal.printError("error: \(id) is not an action held for approval in namespace \(namespace); "
                + "held actions are in the plan (hmsctl plan) and in ActionHeld Events (kubectl get events -n \(namespace) --field-selector reason=ActionHeld)")
            throw ExitCode(1)
        }
        let approver = by ?? currentUser()
        let expires = clock.now().addingTimeInterval(TimeInterval(minutes * 60))
        let name = ApprovalObject.name(id: id, decision: decision)
        let approval = ApprovalObject.make(id: id, decision: decision, by: approver, expires: expires, comment: comment, namespace: namespace)
        do {
            try await access.apply(approval, .of(Approval.self))
        } catch {
            try terminal.failOnMissingCRDs(error)
        }
        let verb = decision == .approve ? "approved" : "rejected"
        terminal.print("approval.\(API.group)/\(name) created: \(id) \(verb) by \(approver) until \(RFC3339.string(from: expires)); the next apply or reconcile carries it out")
    }
}

/// Whether `id` names an action held for approval in `namespace`: an `ActionHeld` Event there
/// names it (the controller or an apply held it), or the plan the cluster's own resources make
/// now holds it. An Approval for anything else would release nothing, or something unexpected.
func isHeld(_ id: String, namespace: String, access: ClusterAccess, terminal: Terminal, now: Date) async throws -> Bool {
    do {
        let events = try await access.list(.events, namespace: namespace, fieldSelector: "reason=ActionHeld")
        if events.contains(where: { $0["message"]?.stringValue?.contains("(\(id))") == true }) { return true }
        let resources = try await access.resources(namespace: namespace)
        let desired = DesiredState(resources.valid, invalid: resources.invalid)
        let (plan, _) = try await Reconciler(cluster: access, journal: nil, actor: currentUser()).plan(desired, options: Planner.Options(), now: now)
        return plan.actions.contains { $0.id == id && $0.finalVerdict == .hold }
    } catch {
        try terminal.failOnMissingCRDs(error)
    }
}
