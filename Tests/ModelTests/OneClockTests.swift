import Foundation
import Testing

/// Time comes from one clock: the system's is read in `WallClock` alone, and the executables
/// choose it; everything else is handed a clock or a `now`. The core keeps no global cache.
@Suite(.tags(.unit)) struct OneClockTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")
    /// The executables: their `main` may pick the system clock.
    static let executables: Set<String> = ["hms-controller", "hms-mock-cluster", "hmsctl", "hms-bench-plan", "hms-bench-client", "hms-fuzz-decode"]

    /// `Sources/TARGET/...` relative path → text, of every Swift file in `targets` (all when nil).
    static func files(in targets: Set<String>? = nil) throws -> [(path: String, text: String)] {
        let paths = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        return try paths.filter { $0.hasSuffix(".swift") }.sorted().compactMap { path in
            let target = String(path.prefix { $0 != "/" })
            guard targets.map({ $0.contains(target) }) ?? true else { return nil }
            return (path, try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8))
        }
    }

    @Test func theSystemClockIsReadInWallClockAndTheExecutablesOnly() throws {
        let readers = try Self.files().filter { file in
            file.text.contains("Date()") && file.path != "Model/WallClock.swift" && !Self.executables.contains(String(file.path.prefix { $0 != "/" }))
        }
        #expect(readers.map(\.path) == [])
    }

    @Test func theCoreKeepsNoGlobalMutableState() throws {
        let holders = try Self.files(in: ["Planner", "Model"]).filter { file in
            ["Mutex<", "nonisolated(unsafe)", "NSLock", "static var _"].contains { file.text.contains($0) }
        }
        #expect(holders.map(\.path) == [])
    }
}
