import BursarCore
import BursarStorage

extension StorageConformance {
    static let spendChecks: [Check] = [
        Check("spend is exact to the nano-dollar by any dimension, and rollups equal a recomputation from raw events") { backend in
            try backend.withStore { store in
                // Odd costs spread over users, features, tiers and three days, in several batches.
                var events: [PricedEvent] = []
                for index in 0..<3_000 {
                    let cost = Int64(index * 7_919 % 1_000_003) + 1
                    events.append(Fixtures.priced("e\(index)", time: Fixtures.start + Int64(index % 72) * Fixtures.hour,
                                                  tier: ["fast", "mid", "frontier"][index % 3], user: "u\(index % 17)",
                                                  feature: "f\(index % 5)", cost: cost, baseline: cost * 3, latency: Int64(index % 900)))
                }
                for chunk in stride(from: 0, to: events.count, by: 250) {
                    try store.store(Array(events[chunk..<min(chunk + 250, events.count)]))
                }
                try expect(try store.storage.rollupDiscrepancies().isEmpty, "rollups = recomputation from the raw events")
                for dimension in [RollupDimension.user, .feature, .tier] {
                    let report = try store.storage.spend(Fixtures.everything(groupBy: [dimension]))
                    var expected: [String: Int64] = [:]
                    for priced in events { expected[dimension.value(of: priced.event), default: 0] += priced.cost.cost.nanos }
                    let actual = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.values[0], $0.metrics.cost.nanos) })
                    try expectEqual(actual, expected, "cost by \(dimension)")
                    try expectEqual(report.total.cost.nanos, events.reduce(0) { $0 + $1.cost.cost.nanos }, "the total by \(dimension)")
                    try expectEqual(report.total.baselineCost.nanos, events.reduce(0) { $0 + $1.cost.baseline.nanos }, "the baseline by \(dimension)")
                    try expectEqual(report.total.requests, 3_000, "requests by \(dimension)")
                }
                // Latency percentiles from the rollups' merged histograms equal the histogram of every event.
                var direct = LatencyHistogram()
                for priced in events { direct.record(priced.event.latencyMillis ?? 0) }
                let merged = try store.storage.spend(Fixtures.everything(groupBy: [.tier])).total.latency
                for quantile in [0.5, 0.95, 0.99] {
                    try expectEqual(merged.percentile(quantile), direct.percentile(quantile), "p\(Int(quantile * 100))")
                }
            }
        },
        Check("hourly and daily buckets put each event in its hour and day") { backend in
            try backend.withStore { store in
                let midnight = Fixtures.start / Fixtures.day * Fixtures.day
                try store.store([
                    Fixtures.priced("late", time: midnight - 1, cost: 1),
                    Fixtures.priced("early", time: midnight, cost: 10),
                    Fixtures.priced("later", time: midnight + Fixtures.hour + 1, cost: 100),
                ])
                var hourly = Fixtures.everything()
                hourly.interval = .hour
                let hours = try store.storage.spend(hourly).rows.map { ($0.bucket ?? -1, $0.metrics.cost.nanos) }
                try expect(hours.map(\.0) == [midnight - Fixtures.hour, midnight, midnight + Fixtures.hour] && hours.map(\.1) == [1, 10, 100],
                           "hours: \(hours)")
                var daily = Fixtures.everything()
                daily.interval = .day
                let days = try store.storage.spend(daily).rows.map { ($0.bucket ?? -1, $0.metrics.cost.nanos) }
                try expect(days.map(\.0) == [midnight - Fixtures.day, midnight] && days.map(\.1) == [1, 110], "days: \(days)")
            }
        },
    ]

    static let budgetChecks: [Check] = [
        Check("a calendar budget's day follows its time zone across the end of DST (a 25-hour day)") { backend in
            // Europe/Berlin leaves summer time on 2026-10-25: that local day runs from
            // 2026-10-24 22:00 UTC to 2026-10-25 23:00 UTC.
            let dayStart: Int64 = 1_792_879_200_000  // 2026-10-24T22:00:00Z
            let dayEnd = dayStart + 25 * Fixtures.hour
            try backend.withStore(now: dayStart + 12 * Fixtures.hour) { store in
                try store.store([
                    Fixtures.priced("before", time: dayStart - Fixtures.hour / 2, cost: 1),
                    Fixtures.priced("first", time: dayStart + Fixtures.hour / 2, cost: 10),
                    Fixtures.priced("last", time: dayEnd - Fixtures.hour / 2, cost: 100),
                    Fixtures.priced("after", time: dayEnd + Fixtures.hour / 2, cost: 1000),
                ])
                let berlin = Fixtures.budget("berlin", zone: "Europe/Berlin", limitNanos: 105)
                try store.storage.putBudget(berlin, actor: "test")
                let status = try store.storage.budgetStatus(berlin, now: dayStart + 12 * Fixtures.hour)
                try expectEqual(status.periodStart, dayStart, "the day starts at local midnight")
                try expectEqual(status.periodEnd, dayEnd, "and lasts 25 hours")
                try expectEqual(status.spent, Money(nanos: 110), "spend within the local day only")
                try expectEqual(status.state, .exceeded, "110 nano-USD of 105")
                let utc = Fixtures.budget("utc", limitNanos: 1_000_000)
                try store.storage.putBudget(utc, actor: "test")
                let utcStatus = try store.storage.budgetStatus(utc, now: dayStart + 12 * Fixtures.hour)
                try expectEqual(utcStatus.periodEnd - utcStatus.periodStart, Fixtures.day, "a UTC day is 24 hours")
                try expectEqual(try store.storage.budgetStatuses(now: dayStart + 12 * Fixtures.hour).map(\.budget.id), ["berlin", "utc"],
                                "every budget, by id")
            }
        },
        Check("a scoped budget counts only its scope") { backend in
            try backend.withStore { store in
                try store.store([
                    Fixtures.priced("s1", feature: "support", cost: 30),
                    Fixtures.priced("s2", feature: "support", cost: 30),
                    Fixtures.priced("o1", feature: "search", cost: 500),
                ])
                let support = Fixtures.budget("support", limitNanos: 100, scope: [.feature: "support"])
                try store.storage.putBudget(support, actor: "test")
                let status = try store.storage.budgetStatus(support, now: Fixtures.start)
                try expectEqual(status.spent, Money(nanos: 60), "the feature's spend")
                try expectEqual(status.state, .ok, "60 of 100, under the 80% warning")
            }
        },
    ]
}
