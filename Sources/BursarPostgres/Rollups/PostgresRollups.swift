import BursarCore
import BursarStorage

/// The rollup tables as one PostgreSQL transaction sees them: every shard's rows of a group
/// are summed by the accumulator (as rows of different buckets of one group are).
struct PostgresRollups: RollupSnapshot {
    let connection: PostgresConnection

    func accumulate(_ table: String, columns: [String], from: Int64, to: Int64, filters: [(column: String, value: String)],
                    into accumulator: inout GroupAccumulator) throws {
        let conditions = ["bucket >= $1", "bucket < $2"] + filters.enumerated().map { "\($0.element.column) = $\($0.offset + 3)" }
        let width = columns.count
        try connection.forEachRow(
            binary: "SELECT \((columns + ["bucket", "sums", "latency"]).joined(separator: ", ")) FROM \(table) WHERE \(conditions.joined(separator: " AND "))",
            [.integer(from), .integer(to)] + filters.map { .text($0.value) }
        ) { row in
            try accumulator.add(bucket: try row.integer(width), key: { row.bytes($0).assumingMemoryBound(to: UInt8.self) },
                                sums: row.bytes(width + 1), latency: row.bytes(width + 2))
        }
    }

    func trafficHour(_ end: TrafficEnd) throws -> Int64? {
        try connection.execute("SELECT \(end.aggregate)(bucket) FROM \(RollupCuboid.traffic.table(.hour))").first?.int64(0)
    }
}

/// Spend questions answered from rollup tables (never from raw events), each in one snapshot.
extension PostgresDatabase {
    public func spendGroups(_ query: SpendQuery) throws -> [SpendReport.Row] {
        try read { connection in try PostgresRollups(connection: connection).groups(query) }
    }

    public func spend(_ query: SpendQuery) throws -> SpendReport {
        try read { connection in try PostgresRollups(connection: connection).spend(query) }
    }

    public func summary(from: Int64, to: Int64, now: Int64) throws -> SpendSummary {
        try read { connection in try PostgresRollups(connection: connection).summary(from: from, to: to, now: now) }
    }

    public func eventCount() throws -> Int {
        try read { connection in Int(try connection.execute("SELECT COUNT(*) FROM events").first?.integer(0) ?? 0) }
    }

    public func eventIDs(source: String) throws -> [String] {
        try read { connection in try connection.execute("SELECT event_id FROM events WHERE source = $1", [.text(source)]).map { try $0.text(0) } }
    }
}
