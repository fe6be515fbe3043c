import Foundation
import Testing

@testable import Model

@Suite("TimeZoneID", .tags(.unit))
struct TimeZoneIDTests {
    @Test(arguments: [
        "America/Chicago", "America/New_York", "Europe/Kyiv", "America/Argentina/Buenos_Aires",
        // Not in TimeZone.knownTimeZoneIdentifiers on Linux, yet IANA names Foundation resolves.
        "UTC", "Etc/UTC", "GMT", "Asia/Kolkata", "EST5EDT", "Etc/GMT+5",
        // IANA's backward-compatibility links.
        "US/Central", "Europe/Kiev", "Zulu",
    ])
    func acceptsIANANames(_ identifier: String) throws {
        let zone = try TimeZoneID(parsing: identifier)
        #expect(zone.identifier == identifier)
        #expect(zone.description == identifier)
    }

    @Test func resolvesTheTimeZone() throws {
        #expect(try TimeZoneID(parsing: "America/Chicago").timeZone.identifier == "America/Chicago")
        // On Linux TimeZone(identifier: "UTC").identifier is "GMT"; ours keeps what was written.
        let utc = try TimeZoneID(parsing: "UTC")
        #expect(utc.identifier == "UTC")
        #expect(utc.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0)
        #expect(try TimeZoneID(parsing: "Etc/UTC").timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0)
    }

    struct Unknown: CustomTestStringConvertible, Sendable {
        let name: String
        let identifier: String
        let message: String
        var testDescription: String { name }
    }

    static let unknown: [Unknown] = [
        Unknown(
            name: "typo", identifier: "America/Chicgo",
            message: #"unknown time zone "America/Chicgo"; did you mean "America/Chicago"?"#),
        Unknown(
            name: "two typos", identifier: "Europe/Londn",
            message: #"unknown time zone "Europe/Londn"; did you mean "Europe/London"?"#),
        Unknown(
            name: "missing underscore", identifier: "America/NewYork",
            message: #"unknown time zone "America/NewYork"; did you mean "America/New_York"?"#),
        Unknown(
            name: "space for underscore", identifier: "America/Sao Paulo",
            message: #"unknown time zone "America/Sao Paulo"; did you mean "America/Sao_Paulo"?"#),
        Unknown(
            name: "wrong case", identifier: "america/chicago",
            message: #"unknown time zone "america/chicago"; did you mean "America/Chicago"?"#),
        Unknown(
            name: "lower-case utc", identifier: "utc",
            message: #"unknown time zone "utc"; did you mean "UTC"?"#),
        Unknown(
            name: "city alone", identifier: "Chicago",
            message: #"unknown time zone "Chicago"; did you mean "America/Chicago"?"#),
        Unknown(
            name: "city with a space", identifier: "New York",
            message: #"unknown time zone "New York"; did you mean "America/New_York"?"#),
        Unknown(
            name: "trailing space", identifier: "Etc/UTC ",
            message: #"unknown time zone "Etc/UTC "; did you mean "Etc/UTC"?"#),
        Unknown(
            name: "nothing close", identifier: "Mars/Base",
            message: #"unknown time zone "Mars/Base"; use an IANA name like "America/New_York""#),
        Unknown(
            name: "empty", identifier: "",
            message: #"unknown time zone ""; use an IANA name like "America/New_York""#),
        // Foundation resolves these on Linux, but they are ICU's, not IANA's.
        Unknown(
            name: "ICU offset", identifier: "GMT+5",
            message: #"unknown time zone "GMT+5"; use an IANA name like "America/New_York""#),
        Unknown(
            name: "ICU UTC offset", identifier: "UTC+1",
            message: #"unknown time zone "UTC+1"; use an IANA name like "America/New_York""#),
        Unknown(
            name: "ambiguous abbreviation (ICU says Bangladesh)", identifier: "BST",
            message: #"unknown time zone "BST"; use an IANA name like "America/New_York""#),
        Unknown(
            name: "abbreviation one letter from another zone", identifier: "CST",
            message: #"unknown time zone "CST"; use an IANA name like "America/New_York""#),
        Unknown(
            name: "ICU SystemV name", identifier: "SystemV/EST5",
            message: #"unknown time zone "SystemV/EST5"; use an IANA name like "America/New_York""#),
    ]

    @Test(arguments: unknown)
    func rejectsWithASuggestionWhenClose(_ c: Unknown) {
        #expect(throws: ValueError(c.message)) { try TimeZoneID(parsing: c.identifier) }
    }

    struct Window: Codable, Equatable {
        var timeZone: TimeZoneID
    }

    @Test func roundTripsThroughJSON() throws {
        let window = try JSONDecoder().decode(Window.self, from: Data(#"{"timeZone": "America/Chicago"}"#.utf8))
        #expect(window.timeZone.identifier == "America/Chicago")
        let json = String(decoding: try JSONEncoder().encode(window), as: UTF8.self)
        #expect(json == #"{"timeZone":"America\/Chicago"}"#)
        #expect(try JSONDecoder().decode(Window.self, from: Data(json.utf8)) == window)
    }

    @Test func badNameIsDataCorruptedWithTheMessage() {
        do {
            _ = try JSONDecoder().decode(Window.self, from: Data(#"{"timeZone": "America/Chicgo"}"#.utf8))
            Issue.record("decoded an unknown time zone")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == #"unknown time zone "America/Chicgo"; did you mean "America/Chicago"?"#)
            #expect(context.codingPath.map(\.stringValue) == ["timeZone"])
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
