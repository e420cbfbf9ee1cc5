import BursarCore

/// The rollup tables as one read transaction of a backend sees them. Spend reports, the
/// summary and budget statuses are computed from it the same way on every backend.
package protocol RollupSnapshot {
    /// Adds to `accumulator` every row of `table` whose bucket is in `[from, to)` and whose
    /// `filters` columns hold the given values; the key columns are `columns`.
    func accumulate(_ table: String, columns: [String], from: Int64, to: Int64, filters: [(column: String, value: String)],
                    into accumulator: inout GroupAccumulator) throws
    /// The first or the last hour bucket of the traffic table (nil when it is empty). One end
    /// a call: asked for both at once, SQLite scans the whole table instead of reading each
    /// end of its key (68 ms instead of 4 at 1M events, on every spend query).
    func trafficHour(_ end: TrafficEnd) throws -> Int64?
}

/// Which end of the traffic table's hours.
package enum TrafficEnd {
    case first
    case last

    /// The SQL aggregate that reads it.
    package var aggregate: String { self == .first ? "MIN" : "MAX" }
}

extension RollupSnapshot {
    /// Every group of the query, unordered, summed across the plan's segments.
    package func groups(_ query: SpendQuery) throws -> [SpendReport.Row] {
        let cuboid = query.cuboid
        let bucketing: (Int64) -> Int64
        switch query.interval {
        case nil: bucketing = { _ in 0 }
        case .hour: bucketing = { $0 }
        case .day: bucketing = UTC.dayStart
        case .month: bucketing = UTC.monthStart
        }
        var accumulator = GroupAccumulator(width: query.groupBy.count, bucketing: bucketing)
        accumulator.saturating = query.saturating
        let plan = RangePlan(from: query.from, to: query.to, interval: query.interval, grains: cuboid.grains,
                             dataEnd: try trafficHour(.last).map { $0 + UTC.millisPerHour })
        let filters = query.filters.sorted { $0.key.rawValue < $1.key.rawValue }.map { (column: $0.key.column, value: $0.value) }
        for segment in plan.segments {
            try accumulate(cuboid.table(segment.grain), columns: query.groupBy.map(\.column), from: segment.from, to: segment.to,
                           filters: filters, into: &accumulator)
        }
        return try accumulator.results.map { group in
            SpendReport.Row(values: group.values, bucket: query.interval == nil ? nil : group.bucket, metrics: group.metrics)
        }
    }

    package func spend(_ query: SpendQuery) throws -> SpendReport {
        let groups = try groups(query)
        return SpendReport(query: query, rows: SpendReport.ordered(groups, by: query.order, limit: query.limit),
                           total: try SpendReport.total(groups), groups: groups.count)
    }

    /// Totals and tier mix for `[from, to)`, month to date and the month-end forecast at `now`.
    package func summary(from: Int64, to: Int64, now: Int64) throws -> SpendSummary {
        var byTierQuery = SpendQuery(from: from, to: to)
        byTierQuery.groupBy = [.tier]
        let tiers = try groups(byTierQuery)
        let total = try SpendReport.total(tiers)
        let byTier = SpendReport.ordered(tiers, by: .cost, limit: tiers.count).map { (tier: $0.values[0], metrics: $0.metrics) }

        let endOfHour = UTC.hourStart(now) + UTC.millisPerHour
        let monthToDate = try cost(from: UTC.monthStart(now), to: endOfHour)
        let firstData = try trafficHour(.first) ?? now
        let recentStart = max(endOfHour - 7 * UTC.millisPerDay, UTC.hourStart(firstData))
        let recent = try cost(from: recentStart, to: endOfHour)
        let forecast = Forecast.monthEnd(monthToDate: monthToDate, recent: recent,
                                         recentMillis: max(now - recentStart, UTC.millisPerHour),
                                         remainingMillis: UTC.nextMonthStart(now) - now)
        return SpendSummary(from: from, to: to, total: total, byTier: byTier, monthToDate: monthToDate, forecastMonth: forecast)
    }

    func cost(from: Int64, to: Int64) throws -> Money {
        guard from < to else { return .zero }
        return try SpendReport.total(try groups(SpendQuery(from: from, to: to))).cost
    }

    /// The budget's state in the period that contains `now`.
    package func status(_ budget: Budget, now: Int64) throws -> BudgetStatus {
        let (start, end) = budget.period.range(containing: now, timeZone: budget.timeZone, weekStart: budget.weekStart)
        var query = SpendQuery(from: start, to: end)
        query.filters = budget.scope
        let spent: Money
        do {
            spent = try SpendReport.total(try groups(query)).cost
        } catch is CounterOverflow {
            // More than 2^63-1 nano-USD in scope: past every limit, shown as the largest
            // amount. One budget's figure must not stop the bundle (and every other budget).
            spent = Money(nanos: .max)
        }
        return BudgetStatus(budget: budget, periodStart: start, periodEnd: end, spent: spent, now: now)
    }
}
