import ArgumentParser
import Model

/// A duration flag in Go's syntax, as Kubernetes components take theirs (`GoDuration`).
struct FlagDuration: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let duration: Duration
    let description: String

    init?(argument: String) {
        guard let duration = GoDuration.parse(argument) else { return nil }
        self.duration = duration
        description = argument
    }
}
