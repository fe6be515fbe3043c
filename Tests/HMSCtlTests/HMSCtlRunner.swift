import Foundation

/// What a run of the built `hmsctl` did: how it exited and everything it printed.
struct HMSCtlRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Command tests run the built `hmsctl` as a user runs it: from the repository root, with real
/// files, standard input when given, whole outputs.
protocol HMSCtlRunner {}

extension HMSCtlRunner {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func hmsctl(_ arguments: [String], stdin: String? = nil) throws -> HMSCtlRun {
        let process = Process()
        // The binary sits next to the test bundle in the build directory.
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("hmsctl")
        process.arguments = arguments
        process.currentDirectoryURL = Self.repository
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
