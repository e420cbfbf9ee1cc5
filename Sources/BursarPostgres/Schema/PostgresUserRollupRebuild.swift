import BursarCore
import BursarStorage

/// Migration v3: the user rollup tables gain `source` (no rollup row is shared by two
/// sources), rebuilt from the detail rollups, every shard's rows summed into shard 0.
enum PostgresUserRollupRebuild {
    @Sendable static func rebuild(_ connection: PostgresConnection) throws {
        let cuboid = RollupCuboid.users
        let columns = UserRollupRebuilder.keyColumns
        var rebuilder = UserRollupRebuilder()
        let rows = try connection.execute("SELECT bucket, \(columns.joined(separator: ", ")), sums, latency FROM \(RollupCuboid.detail.table(.day))")
        for row in rows {
            let key = try (0..<columns.count).map { index throws(PostgresError) in try row.text(1 + index) }
            try rebuilder.add(bucket: try row.integer(0), key: key, sums: try row.bytes(1 + columns.count) ?? [],
                              latency: try row.bytes(2 + columns.count) ?? [])
        }
        for grain in cuboid.grains {
            try connection.execute("DROP TABLE \(cuboid.table(grain))")
            try connection.execute(PostgresSchema.rollupTableSQL(cuboid, grain))
            let rows = try rebuilder.rows(grain).map { row in
                [PostgresValue.integer(row.bucket)] + row.key.map(PostgresValue.text) + [.integer(0), .bytes(row.sums), .bytes(row.latency)]
            }
            try connection.copy(into: cuboid.table(grain), columns: ["bucket"] + columns + ["shard", "sums", "latency"], rows: rows)
        }
    }
}
