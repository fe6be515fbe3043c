import Foundation
import JSON
import Testing

/// The one calendar conversion the time code shares, checked against Foundation's Gregorian
/// calendar across leap years, century rules and dates before 1970.
@Suite(.tags(.unit)) struct CivilDateTests {
    @Test func dayNumbersAndDatesAgreeWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        // From 1600: before 1582 Foundation counts Julian dates.
        for days in stride(from: -135_000, through: 3_000_000, by: 997) {
            let date = CivilDate(daysSince1970: days)
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect([date.year, date.month, date.day] == [parts.year, parts.month, parts.day], "day \(days)")
            #expect(date.daysSince1970 == days)
        }
    }

    @Test func leapYearsFollowTheCenturyRules() {
        #expect(CivilDate.daysIn(month: 2, year: 2000) == 29)
        #expect(CivilDate.daysIn(month: 2, year: 2100) == 28)
        #expect(CivilDate.daysIn(month: 2, year: 2028) == 29)
        #expect(CivilDate(year: 2100, month: 3, day: 1).daysSince1970 - CivilDate(year: 2100, month: 2, day: 28).daysSince1970 == 1)
        #expect(CivilDate(daysSince1970: 0) == CivilDate(year: 1970, month: 1, day: 1))
    }
}
