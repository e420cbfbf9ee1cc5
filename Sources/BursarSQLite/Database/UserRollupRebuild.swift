import BursarCore
import BursarStorage
import Foundation
import GRDB

/// Schema v11: the user rollup tables gain `source` (no rollup row is shared by two sources),
/// rebuilt from the detail rollups.
enum UserRollupRebuild {
    static func rebuild(_ db: Database) throws {
        let cuboid = RollupCuboid.users
        var rebuilder = UserRollupRebuilder()
        let key = UserRollupRebuilder.keyColumns.joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: "SELECT bucket, \(key), sums, latency FROM \(RollupCuboid.detail.table(.day))")
        let width = UserRollupRebuilder.keyColumns.count
        while let row = try rows.next() {
            let values = (0..<width).map { row[1 + $0] as String }
            let sums = (row[1 + width] as Data?).map { [UInt8]($0) } ?? []
            let latency = (row[2 + width] as Data?).map { [UInt8]($0) } ?? []
            try rebuilder.add(bucket: row[0], key: values, sums: sums, latency: latency)
        }
        for grain in cuboid.grains {
            try db.execute(sql: "DROP TABLE \(cuboid.table(grain))")
            try db.execute(sql: Schema.rollupTableSQL(cuboid, grain))
            let placeholders = Array(repeating: "?", count: width + 3).joined(separator: ", ")
            let insert = try db.makeStatement(sql: "INSERT INTO \(cuboid.table(grain)) (bucket, \(key), sums, latency) VALUES (\(placeholders))")
            for row in try rebuilder.rows(grain) {
                let values: [any DatabaseValueConvertible] = [row.bucket] + row.key + [Data(row.sums), Data(row.latency)]
                try insert.execute(arguments: StatementArguments(values))
            }
        }
    }
}
