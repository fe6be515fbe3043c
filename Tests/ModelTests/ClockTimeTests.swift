import Foundation
import Testing

@testable import Model

@Suite("ClockTime", .tags(.unit))
struct ClockTimeTests {
    struct Valid: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let hour: Int
        let minute: Int
        let written: String
        var testDescription: String { "\(name): \(text)" }
    }

    static let valid: [Valid] = [
        Valid(name: "morning", text: "06:00", hour: 6, minute: 0, written: "06:00"),
        Valid(name: "midnight", text: "00:00", hour: 0, minute: 0, written: "00:00"),
        Valid(name: "last minute of the day", text: "23:59", hour: 23, minute: 59, written: "23:59"),
        Valid(name: "one-digit hour", text: "6:05", hour: 6, minute: 5, written: "06:05"),
        Valid(name: "afternoon", text: "17:30", hour: 17, minute: 30, written: "17:30"),
    ]

    @Test(arguments: valid)
    func parses(_ c: Valid) throws {
        let time = try ClockTime(parsing: c.text)
        #expect(time.hour == c.hour)
        #expect(time.minute == c.minute)
        #expect(time.description == c.written)
    }

    static let invalid: [(name: String, text: String)] = [
        ("hour 24", "24:00"),
        ("minute 60", "12:60"),
        ("no minutes", "6"),
        ("seconds", "06:00:00"),
        ("empty", ""),
        ("letters", "ab:cd"),
        ("leading space", " 06:00"),
        ("one-digit minute", "06:0"),
        ("three-digit hour", "006:00"),
        ("negative hour", "-1:00"),
        ("plus sign", "+6:00"),
        ("twelve-hour clock", "6:00 PM"),
        ("dot separator", "06.00"),
        ("Arabic-Indic digits", "٠٦:٠٠"),
    ]

    @Test(arguments: invalid)
    func rejects(_ c: (name: String, text: String)) {
        #expect(throws: ValueError(
            "invalid time \(c.text.debugDescription): expected HH:MM between 00:00 and 23:59"
        )) { try ClockTime(parsing: c.text) }
    }

    @Test func theExactErrorMessage() {
        #expect(throws: ValueError(#"invalid time "24:00": expected HH:MM between 00:00 and 23:59"#)) {
            try ClockTime(parsing: "24:00")
        }
    }

    @Test func ordersByTimeOfDay() throws {
        let times = try ["23:59", "6:00", "05:59", "00:00", "06:01"].map(ClockTime.init(parsing:))
        #expect(times.sorted().map(\.description) == ["00:00", "05:59", "06:00", "06:01", "23:59"])
        #expect(try ClockTime(parsing: "6:00") == ClockTime(parsing: "06:00"))
    }

    struct SLO: Codable, Equatable {
        var finishBefore: ClockTime
    }

    @Test func roundTripsThroughJSONAsHHMM() throws {
        let slo = try JSONDecoder().decode(SLO.self, from: Data(#"{"finishBefore": "6:00"}"#.utf8))
        #expect(slo.finishBefore == (try ClockTime(parsing: "06:00")))
        let json = String(decoding: try JSONEncoder().encode(slo), as: UTF8.self)
        #expect(json == #"{"finishBefore":"06:00"}"#)
        #expect(try JSONDecoder().decode(SLO.self, from: Data(json.utf8)) == slo)
    }

    @Test func badStringIsDataCorruptedWithTheMessage() {
        do {
            _ = try JSONDecoder().decode(SLO.self, from: Data(#"{"finishBefore": "25:00"}"#.utf8))
            Issue.record("decoded a bad time")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == #"invalid time "25:00": expected HH:MM between 00:00 and 23:59"#)
            #expect(context.codingPath.map(\.stringValue) == ["finishBefore"])
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
