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

    @Test func rangePlanReadsTheCoarsestBucketsThatFit() {
        let t: (String) -> Int64 = { Timestamp.parse($0)! }
        let plan = RangePlan(from: t("2026-10-30T20:00:00Z"), to: t("2026-12-02T03:00:00Z"), interval: nil)
        #expect(plan.segments == [RangePlan.Segment]([
            .init(grain: .hour, from: t("2026-10-30T20:00:00Z"), to: t("2026-10-31T00:00:00Z")),
            .init(grain: .day, from: t("2026-10-31T00:00:00Z"), to: t("2026-11-01T00:00:00Z")),
            .init(grain: .month, from: t("2026-11-01T00:00:00Z"), to: t("2026-12-01T00:00:00Z")),
            .init(grain: .day, from: t("2026-12-01T00:00:00Z"), to: t("2026-12-02T00:00:00Z")),
            .init(grain: .hour, from: t("2026-12-02T00:00:00Z"), to: t("2026-12-02T03:00:00Z")),
        ]))
        #expect(RangePlan(from: t("2026-11-01T00:00:00Z"), to: t("2026-11-04T00:00:00Z"), interval: .hour).segments.map(\.grain) == [.hour])
        let byDay = RangePlan(from: t("2026-11-01T00:00:00Z"), to: t("2026-12-01T00:00:00Z"), interval: .day)
        #expect(byDay.segments.map(\.grain) == [.day])
    }

    @Test func aMonthWithNothingStoredAfterTheRangeIsReadWhole() {
        let t: (String) -> Int64 = { Timestamp.parse($0)! }
        let to = t("2026-11-22T20:00:00Z")
        let stretched = RangePlan(from: t("2026-10-24T00:00:00Z"), to: to, interval: nil, dataEnd: to)
        #expect(stretched.segments.map(\.grain) == [.day, .month])
        let notStretched = RangePlan(from: t("2026-10-24T00:00:00Z"), to: to, interval: nil, dataEnd: to + UTC.millisPerHour)
        #expect(notStretched.segments.map(\.grain) == [.day, .hour])
        let dayOnly = RangePlan(from: t("2026-11-20T00:00:00Z"), to: t("2026-11-22T00:00:00Z"), interval: nil, grains: [.day, .month])
        #expect(dayOnly.segments == [RangePlan.Segment(grain: .day, from: t("2026-11-20T00:00:00Z"), to: t("2026-11-22T00:00:00Z"))])
    }
}
