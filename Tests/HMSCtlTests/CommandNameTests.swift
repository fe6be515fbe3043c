import ArgumentParser
import HMSCtlCommands
import Testing

/// Every command names itself. A name ArgumentParser derives from the type's name costs a scan of
/// the binary's protocol conformances on each start (3 ms of hmsctl's 12 ms).
@Suite(.tags(.unit)) struct CommandNameTests {
    @Test func everyCommandHasItsNameWritten() {
        var unnamed: [String] = []
        var commands: [any ParsableCommand.Type] = [HMSCtl.self]
        while let command = commands.popLast() {
            if command.configuration.commandName == nil { unnamed.append("\(command)") }
            commands += command.configuration.subcommands
        }
        #expect(unnamed == [])
    }
}
