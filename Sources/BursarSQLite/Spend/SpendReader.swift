import BursarCore
import BursarStorage
import Foundation
import GRDB
import GRDBSQLite

/// Spend questions answered from rollup tables (never from raw events).
extension BursarDatabase {
    /// Every group of the query, unordered and without a total (which may not fit in 64
    /// bits when the groups each do): for exports such as `/metrics`.
    public func spendGroups(_ query: SpendQuery) throws -> [SpendReport.Row] {
        try read { db in try Self.groups(query, db) }
    }

    public func spend(_ query: SpendQuery) throws -> SpendReport {
        let groups = try read { db in try Self.groups(query, db) }
        return SpendReport(query: query, rows: SpendReport.ordered(groups, by: query.order, limit: query.limit),
                           total: try SpendReport.total(groups), groups: groups.count)
    }

    /// Totals and tier mix for `[from, to)`, month to date and the month-end forecast at `now`.
    public func summary(from: Int64, to: Int64, now: Int64) throws -> SpendSummary {
        try read { db in
            var byTierQuery = SpendQuery(from: from, to: to)
            byTierQuery.groupBy = [.tier]
            let tiers = try Self.groups(byTierQuery, db)
            let total = try SpendReport.total(tiers)
            let byTier = SpendReport.ordered(tiers, by: .cost, limit: tiers.count).map { (tier: $0.values[0], metrics: $0.metrics) }

            let endOfHour = UTC.hourStart(now) + UTC.millisPerHour
            let monthToDate = try Self.cost(from: UTC.monthStart(now), to: endOfHour, db)
            let firstData = try Int64.fetchOne(db, sql: "SELECT MIN(bucket) FROM \(RollupCuboid.traffic.table(.hour))") ?? now
            let recentStart = max(endOfHour - 7 * UTC.millisPerDay, UTC.hourStart(firstData))
            let recent = try Self.cost(from: recentStart, to: endOfHour, db)
            let forecast = Forecast.monthEnd(monthToDate: monthToDate, recent: recent,
                                             recentMillis: max(now - recentStart, UTC.millisPerHour),
                                             remainingMillis: UTC.nextMonthStart(now) - now)
            return SpendSummary(from: from, to: to, total: total, byTier: byTier,
                                monthToDate: monthToDate, forecastMonth: forecast)
        }
    }

    static func cost(from: Int64, to: Int64, _ db: Database) throws -> Money {
        guard from < to else { return .zero }
        return try SpendReport.total(try groups(SpendQuery(from: from, to: to), db)).cost
    }

    /// Every group of the query, unordered, summed across the plan's segments.
    static func groups(_ query: SpendQuery, _ db: Database) throws -> [SpendReport.Row] {
        let cuboid = query.cuboid
        let bucketing: (Int64) -> Int64
        switch query.interval {
        case nil: bucketing = { _ in 0 }
        case .hour: bucketing = { $0 }
        case .day: bucketing = UTC.dayStart
        case .month: bucketing = UTC.monthStart
        }
        var accumulator = GroupAccumulator(width: query.groupBy.count, bucketing: bucketing)
        let plan = RangePlan(from: query.from, to: query.to, interval: query.interval, grains: cuboid.grains,
                             dataEnd: try dataEnd(db))
        for segment in plan.segments {
            let (sql, arguments) = segmentSQL(query, cuboid: cuboid, segment: segment)
            let statement = try db.cachedStatement(sql: sql)
            try statement.setArguments(arguments)
            // Reset even when summing throws (an overflow): a statement left mid-step keeps
            // its read transaction, and the pooled connection would go on reading that snapshot.
            defer { sqlite3_reset(statement.sqliteStatement) }
            try accumulator.consume(statement.sqliteStatement)
        }
        return try accumulator.results.map { group in
            SpendReport.Row(values: group.values, bucket: query.interval == nil ? nil : group.bucket, metrics: group.metrics)
        }
    }

    /// The end of the last hour holding any event (nil when there are none).
    static func dataEnd(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(bucket) FROM \(RollupCuboid.traffic.table(.hour))").map { $0 + UTC.millisPerHour }
    }

    static func segmentSQL(_ query: SpendQuery, cuboid: RollupCuboid, segment: RangePlan.Segment) -> (String, StatementArguments) {
        let columns = query.groupBy.map(\.column) + ["bucket", "sums", "latency"]
        var conditions = ["bucket >= ?", "bucket < ?"]
        var arguments: [any DatabaseValueConvertible] = [segment.from, segment.to]
        for (dimension, value) in query.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            conditions.append("\(dimension.column) = ?")
            arguments.append(value)
        }
        let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(cuboid.table(segment.grain)) WHERE \(conditions.joined(separator: " AND "))"
        return (sql, StatementArguments(arguments))
    }
}
