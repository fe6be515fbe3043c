import ArgumentParser

/// `hmsctl autoscale`: autoscaling tools that need no cluster.
struct Autoscale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoscale",
        abstract: "Evaluate AutoscaleRules without a cluster.",
        subcommands: [AutoscaleRecommend.self]
    )
}
