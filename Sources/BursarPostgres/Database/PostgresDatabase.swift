import BursarCore
import BursarStorage
import Foundation
import Locking

/// Bursar's store on PostgreSQL, shared by any number of replicas: requests take connections
/// from a pool; each replica's ingest writes rollup rows of its own shard only, so replicas
/// never wait on each other's rows.
public final class PostgresDatabase: Storage {
    /// Where it connects, without any password.
    public let redactedURL: String
    public let clock: WallClock
    /// The rollup shard this replica's ingest writes.
    public let shard: Int32
    let pool: PostgresPool
    /// The ingest writer's own connection (its transactions are long and frequent).
    private let writerConnection = Locked<PostgresConnection?>(nil)

    /// Connects to `url` and creates or upgrades the schema.
    public init(url: String, shard: Int32 = 0, clock: WallClock = .system) throws {
        pool = PostgresPool(url: url)
        redactedURL = PostgresConnection.redact(url)
        self.shard = shard
        self.clock = clock
        try pool.withConnection { connection in _ = try PostgresSchema.migrator.migrate(connection, now: clock()) }
    }

    /// Runs `body` in one read-only transaction that sees one snapshot of the database.
    @discardableResult
    func read<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.withConnection { connection in
            try connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try body(connection) }
        }
    }

    /// Runs `body` in one transaction.
    @discardableResult
    func write<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.withConnection { connection in try connection.transaction { try body(connection) } }
    }

    /// Runs `body` with the ingest writer's connection (opened again when it has broken).
    func writer<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try writerConnection.withLock { connection in
            if connection?.isOpen != true { connection = try PostgresConnection(url: pool.url) }
            return try body(connection!)
        }
    }

    public func checkWritable() throws {
        try write { connection in _ = try connection.execute("SELECT pg_current_xact_id()") }
    }

    /// PostgreSQL manages its own space; Bursar sets no cap of its own on it.
    public func room() throws -> StorageRoom {
        let used = try read { connection in try connection.execute("SELECT pg_database_size(current_database())").first?.integer(0) ?? 0 }
        return StorageRoom(usedBytes: used, capBytes: nil, underCapBytes: nil, fileSystemFreeBytes: nil)
    }

    /// Records an admin change in the same transaction as the change.
    func recordAudit(actor: String, action: String, target: String, before: JSONValue?, after: JSONValue?,
                     _ connection: PostgresConnection) throws {
        try connection.execute("INSERT INTO audit_log (time, actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
                               [.integer(clock()), .text(actor), .text(action), .text(target),
                                PostgresValue(JSONValue.auditText(before)), PostgresValue(JSONValue.auditText(after))])
    }
}
