import Foundation
import Model

/// Names, labels and annotations of a Directive's Jobs. A Job's name is a function of the
/// directive, the run, the job id and the attempt, so a controller that restarts halfway through a
/// run asks for the same names again and the API server refuses the duplicates.
public enum DirectiveNaming {
    // Labels select (the observer lists by the first); annotations keep what labels cannot hold.
    public static let directiveLabel = "ops.hms.gov/directive"
    public static let runLabel = "ops.hms.gov/run"
    public static let jobLabel = "ops.hms.gov/job"
    public static let attemptLabel = "ops.hms.gov/attempt"
    /// The directive's full name (a label value stops at 63 characters, a name may not).
    public static let directiveAnnotation = "ops.hms.gov/directive-name"
    public static let scheduledTimeAnnotation = "ops.hms.gov/scheduled-time"
    public static let triggerAnnotation = "ops.hms.gov/trigger"
    /// On a Directive: an RFC 3339 time asks for a run at that time (`hmsctl directive run`).
    public static let runRequestAnnotation = "ops.hms.gov/run-requested-at"

    static let maxLength = 63

    /// The run's id, from its time in UTC (unambiguous across daylight saving changes):
    /// `20261126-1100` for a scheduled run, `20261126-110012` for a manual one, which may start at
    /// any second.
    public static func runID(_ time: Date, trigger: Directive.Trigger) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        let day = String(format: "%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        let clock = String(format: "%02d%02d", parts.hour ?? 0, parts.minute ?? 0)
        return "\(day)-\(clock)" + (trigger == .manual ? String(format: "%02d", parts.second ?? 0) : "")
    }

    /// `daily-power-dispatch-20261126-1100-power-tx-1`: a DNS-1123 label. Dots in the directive's
    /// name become dashes; when that changed the name, or it is longer than 63 characters, the
    /// directive's part is cut and followed by a hash of the whole name, so two directives never
    /// share a Job name and the run, job and attempt still read at the end.
    public static func jobName(directive: String, runID: String, jobID: String, attempt: Int) -> String {
        let full = "\(directive)-\(runID)-\(jobID)-\(attempt)"
        let label = full.lowercased().replacingOccurrences(of: ".", with: "-")
        guard label != full || full.count > maxLength else { return full }
        let suffix = "-\(runID)-\(jobID)-\(attempt)"
        let hash = stableHash(full)
        let room = maxLength - suffix.count - hash.count - 1
        if room >= 1 {
            let part = alphanumericEnds(String(directive.lowercased().replacingOccurrences(of: ".", with: "-").prefix(room)))
            if !part.isEmpty { return part + "-" + hash + suffix }
        }
        return shortened(label, hashOf: full)
    }

    /// The value of the directive label: the name itself, or cut with a hash when it is longer than
    /// a label value may be.
    public static func labelValue(_ directive: String) -> String {
        directive.count <= maxLength ? directive : shortened(directive, hashOf: directive)
    }

    /// The first characters of `text`, a dash and 10 hex digits of the hash of `original`, in 63.
    static func shortened(_ text: String, hashOf original: String) -> String {
        let hash = stableHash(original)
        let prefix = alphanumericEnds(String(text.prefix(maxLength - hash.count - 1)))
        return prefix.isEmpty ? hash : prefix + "-" + hash
    }

    /// Without trailing dashes or dots: names and label values end with a letter or digit.
    static func alphanumericEnds(_ text: String) -> String {
        var text = text
        while let last = text.last, !(last.isASCII && (last.isLetter || last.isNumber)) { text.removeLast() }
        return text
    }

    /// 10 hex digits of FNV-1a: stable across runs and machines, unlike `hashValue`.
    public static func stableHash(_ text: String) -> String {
        let hex = String(StableHash.fnv1a(text), radix: 16)
        return String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(10))
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DirectiveSchedule.utc
        return calendar
    }()
}

extension DirectiveNaming {
    /// The time and trigger a run id stands for: `20261126-1100` (scheduled) or `20261126-110012`
    /// (manual), in UTC. Nil for anything else.
    public static func runTime(fromID id: String) -> (Date, Directive.Trigger)? {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 8, parts[1].count == 4 || parts[1].count == 6,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        func number(_ text: Substring, _ from: Int, _ length: Int) -> Int {
            Int(text.dropFirst(from).prefix(length)) ?? 0
        }
        let day = parts[0], clock = parts[1]
        let components = DateComponents(
            year: number(day, 0, 4), month: number(day, 4, 2), day: number(day, 6, 2),
            hour: number(clock, 0, 2), minute: number(clock, 2, 2), second: clock.count == 6 ? number(clock, 4, 2) : 0)
        guard (1...12).contains(components.month ?? 0), (1...31).contains(components.day ?? 0), (0...23).contains(components.hour ?? 0),
            (0...59).contains(components.minute ?? 0), (0...59).contains(components.second ?? 0),
            let date = utcCalendar.date(from: components),
            runID(date, trigger: clock.count == 6 ? .manual : .schedule) == id
        else { return nil }
        return (date, clock.count == 6 ? .manual : .schedule)
    }
}
