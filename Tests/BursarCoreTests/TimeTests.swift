import BursarCore
import Testing

@Suite struct TimeTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-22T19:32:06Z", 1_795_375_926_000),
        ("2026-11-22T19:32:06.250Z", 1_795_375_926_250),
        ("2026-11-22T20:32:06+01:00", 1_795_375_926_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
    ])
    func parsesRFC3339(text: String, millis: Int64) {
        #expect(Timestamp.parse(text) == millis)
    }

    @Test(arguments: ["2026-02-30T00:00:00Z", "2026-11-22", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00", "yesterday", "2026-13-01T00:00:00Z"])
    func rejectsWhatIsNotATimestamp(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func acceptsADateWhereAsked() {
        #expect(Timestamp.parse("2026-11-01", allowDate: true) == 1_793_491_200_000)
    }

    @Test func formatsBack() {
        #expect(Timestamp.format(1_795_375_926_000) == "2026-11-22T19:32:06Z")
        #expect(Timestamp.format(1_795_375_926_250) == "2026-11-22T19:32:06.250Z")
    }

    @Test func monthsAndDaysInUTC() {
        let time = Timestamp.parse("2026-12-31T23:59:59Z")!
        #expect(Timestamp.format(UTC.monthStart(time)) == "2026-12-01T00:00:00Z")
        #expect(Timestamp.format(UTC.nextMonthStart(time)) == "2027-01-01T00:00:00Z")
        #expect(Timestamp.format(UTC.dayStart(time)) == "2026-12-31T00:00:00Z")
        #expect(Timestamp.format(UTC.hourStart(time)) == "2026-12-31T23:00:00Z")
    }

    @Test func rangePlanReadsWholeDaysFromDayTables() {
        let from = Timestamp.parse("2026-11-01T20:00:00Z")!
        let to = Timestamp.parse("2026-11-04T03:00:00Z")!
        let plan = RangePlan(from: from, to: to, interval: nil)
        #expect(plan.segments.map(\.grain) == [.hour, .day, .hour])
        #expect(plan.segments.map { Timestamp.format($0.from) } == ["2026-11-01T20:00:00Z", "2026-11-02T00:00:00Z", "2026-11-04T00:00:00Z"])
        #expect(RangePlan(from: from, to: to, interval: .hour).segments.count == 1)
        let sameDay = RangePlan(from: from, to: from + 3 * UTC.millisPerHour, interval: .day)
        #expect(sameDay.segments.map(\.grain) == [.hour])
    }
}
