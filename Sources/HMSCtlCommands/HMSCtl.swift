import ArgumentParser

/// `hmsctl`: the command line of hms-controller.
public struct HMSCtl: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "hmsctl",
        abstract: "Declare, plan and run services, budgets and directives on Kubernetes.",
        version: "0.1.0",
        subcommands: [Validate.self, CRDs.self, Autoscale.self]
    )

    public init() {}
}
