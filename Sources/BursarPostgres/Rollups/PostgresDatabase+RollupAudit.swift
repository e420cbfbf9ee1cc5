import BursarCore
import BursarStorage

/// Checks the rollup tables (all shards summed) against a recomputation from the raw events.
extension PostgresDatabase {
    public func rollupDiscrepancies() throws -> [String] {
        try read { connection in
            var problems: [String] = []
            let latencySamples = try connection.execute("SELECT COUNT(latency_ms) FROM events").first?.integer(0) ?? 0
            for cuboid in RollupCuboid.all {
                let width = cuboid.dimensions.count
                for grain in cuboid.grains {
                    let table = cuboid.table(grain)
                    var expected: [RollupKey: [Int64]] = [:]
                    for row in try connection.execute(Self.recomputationSQL(cuboid, grain)) {
                        let key = RollupKey(bucket: try row.integer(0), values: try (1...width).map { try row.text($0) })
                        expected[key] = try (0..<RollupSums.count).map { try row.integer(width + 1 + $0) }
                    }
                    var stored: [RollupKey: [Int64]] = [:]
                    var samples: UInt64 = 0
                    let columns = cuboid.dimensions.map(\.column).joined(separator: ", ")
                    for row in try connection.execute("SELECT bucket, \(columns), sums, latency FROM \(table)") {
                        let key = RollupKey(bucket: try row.integer(0), values: try (1...width).map { try row.text($0) })
                        let sums = (try row.bytes(width + 1) ?? []).withUnsafeBytes { RollupSums.decode($0) }
                        let shards = stored[key] ?? Array(repeating: 0, count: RollupSums.count)
                        let added = zip(shards, sums).map { $0.addingReportingOverflow($1) }
                        if added.contains(where: \.overflow) { problems.append("\(table): a row's shards add up past 64 bits") }
                        stored[key] = added.map(\.partialValue)
                        samples += LatencyHistogram(encoded: try row.bytes(width + 2) ?? []).total
                    }
                    problems += RollupComparison.problems(table, expected: expected, stored: stored, samples: samples,
                                                          latencySamples: latencySamples)
                }
            }
            return problems
        }
    }

    static func recomputationSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let dimensions = cuboid.dimensions.map { dimension -> String in
            switch dimension {
            case .status: return "CASE status WHEN 'ok' THEN 'ok' WHEN 'blocked' THEN 'blocked' ELSE 'error' END"
            default: return dimension.column
            }
        }
        let bucket: String
        switch grain {
        case .hour: bucket = "(time - ((time % \(UTC.millisPerHour)) + \(UTC.millisPerHour)) % \(UTC.millisPerHour))"
        case .day: bucket = "(time - ((time % \(UTC.millisPerDay)) + \(UTC.millisPerDay)) % \(UTC.millisPerDay))"
        case .month: bucket = "(EXTRACT(EPOCH FROM date_trunc('month', to_timestamp(floor(time / 1000.0)) AT TIME ZONE 'UTC'))::BIGINT * 1000)"
        }
        return """
            SELECT \(bucket), \(dimensions.joined(separator: ", ")), COUNT(*), SUM(input_tokens)::BIGINT, SUM(cached_input_tokens)::BIGINT,
                   SUM(output_tokens)::BIGINT, SUM(reasoning_tokens)::BIGINT, SUM(cost_nanos)::BIGINT, SUM(baseline_nanos)::BIGINT,
                   SUM(COALESCE(reported_nanos, 0))::BIGINT, COUNT(*) FILTER (WHERE cost_basis = 2), COUNT(*) FILTER (WHERE status <> 'ok')
            FROM events GROUP BY \((1...(dimensions.count + 1)).map(String.init).joined(separator: ", "))
            """
    }
}
