import Foundation

/// Where the time of day comes from: the executables make the system's (shifted when a test pins
/// the calendar), tests pass a fixed one. Wall time is for what people read and the cluster
/// records (months, schedules, deadlines, stamps); waiting and timeouts use `ContinuousClock`.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public func now() -> Date { read() }

    public static let system = WallClock { Date() }

    /// The system clock moved by `seconds` (back when negative).
    public static func system(offsetBy seconds: Double) -> WallClock {
        seconds == 0 ? .system : WallClock { Date().addingTimeInterval(seconds) }
    }

    public static func fixed(_ date: Date) -> WallClock { WallClock { date } }
}
