import BursarCore
import Foundation
import Testing

@Suite struct BudgetTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    func t(_ text: String) -> Int64 { Timestamp.parse(text)! }

    @Test func monthsWeeksAndDaysFollowTheZonesCalendar() {
        let now = t("2026-11-01T00:30:00Z") // already 01:30 on November 1st in Berlin
        let month = BudgetPeriod.month.range(containing: now, timeZone: berlin)
        #expect(Timestamp.format(month.start) == "2026-10-31T23:00:00Z" && Timestamp.format(month.end) == "2026-11-30T23:00:00Z")
        let week = BudgetPeriod.week.range(containing: t("2026-11-22T19:00:00Z"), timeZone: berlin)
        #expect(Timestamp.format(week.start) == "2026-11-15T23:00:00Z" && Timestamp.format(week.end) == "2026-11-22T23:00:00Z")
        let sundayWeek = BudgetPeriod.week.range(containing: t("2026-11-22T19:00:00Z"), timeZone: berlin, weekStart: .sunday)
        #expect(Timestamp.format(sundayWeek.start) == "2026-11-21T23:00:00Z")
        let day = BudgetPeriod.day.range(containing: t("2026-11-22T23:30:00Z"), timeZone: berlin)
        #expect(Timestamp.format(day.start) == "2026-11-22T23:00:00Z")
    }

    @Test func aDSTChangeDayIs23Or25Hours() {
        let spring = BudgetPeriod.day.range(containing: t("2026-03-29T12:00:00Z"), timeZone: berlin)
        #expect(spring.end - spring.start == 23 * UTC.millisPerHour)
        let autumn = BudgetPeriod.day.range(containing: t("2026-10-25T12:00:00Z"), timeZone: berlin)
        #expect(autumn.end - autumn.start == 25 * UTC.millisPerHour)
        let march = BudgetPeriod.month.range(containing: t("2026-03-15T00:00:00Z"), timeZone: berlin)
        #expect(Timestamp.format(march.start) == "2026-02-28T23:00:00Z" && Timestamp.format(march.end) == "2026-03-31T22:00:00Z")
    }

    @Test func statesAndForecast() throws {
        let budget = Budget(id: "b", scope: [:], period: .month, timeZone: TimeZone(identifier: "UTC")!,
                            limit: Money(decimal: "100")!, warnAtBasisPoints: 8000, action: .downgrade, downgradeTo: "fast")
        let start = t("2026-11-01T00:00:00Z"), end = t("2026-12-01T00:00:00Z")
        let tenDays = start + 10 * UTC.millisPerDay
        let ok = BudgetStatus(budget: budget, periodStart: start, periodEnd: end, spent: Money(decimal: "20")!, now: tenDays)
        let remaining = try ok.remaining
        #expect(ok.state == .ok && ok.forecast == Money(decimal: "60")! && remaining == Money(decimal: "80")!)
        #expect(ok.explanation.contains("$20.00 of $100.00 (20%)") && ok.explanation.contains("ends at $60.00"))
        let warning = BudgetStatus(budget: budget, periodStart: start, periodEnd: end, spent: Money(decimal: "80")!, now: tenDays)
        #expect(warning.state == .warning)
        let exceeded = BudgetStatus(budget: budget, periodStart: start, periodEnd: end, spent: Money(decimal: "100")!, now: tenDays)
        #expect(exceeded.state == .exceeded && exceeded.explanation.contains("go to the fast tier"))
    }

    @Test(arguments: [
        (#"{"period":"month","limit_usd":"-5"}"#, "limit_usd"), (#"{"period":"month","limit_usd":5000}"#, "limit_usd"),
        (#"{"period":"fortnight","limit_usd":"5"}"#, "period"), (#"{"period":"month","limit_usd":"5","timezone":"Mars/Olympus"}"#, "timezone"),
        (#"{"period":"month","limit_usd":"5","timezone":"Asia/Kolkata"}"#, "timezone"),
        (#"{"scope":{"user":"u"},"period":"month","limit_usd":"5","timezone":"Europe/Berlin"}"#, "timezone"),
        (#"{"scope":{"colour":"red"},"period":"month","limit_usd":"5"}"#, "scope.colour"),
        (#"{"period":"month","limit_usd":"5","action":"downgrade"}"#, "downgrade_to"),
        (#"{"period":"month","limit_usd":"5","warn_at":1.5}"#, "warn_at"),
    ])
    func badBudgetsNameTheField(body: String, field: String) throws {
        #expect {
            try Budget.parse(id: "b", JSONValue.parse(Array(body.utf8)), tiers: nil, now: t("2026-11-22T00:00:00Z"))
        } throws: { error in
            (error as? FieldError)?.field == field
        }
    }
}
