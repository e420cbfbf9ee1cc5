import BursarCore
import BursarStorage
import GRDB

extension RollupAccumulator {
    /// Adds the sums to the stored rows; a stored row that would overflow fails the statement
    /// with `RollupSums.overflowMessage` and the counter.
    func write(_ db: Database) throws {
        for (table, rows) in zip(Self.tableIDs, tables) where !rows.isEmpty {
            let statement = SQLiteStatement(try db.cachedStatement(sql: Self.upsertSQL(table.cuboid, table.grain)), in: db)
            for (key, metrics) in rows {
                statement.bind(1, key.bucket)
                var index: Int32 = 2
                for value in key.values {
                    statement.bind(index, value)
                    index += 1
                }
                statement.bind(index, RollupSums.encode(metrics))
                statement.bind(index + 1, metrics.latency.encoded)
                _ = try statement.run()
            }
        }
    }

    static func upsertSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let keyColumns = ["bucket"] + cuboid.dimensions.map(\.column)
        let columns = keyColumns + ["sums", "latency"]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ",")
        return """
            INSERT INTO \(cuboid.table(grain)) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET
                sums = bursar_sums_add(sums, excluded.sums),
                latency = bursar_latency_merge(latency, excluded.latency)
            """
    }
}
