/// Versioned schema changes for PostgreSQL, applied in order, each once and in its own
/// transaction. Replicas that start together take turns (a session advisory lock), so each
/// migration runs on one of them and the others find it applied. A database that holds a
/// migration this Bursar does not know was upgraded by a newer one: refused, never guessed at.
public struct PostgresMigrator: Sendable {
    public struct Migration: Sendable {
        public let id: String
        /// Makes the change, inside the migration's transaction.
        let apply: @Sendable (PostgresConnection) throws -> Void
    }

    /// Bursar's advisory lock for migrations ("bursarmg" as a 64-bit key).
    static let lockKey: Int64 = 0x6275_7273_6172_6D67

    public private(set) var migrations: [Migration] = []

    public init() {}

    /// Adds a migration; ids are applied in the order registered. A released migration is never edited.
    public mutating func register(_ id: String, sql: String) {
        register(id) { connection in try connection.execute(sql) }
    }

    /// Adds a migration made in Swift (one that reads what is stored to write it anew).
    public mutating func register(_ id: String, apply: @escaping @Sendable (PostgresConnection) throws -> Void) {
        precondition(!migrations.contains { $0.id == id }, "migration \(id) registered twice")
        migrations.append(Migration(id: id, apply: apply))
    }

    /// Applies every migration not applied yet; returns the ids applied now.
    @discardableResult
    public func migrate(_ connection: PostgresConnection, now: Int64) throws -> [String] {
        try connection.execute("SELECT pg_advisory_lock($1)", [.integer(Self.lockKey)])
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", [.integer(Self.lockKey)]) }
        try connection.execute("CREATE TABLE IF NOT EXISTS bursar_migrations (position BIGSERIAL, id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        let applied = try appliedMigrations(connection)
        let known = Set(migrations.map(\.id))
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw PostgresError(.statement, "the database was upgraded by a newer Bursar (migration '\(unknown)' is unknown to this one); run that version or newer")
        }
        var appliedNow: [String] = []
        for migration in migrations where !applied.contains(migration.id) {
            try connection.transaction {
                try migration.apply(connection)
                try connection.execute("INSERT INTO bursar_migrations (id, applied_at) VALUES ($1, $2)", [.text(migration.id), .integer(now)])
            }
            appliedNow.append(migration.id)
        }
        return appliedNow
    }

    /// The ids of the migrations applied to the database, oldest first.
    public func appliedMigrations(_ connection: PostgresConnection) throws(PostgresError) -> [String] {
        let exists = try connection.execute("SELECT to_regclass('bursar_migrations') IS NOT NULL")
        guard try exists.first?.bool(0) == true else { return [] }
        return try connection.execute("SELECT id FROM bursar_migrations ORDER BY position").compactMap { $0.string(0) }
    }
}
