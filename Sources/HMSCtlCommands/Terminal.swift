import ArgumentParser
import Foundation
import Manifests
import Model

/// Where a command's words go and its input comes from: the process's own streams when hmsctl
/// runs (`Terminal.standard`), a test's buffers when a test runs the command in its own process.
public struct Terminal: Sendable {
    let output: @Sendable (String) -> Void
    let errors: @Sendable (String) -> Void
    /// Everything on standard input (`-f -`, `--input -`).
    let input: @Sendable () -> [UInt8]
    /// Plans are colored on a terminal, and only there.
    let outputIsTerminal: Bool
    /// A progress line is drawn on a terminal, and only there.
    let errorsAreTerminal: Bool

    public init(output: @escaping @Sendable (String) -> Void, errors: @escaping @Sendable (String) -> Void, input: @escaping @Sendable () -> [UInt8],
                outputIsTerminal: Bool = false, errorsAreTerminal: Bool = false) {
        self.output = output
        self.errors = errors
        self.input = input
        self.outputIsTerminal = outputIsTerminal
        self.errorsAreTerminal = errorsAreTerminal
    }

    /// Standard output (buffered, as `print` is), standard error (written at once), standard input.
    public static var standard: Terminal {
        Terminal(output: { Swift.print($0, terminator: "") }, errors: { FileHandle.standardError.write(Data($0.utf8)) }, input: readStandardInput,
                 outputIsTerminal: isatty(1) == 1, errorsAreTerminal: isatty(2) == 1)
    }

    func print(_ text: String = "", terminator: String = "\n") { output(text + terminator) }

    func printError(_ text: String) { errors(text + "\n") }
}

/// A command that writes to a `Terminal` and reads the time from a clock. When hmsctl runs, its
/// entry point passes the process's streams and the system clock; tests pass their own.
protocol TerminalCommand: AsyncParsableCommand {
    func run(on terminal: Terminal, clock: WallClock) async throws
}

extension TerminalCommand {
    func run() async throws {
        try await run(on: .standard, clock: .system)
    }
}

/// "resource" or "resources".
func plural(_ count: Int, _ word: String) -> String {
    count == 1 ? word : word + "s"
}
