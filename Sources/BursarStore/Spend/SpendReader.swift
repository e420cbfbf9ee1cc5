import BursarCore
import Foundation
import GRDB

/// Spend questions answered from rollup tables (never from raw events).
extension BursarDatabase {
    public func spend(_ query: SpendQuery) throws -> SpendReport {
        let groups = try read { db in try Self.groups(query, db) }
        var total = RollupMetrics()
        for row in groups { total.merge(row.metrics) }
        return SpendReport(query: query, rows: SpendReport.ordered(groups, by: query.order, limit: query.limit),
                           total: total, groups: groups.count)
    }

    /// Totals and tier mix for `[from, to)`, month to date and the month-end forecast at `now`.
    public func summary(from: Int64, to: Int64, now: Int64) throws -> SpendSummary {
        try read { db in
            var byTierQuery = SpendQuery(from: from, to: to)
            byTierQuery.groupBy = [.tier]
            let tiers = try Self.groups(byTierQuery, db)
            var total = RollupMetrics()
            for row in tiers { total.merge(row.metrics) }
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
        return try groups(SpendQuery(from: from, to: to), db).reduce(Money.zero) { $0 + $1.metrics.cost }
    }

    /// Every group of the query, unordered, merged across the plan's segments.
    static func groups(_ query: SpendQuery, _ db: Database) throws -> [SpendReport.Row] {
        let cuboid = query.cuboid
        var merged: [RollupKey: RollupMetrics] = [:]
        for segment in RangePlan(from: query.from, to: query.to, interval: query.interval, grains: cuboid.grains).segments {
            let (sql, arguments) = segmentSQL(query, cuboid: cuboid, segment: segment)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            let width = query.groupBy.count
            let hasBucket = query.interval != nil
            while let row = try rows.next() {
                guard let requests = row[width + (hasBucket ? 1 : 0)] as Int64? else { continue }
                var values: [String] = []
                values.reserveCapacity(width)
                for index in 0..<width { values.append(row[index]) }
                var bucket: Int64 = 0
                if hasBucket {
                    bucket = row[width]
                    if query.interval == .month { bucket = UTC.monthStart(bucket) }
                }
                let base = width + (hasBucket ? 1 : 0)
                var metrics = RollupMetrics()
                metrics.requests = requests
                metrics.inputTokens = row[base + 1]
                metrics.cachedInputTokens = row[base + 2]
                metrics.outputTokens = row[base + 3]
                metrics.reasoningTokens = row[base + 4]
                metrics.cost = Money(nanos: row[base + 5])
                metrics.baselineCost = Money(nanos: row[base + 6])
                metrics.reportedCost = Money(nanos: row[base + 7])
                metrics.unpricedRequests = row[base + 8]
                metrics.errors = row[base + 9]
                if let latency = row[base + 10] as Data? { metrics.latency = LatencyHistogram(encoded: latency) }
                merged[RollupKey(bucket: bucket, values: values), default: RollupMetrics()].merge(metrics)
            }
        }
        return merged.map { key, metrics in
            SpendReport.Row(values: key.values, bucket: query.interval == nil ? nil : key.bucket, metrics: metrics)
        }
    }

    static func segmentSQL(_ query: SpendQuery, cuboid: RollupCuboid, segment: RangePlan.Segment) -> (String, StatementArguments) {
        var selected = query.groupBy.map(\.column)
        var grouped = selected
        if let interval = query.interval {
            let bucket = interval == .hour || segment.grain == .day ? "bucket" : "bucket - bucket % \(UTC.millisPerDay)"
            selected.append(bucket)
            grouped.append(bucket)
        }
        let sums = ["requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens", "cost_nanos",
                    "baseline_nanos", "reported_nanos", "unpriced", "errors"].map { "SUM(\($0))" }
        var conditions = ["bucket >= ?", "bucket < ?"]
        var arguments: [any DatabaseValueConvertible] = [segment.from, segment.to]
        for (dimension, value) in query.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            conditions.append("\(dimension.column) = ?")
            arguments.append(value)
        }
        var sql = "SELECT \((selected + sums + ["bursar_latency(latency)"]).joined(separator: ", "))"
        sql += " FROM \(cuboid.table(segment.grain)) WHERE \(conditions.joined(separator: " AND "))"
        if !grouped.isEmpty { sql += " GROUP BY \(grouped.joined(separator: ", "))" }
        return (sql, StatementArguments(arguments))
    }
}
