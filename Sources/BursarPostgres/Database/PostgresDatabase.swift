import BursarCore
import BursarStorage
import Foundation
import Locking
import Logging

/// Bursar's store on PostgreSQL, shared by any number of replicas: requests take connections
/// from a pool; each replica's ingest writes rollup rows of its own shard only, so replicas
/// never wait on each other's rows.
public final class PostgresDatabase: Storage {
    /// Where it connects, without any password.
    public let redactedURL: String
    public let clock: WallClock
    let pool: PostgresPool
    /// Every change committed here, and what other replicas announce once listening.
    public let changes = ChangeFeed()
    /// The other replicas: told of this one's changes, heard once `startBackground` has started.
    let replicas: PostgresChangeFeed
    private let lease: PostgresLease
    /// The ingest writer's own connection (its transactions are long and frequent) and the
    /// rollup shard it holds.
    private let writerSession = Locked<(connection: PostgresConnection, shard: Int32)?>(nil)
    /// Replicas writing at once, at most (each holds a shard).
    static let maximumShards: Int32 = 64
    /// The most one rollup counter of one row holds when one replica writes it: the rest is
    /// room kept for the other replicas' shards (`ShardHeadroom`).
    public static let counterCeiling = ShardHeadroom.ceiling
    /// The advisory-lock space of shard leases ("brsr").
    static let shardLockSpace: Int32 = 0x6272_7372

    /// Connects to `url` and creates or upgrades the schema.
    public init(url: String, clock: WallClock = .system) throws {
        pool = PostgresPool(url: url)
        replicas = PostgresChangeFeed(url: url, feed: changes)
        lease = PostgresLease(url: url)
        redactedURL = PostgresConnection.redact(url)
        self.clock = clock
        try pool.withConnection { connection in _ = try PostgresSchema.migrator.migrate(connection, now: clock()) }
    }

    /// Runs `body` in one read-only transaction that sees one snapshot of the database; run
    /// again on a new connection when a kept one was found broken, unless `retrying` is false
    /// (a body that hands rows to a caller must not hand them twice).
    @discardableResult
    func read<T>(retrying: Bool = true, _ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.withConnection(retrying: retrying) { connection in
            try connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try body(connection) }
        }
    }

    /// Runs `body` in one transaction; with `announcing`, the change feed here and the other
    /// replicas hear of the change once it commits.
    @discardableResult
    func write<T>(announcing change: StoreChange? = nil, _ body: (PostgresConnection) throws -> T) throws -> T {
        let value = try pool.withConnection { connection in
            try connection.transaction {
                let value = try body(connection)
                if let change { try replicas.announce(change, on: connection) }
                return value
            }
        }
        if let change { changes.tell(change) }
        return value
    }

    public func holdsSingletonLease() -> Bool { lease.isHeld() }
    public var heldSingletonLease: Bool { lease.wasHeld }

    public func startBackground(logger: Logger) {
        replicas.listen(logger: logger)
    }

    public func stopBackground() {
        replicas.stop()
    }

    /// Runs `body` with the ingest writer's connection and the shard it holds (both taken
    /// again when the connection has broken: its lease ended with it).
    func writer<T>(_ body: (PostgresConnection, Int32) throws -> T) throws -> T {
        try writerSession.withLock { session in
            if let current = session, current.connection.isOpen { return try body(current.connection, current.shard) }
            session = nil
            let connection = try PostgresConnection(url: pool.url)
            let taken = (connection: connection, shard: try Self.leaseShard(connection))
            session = taken
            return try body(taken.connection, taken.shard)
        }
    }

    /// The shard this replica's ingest writes, once it has written.
    public var shard: Int32? { writerSession.withLock { $0?.shard } }

    /// Takes the lowest shard no other session holds: a session advisory lock, held as long as
    /// the connection, so that no two live writers ever write the same rollup rows.
    static func leaseShard(_ connection: PostgresConnection) throws -> Int32 {
        for shard in 0..<maximumShards {
            let taken = try connection.execute("SELECT pg_try_advisory_lock($1::INTEGER, $2::INTEGER)",
                                               [.integer(Int64(shardLockSpace)), .integer(Int64(shard))])
            if try taken.first?.bool(0) == true { return shard }
        }
        throw PostgresError(.statement, "all \(maximumShards) rollup shards are held by running replicas")
    }

    /// The value of setting `name`, set to `value` first if it has none: the first replica's
    /// value is every replica's (the bundle signing key).
    public func setting(_ name: String, orInsert value: String) throws -> String {
        try write { connection in
            try connection.execute("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [.text(name), .text(value)])
            return try connection.execute("SELECT value FROM settings WHERE name = $1", [.text(name)]).first?.text(0) ?? value
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
}

extension PostgresDatabase: SQLDatabase {
    public func reading<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try read { connection in try body(PostgresSession(connection, replicas: replicas)) }
    }

    @discardableResult
    public func writing<T>(announcing change: StoreChange?, _ body: (any SQLSession) throws -> T) throws -> T {
        try write(announcing: change) { connection in try body(PostgresSession(connection, replicas: replicas)) }
    }
}
