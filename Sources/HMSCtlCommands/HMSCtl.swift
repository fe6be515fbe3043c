import ArgumentParser

/// `hmsctl`: the command line of hms-controller.
public struct HMSCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "hmsctl",
        abstract: "Declare, plan and run services, budgets and directives on Kubernetes.",
        version: "0.1.0",
        subcommands: [
            Validate.self, Apply.self, PlanCommand.self, Diff.self, Get.self, Approve.self, Reject.self, Logs.self,
            CRDs.self, Autoscale.self, DirectiveCommand.self,
        ]
    )

    public init() {}
}
