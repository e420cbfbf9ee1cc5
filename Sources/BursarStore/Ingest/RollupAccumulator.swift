import BursarCore
import GRDB

/// Sums a commit's new events by rollup key, then adds the sums to the rollup tables,
/// so each touched rollup row is written once per commit, not once per event.
struct RollupAccumulator {
    private var tables: [RollupTableID: [RollupKey: RollupMetrics]] = [:]

    struct RollupTableID: Hashable {
        var cuboid: RollupCuboid
        var grain: RollupGrain
    }

    mutating func add(_ priced: PricedEvent) {
        for cuboid in RollupCuboid.all {
            for grain in cuboid.grains {
                let key = cuboid.key(of: priced.event, bucket: grain.bucket(of: priced.event.time))
                tables[RollupTableID(cuboid: cuboid, grain: grain), default: [:]][key, default: RollupMetrics()]
                    .add(event: priced.event, cost: priced.cost)
            }
        }
    }

    func write(_ db: Database) throws {
        for (table, rows) in tables {
            let statement = SQLiteStatement(try db.cachedStatement(sql: Self.upsertSQL(table.cuboid, table.grain)), in: db)
            for (key, metrics) in rows {
                statement.bind(1, key.bucket)
                var index: Int32 = 2
                for value in key.values {
                    statement.bind(index, value)
                    index += 1
                }
                for number in [metrics.requests, metrics.inputTokens, metrics.cachedInputTokens, metrics.outputTokens,
                               metrics.reasoningTokens, metrics.cost.nanos, metrics.baselineCost.nanos,
                               metrics.reportedCost.nanos, metrics.unpricedRequests, metrics.errors] {
                    statement.bind(index, number)
                    index += 1
                }
                statement.bind(index, metrics.latency.encoded)
                _ = try statement.run()
            }
        }
    }

    static let metricColumns = [
        "requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens",
        "cost_nanos", "baseline_nanos", "reported_nanos", "unpriced", "errors",
    ]

    static func upsertSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let keyColumns = ["bucket"] + cuboid.dimensions.map(\.column)
        let columns = keyColumns + metricColumns + ["latency"]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ",")
        let updates = metricColumns.map { "\($0) = \($0) + excluded.\($0)" }
            + ["latency = bursar_latency_merge(latency, excluded.latency)"]
        return """
            INSERT INTO \(cuboid.table(grain)) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))
            """
    }
}
