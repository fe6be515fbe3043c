import Foundation
import Model

/// What the client needs from the world, as closures: tests replace the clock, the sleep, the
/// random source and the process runner; `.live` is the real thing.
public struct KubeDependencies: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform in [0, 1): the jitter of retry delays.
    public var random: @Sendable () -> Double
    public var runProcess: @Sendable (ProcessInvocation) async throws(KubeError) -> ProcessResult

    public init(
        now: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        random: @escaping @Sendable () -> Double,
        runProcess: @escaping @Sendable (ProcessInvocation) async throws(KubeError) -> ProcessResult
    ) {
        self.now = now
        self.sleep = sleep
        self.random = random
        self.runProcess = runProcess
    }

    public static let live = KubeDependencies(
        now: { WallClock.system.now() },
        sleep: { try await Task.sleep(for: $0) },
        random: { Double.random(in: 0..<1) },
        runProcess: { invocation throws(KubeError) in try await ProcessRunner.run(invocation) }
    )
}

public struct ProcessInvocation: Sendable, Equatable {
    public var command: String
    public var arguments: [String]
    /// The whole environment of the child.
    public var environment: [String: String]

    public init(command: String, arguments: [String], environment: [String: String]) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
    }
}

public struct ProcessResult: Sendable, Equatable {
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public init(status: Int32, standardOutput: [UInt8], standardError: [UInt8]) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs a child process on Dispatch's threads, never blocking Swift's cooperative pool.
enum ProcessRunner {
    static func run(_ invocation: ProcessInvocation) async throws(KubeError) -> ProcessResult {
        guard let executable = locate(invocation.command, path: invocation.environment["PATH"]) else {
            throw .credentials("exec plugin \"\(invocation.command)\" was not found\(invocation.command.contains("/") ? "" : " in PATH")")
        }
        let result: Result<ProcessResult, KubeError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = invocation.arguments
                process.environment = invocation.environment
                let output = Pipe(), errors = Pipe()
                process.standardOutput = output
                process.standardError = errors
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: .failure(.credentials("exec plugin \"\(invocation.command)\" could not be started: \(error.localizedDescription)")))
                    return
                }
                // Read standard error alongside, so that neither pipe can fill up and stall the child.
                let group = DispatchGroup()
                nonisolated(unsafe) var errorBytes = Data()
                group.enter()
                DispatchQueue.global().async {
                    errorBytes = errors.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outputBytes = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: .success(ProcessResult(status: process.terminationStatus, standardOutput: Array(outputBytes), standardError: Array(errorBytes))))
            }
        }
        return try result.get()
    }

    static func locate(_ command: String, path: String?) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
