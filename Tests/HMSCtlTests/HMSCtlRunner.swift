import ArgumentParser
import Foundation
@testable import HMSCtlCommands
import Model
import Synchronization

/// What a run of `hmsctl` did: how it exited and everything it printed.
struct HMSCtlRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Where the command tests' files are: paths given to a command are the repository's.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// Text a command wrote, kept for the test to read.
final class CapturedText: Sendable {
    private let text = Mutex("")

    func append(_ more: String) { text.withLock { $0 += more } }

    var value: String { text.withLock { $0 } }
}

/// Runs hmsctl's commands in the test's own process: parsed as the program parses its arguments,
/// run against captured streams and the given clock, and ended as ArgumentParser's `main` ends a
/// run (the error's message on standard error, help on standard output, its exit code).
enum InProcess {
    static let clock = WallClock.fixed(Date(timeIntervalSince1970: 1_795_723_200))

    static func hmsctl(_ arguments: [String], stdin: String = "", clock: WallClock = clock) async -> HMSCtlRun {
        let output = CapturedText(), errors = CapturedText()
        let input = Array(stdin.utf8)
        let terminal = Terminal(output: output.append, errors: errors.append, input: { input })
        var status: Int32 = 0
        do {
            let command = try HMSCtl.parseAsRoot(arguments)
            guard let runnable = command as? any TerminalCommand else { throw CleanExit.helpRequest(command) }
            try await runnable.run(on: terminal, clock: clock)
        } catch {
            status = HMSCtl.exitCode(for: error).rawValue
            let message = HMSCtl.fullMessage(for: error)
            if !message.isEmpty { (status == 0 ? output : errors).append(message + "\n") }
        }
        return HMSCtlRun(status: status, stdout: output.value, stderr: errors.value)
    }
}

/// Runs the built `hmsctl` binary as a user runs it, from the repository root: for what only the
/// program itself does (its exit status, its real standard streams).
enum BuiltBinary {
    static func hmsctl(_ arguments: [String], stdin: String? = nil) throws -> HMSCtlRun {
        let process = Process()
        // The binary sits next to the test bundle in the build directory.
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("hmsctl")
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return HMSCtlRun(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
