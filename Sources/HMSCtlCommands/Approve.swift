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

    @Option(help: .hidden)
    var by: String?

    @Option(help: "How long the approval holds, in minutes.")
    var expiresInMinutes = 60

    @Option(help: "A comment kept with the approval.")
    var comment: String?

    @OptionGroup var cluster: ClusterOptions

    func validate() throws { try ApprovalRequest.refuseBy(by) }

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let request = ApprovalRequest(id: id, decision: .approve, minutes: expiresInMinutes, comment: comment)
        try await request.write(cluster: cluster, terminal: terminal, clock: clock)
    }
}

struct Reject: TerminalCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Refuse a held action: write an Approval that rejects it.")

    @Argument(help: "The action's id, as the plan prints it (act-...).")
    var id: String

    @Option(help: .hidden)
    var by: String?

    @Option(help: "A comment kept with the decision.")
    var comment: String?

    @OptionGroup var cluster: ClusterOptions

    func validate() throws { try ApprovalRequest.refuseBy(by) }

    func run(on terminal: Terminal, clock: WallClock) async throws {
        let request = ApprovalRequest(id: id, decision: .reject, minutes: 24 * 60, comment: comment)
        try await request.write(cluster: cluster, terminal: terminal, clock: clock)
    }
}

/// What `approve` and `reject` write: the Approval of one held action, for how long. Who approves
/// is not asked: it is the user the cluster says this client is (a SelfSubjectReview), the only
/// name the API server's admission policy admits in `spec.approvedBy`.
struct ApprovalRequest {
    var id: String
    var decision: Approval.Decision
    var minutes: Int
    var comment: String?

    /// `--by` is gone: an approval names whoever the cluster authenticates, never a name typed in.
    static func refuseBy(_ by: String?) throws {
        guard by != nil else { return }
        throw ValidationError("""
            --by is no longer accepted: the approver is the user the cluster says you are (SelfSubjectReview, as `kubectl auth whoami`), \
            and the API server refuses an Approval naming anyone else; to approve as another user, use that user's credentials (--token, --context)
            """)
    }

    func write(cluster: ClusterOptions, terminal: Terminal, clock: WallClock) async throws {
        guard ApprovalObject.isActionID(id) else {
            terminal.printError("error: \"\(id)\" is not an action id; ids look like act-0123456789abcdef (see hmsctl plan)")
            throw ExitCode(1)
        }
        let access = try cluster.cluster(fieldManager: "hmsctl", terminal: terminal)
        let namespace = cluster.namespace ?? access.client.namespace
        let approver = try await whoAmI(access, terminal: terminal)
        guard try await isHeld(id, namespace: namespace, access: access, terminal: terminal, now: clock.now()) else {
            terminal.printError("error: \(id) is not an action held for approval in namespace \(namespace); "
                + "held actions are in the plan (hmsctl plan) and in ActionHeld Events (kubectl get events -n \(namespace) --field-selector reason=ActionHeld)")
            throw ExitCode(1)
        }
        let expires = clock.now().addingTimeInterval(TimeInterval(minutes * 60))
        let name = ApprovalObject.name(id: id, decision: decision)
        let approval = ApprovalObject.make(
            id: id, decision: decision, by: approver.username, groups: approver.groups ?? [], expires: expires, comment: comment, namespace: namespace)
        let written: ApprovalWrite
        do {
            written = try await access.client.writeApproval(approval)
        } catch {
            try terminal.failOnMissingCRDs(error)
        }
        if case .exists(let existing) = written {
            try report(existing, by: approver.username, terminal: terminal)
            return
        }
        let verb = decision == .approve ? "approved" : "rejected"
        terminal.print("approval.\(API.group)/\(name) created: \(id) \(verb) by \(approver.username) until \(RFC3339.string(from: expires)); the next apply or reconcile carries it out")
    }

    /// An Approval of that name was there already: done when it says what this one would have
    /// (the same user's same decision on this action), an error otherwise.
    func report(_ existing: ExistingApproval, by user: String, terminal: Terminal) throws {
        let subject = "approval.\(API.group)/\(existing.name) in namespace \(existing.namespace): \(existing.action) \(existing.summary)"
        guard existing.says(decision, on: id, by: user) else {
            terminal.printError("error: \(subject), and an Approval cannot change once written: "
                + "delete it (kubectl delete approval \(existing.name) -n \(existing.namespace)) and run this again")
            throw ExitCode(1)
        }
        terminal.print(subject)
    }

    /// The user the cluster authenticates this client as.
    func whoAmI(_ access: ClusterAccess, terminal: Terminal) async throws -> UserInfo {
        do {
            return try await access.client.selfSubjectReview()
        } catch {
            terminal.printError("error: could not ask the cluster who you are (SelfSubjectReview, authentication.k8s.io/v1, Kubernetes 1.28 or later): \(error)")
            throw ExitCode(1)
        }
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
