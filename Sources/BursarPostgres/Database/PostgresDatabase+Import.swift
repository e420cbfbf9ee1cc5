import BursarCore
import BursarStorage

/// Tables copied in from another store (`bursar copy`), all in one transaction.
extension PostgresDatabase {
    /// One copy under way: rows go in by COPY; nothing is visible until it is committed.
    public struct Import {
        let connection: PostgresConnection

        /// Copies `rows` into `table`; rollup rows go to shard 0.
        public func add(_ rows: [[SQLValue]], into table: String, columns: [String]) throws {
            let sharded = table.hasPrefix("rollup_")
            try connection.copy(into: table, columns: columns + (sharded ? ["shard"] : []), rows: rows.map { row in
                row.map(PostgresSession.parameter) + (sharded ? [.integer(0)] : [])
            })
        }
    }

    /// The identity columns, whose sequences continue after the copied rows.
    static let identities = [("events", "seq"), ("price_catalogs", "version"), ("prices", "id"), ("api_keys", "id"),
                             ("audit_log", "id"), ("alerts", "id"), ("webhook_deliveries", "id")]

    /// Whether nothing has been stored yet (a copy goes only into an empty database).
    public func isEmpty() throws -> Bool {
        try read { connection in
            try connection.execute("""
                SELECT NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM api_keys)
                   AND NOT EXISTS (SELECT 1 FROM policy_versions) AND NOT EXISTS (SELECT 1 FROM budgets)
                   AND NOT EXISTS (SELECT 1 FROM price_catalogs)
                """).first?.bool(0) ?? false
        }
    }

    /// Runs `body` with an import in one transaction; the identity sequences are moved past
    /// the copied ids before it commits. Nothing is kept if `body` throws.
    public func importing<T>(_ body: (Import) throws -> T) throws -> T {
        let value = try pool.withConnection { connection in
            try connection.transaction {
                let value = try body(Import(connection: connection))
                for (table, column) in Self.identities {
                    try connection.execute("SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT MAX(\(column)) FROM \(table)), 1))",
                                           [.text(table), .text(column)])
                }
                try replicas.announce(.admin, on: connection)
                return value
            }
        }
        changes.tell(.admin)
        return value
    }

    /// Gathers the planner's statistics of every table (after a bulk copy).
    public func analyze() throws {
        try pool.withConnection { connection in _ = try connection.execute("ANALYZE") }
    }

    /// How many rows `table` holds.
    public func rowCount(_ table: String) throws -> Int {
        try read { connection in Int(try connection.execute("SELECT COUNT(*) FROM \(PostgresConnection.identifier(table))").first?.integer(0) ?? 0) }
    }
}
