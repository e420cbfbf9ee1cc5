import BursarCore
import BursarStorage

/// Deleting old raw events (rollups are kept). PostgreSQL's autovacuum reuses the space.
extension PostgresDatabase {
    public func deleteRawEvents(before cutoff: Int64, limit: Int) throws -> Int {
        try write { connection in
            try connection.execute("DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < $1 ORDER BY time LIMIT $2)",
                                   [.integer(cutoff), PostgresValue(limit)]).changed
        }
    }

    /// Nothing to do: PostgreSQL's autovacuum makes deleted rows' space reusable by itself.
    @discardableResult
    public func releaseFreePages(_ pages: Int) throws -> Int { 0 }

    /// The database's size in pages of PostgreSQL's block size (free space is autovacuum's).
    public func pageCounts() throws -> (pages: Int, free: Int, pageSize: Int) {
        try read { connection in
            guard let row = try connection.execute("SELECT pg_database_size(current_database()), current_setting('block_size')::BIGINT").first
            else { return (0, 0, 0) }
            let pageSize = try row.integer(1)
            return (Int(try row.integer(0) / max(1, pageSize)), 0, Int(pageSize))
        }
    }
}
