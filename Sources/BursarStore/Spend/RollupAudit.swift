import BursarCore
import GRDB

/// Checks the rollup tables against a recomputation from the raw events.
extension BursarDatabase {
    /// One line per rollup table that disagrees with the raw events; empty when all agree.
    public func rollupDiscrepancies() throws -> [String] {
        try read { db in
            var problems: [String] = []
            let latencySamples = try Int64.fetchOne(db, sql: "SELECT COUNT(latency_ms) FROM events") ?? 0
            for cuboid in RollupCuboid.all {
                for grain in cuboid.grains {
                    let table = cuboid.table(grain)
                    let recomputed = Self.recomputationSQL(cuboid, grain)
                    let stored = "SELECT bucket, \(cuboid.dimensions.map(\.column).joined(separator: ", ")), "
                        + RollupAccumulator.metricColumns.joined(separator: ", ") + " FROM \(table)"
                    let missing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(recomputed) EXCEPT \(stored))") ?? 0
                    let extra = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(stored) EXCEPT \(recomputed))") ?? 0
                    if missing + extra > 0 {
                        problems.append("\(table): \(missing) rows differ from the raw events, \(extra) rows have no match")
                    }
                    var samples: UInt64 = 0
                    for blob in try Row.fetchAll(db, sql: "SELECT latency FROM \(table)") {
                        samples += LatencyHistogram(encoded: LatencyFunctions.bytes(blob[0])).total
                    }
                    if samples != UInt64(latencySamples) {
                        problems.append("\(table): \(samples) latency samples, the raw events have \(latencySamples)")
                    }
                }
            }
            return problems
        }
    }

    /// How many raw events are stored.
    public func eventCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }

    /// The ids of the stored events of one source.
    public func eventIDs(source: String) throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT event_id FROM events WHERE source = ?", arguments: [source]) }
    }

    static func recomputationSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let unit = grain == .hour ? UTC.millisPerHour : UTC.millisPerDay
        let dimensions = cuboid.dimensions.map { dimension -> String in
            switch dimension {
            case .status: return "CASE status WHEN 'ok' THEN 'ok' WHEN 'blocked' THEN 'blocked' ELSE 'error' END"
            default: return dimension.column
            }
        }
        let bucket = grain == .month
            ? "(CAST(strftime('%s', time / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000)"
            : "(time - ((time % \(unit)) + \(unit)) % \(unit))"
        return """
            SELECT \(bucket), \(dimensions.joined(separator: ", ")), COUNT(*), SUM(input_tokens), SUM(cached_input_tokens),
                   SUM(output_tokens), SUM(reasoning_tokens), SUM(cost_nanos), SUM(baseline_nanos),
                   SUM(COALESCE(reported_nanos, 0)), SUM(cost_basis = 2), SUM(status != 'ok')
            FROM events GROUP BY \(([bucket] + dimensions).joined(separator: ", "))
            """
    }
}
