import BursarCore
import BursarStorage
import Foundation
import GRDB
import GRDBSQLite

/// Spend questions answered from rollup tables (never from raw events), each in one read transaction.
extension SQLiteDatabase {
    /// Every group of the query, unordered and without a total (which may not fit in 64
    /// bits when the groups each do): for exports such as `/metrics`.
    public func spendGroups(_ query: SpendQuery) throws -> [SpendReport.Row] {
        try read { db in try SQLiteRollups(db: db).groups(query) }
    }

    public func spend(_ query: SpendQuery) throws -> SpendReport {
        try read { db in try SQLiteRollups(db: db).spend(query) }
    }

    /// Totals and tier mix for `[from, to)`, month to date and the month-end forecast at `now`.
    public func summary(from: Int64, to: Int64, now: Int64) throws -> SpendSummary {
        try read { db in try SQLiteRollups(db: db).summary(from: from, to: to, now: now) }
    }
}

/// The rollup tables as one SQLite read transaction sees them.
struct SQLiteRollups: RollupSnapshot {
    let db: Database

    func accumulate(_ table: String, columns: [String], from: Int64, to: Int64, filters: [(column: String, value: String)],
                    into accumulator: inout GroupAccumulator) throws {
        let conditions = ["bucket >= ?", "bucket < ?"] + filters.map { "\($0.column) = ?" }
        let sql = "SELECT \((columns + ["bucket", "sums", "latency"]).joined(separator: ", ")) FROM \(table) WHERE \(conditions.joined(separator: " AND "))"
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(StatementArguments([from, to] + filters.map(\.value)))
        // Reset even when summing throws (an overflow): a statement left mid-step keeps
        // its read transaction, and the pooled connection would go on reading that snapshot.
        defer { sqlite3_reset(statement.sqliteStatement) }
        try accumulator.consume(statement.sqliteStatement)
    }

    func trafficHour(_ end: TrafficEnd) throws -> Int64? {
        try Int64.fetchOne(db, sql: Self.trafficHourSQL(end))
    }

    static func trafficHourSQL(_ end: TrafficEnd) -> String {
        "SELECT \(end.aggregate)(bucket) FROM \(RollupCuboid.traffic.table(.hour))"
    }
}
