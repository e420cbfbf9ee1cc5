import BursarCore
import BursarStorage
import GRDB

/// Checks the rollup tables against a recomputation from the raw events.
extension SQLiteDatabase {
    /// One line per rollup table that disagrees with the raw events; empty when all agree.
    public func rollupDiscrepancies() throws -> [String] {
        try read { db in
            var problems: [String] = []
            let latencySamples = try Int64.fetchOne(db, sql: "SELECT COUNT(latency_ms) FROM events") ?? 0
            for cuboid in RollupCuboid.all {
                for grain in cuboid.grains {
                    let table = cuboid.table(grain)
                    var expected: [RollupKey: [Int64]] = [:]
                    for row in try Row.fetchAll(db, sql: Self.recomputationSQL(cuboid, grain)) {
                        let key = RollupKey(bucket: row[0], values: (1...cuboid.dimensions.count).map { row[$0] })
                        expected[key] = (0..<RollupSums.count).map { row[cuboid.dimensions.count + 1 + $0] }
                    }
                    var stored: [RollupKey: [Int64]] = [:]
                    var samples: UInt64 = 0
                    let columns = cuboid.dimensions.map(\.column).joined(separator: ", ")
                    for row in try Row.fetchAll(db, sql: "SELECT bucket, \(columns), sums, latency FROM \(table)") {
                        let key = RollupKey(bucket: row[0], values: (1...cuboid.dimensions.count).map { row[$0] })
                        let sums = RollupFunctions.bytes(row[cuboid.dimensions.count + 1])
                        stored[key] = sums.withUnsafeBytes { RollupSums.decode($0) }
                        samples += LatencyHistogram(encoded: RollupFunctions.bytes(row[cuboid.dimensions.count + 2])).total
                    }
                    problems += RollupComparison.problems(table, expected: expected, stored: stored, samples: samples,
                                                          latencySamples: latencySamples)
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
