import BursarCore
import BursarStorage
import GRDB

/// Whole tables read out as rows of values, for `bursar copy` (one read transaction: a
/// consistent snapshot while the server goes on writing).
extension SQLiteDatabase {
    /// The tables a copy moves, in an order that keeps references valid.
    public static let copiedTables = [
        "price_catalogs", "prices", "api_keys", "policy_versions", "settings", "overrides", "budgets",
        "fleet_instances", "bundle_history", "alerts", "webhook_deliveries", "audit_log", "events",
    ] + RollupCuboid.all.flatMap { cuboid in cuboid.grains.map { cuboid.table($0) } }

    /// Calls `body` with each table's column names and its rows, `batchSize` at a time, all
    /// read in one snapshot; `counted` first receives every table's row count and the total of
    /// `spending` in that snapshot (what the copy must add up to).
    public func exportTables(_ tables: [String], batchSize: Int, spending: SpendQuery,
                             counted: ([String: Int], RollupMetrics) throws -> Void,
                             _ body: (_ table: String, _ columns: [String], _ rows: [[SQLValue]]) throws -> Void) throws {
        try read { db in
            var counts: [String: Int] = [:]
            for table in tables { counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            try counted(counts, try SQLiteRollups(db: db).spend(spending).total)
            for table in tables {
                let columns = try db.columns(in: table).map(\.name)
                let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table)")
                var rows: [[SQLValue]] = []
                rows.reserveCapacity(batchSize)
                while let row = try cursor.next() {
                    rows.append(row.databaseValues.map(SQLiteSession.value))
                    if rows.count == batchSize {
                        try body(table, columns, rows)
                        rows.removeAll(keepingCapacity: true)
                    }
                }
                if !rows.isEmpty { try body(table, columns, rows) }
            }
        }
    }
}
