import BursarCore
import BursarStorage
import Foundation
import GRDB
import Logging

/// Bursar's SQLite database: one writer, concurrent readers (WAL), and the domain's
/// reads and writes as methods.
public final class SQLiteDatabase: Storage {
    /// How hard a commit is made durable.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous=FULL`: an acknowledged commit survives power loss.
        case full
        /// `synchronous=NORMAL`: survives a process crash; the last commits may be lost on power loss.
        case normal

        /// The value of SQLite's `synchronous` pragma.
        var synchronous: String { self == .full ? "FULL" : "NORMAL" }
    }

    let writer: any DatabaseWriter
    public let path: String
    /// The size cap (`PRAGMA max_page_count`): past it, writes fail with SQLITE_FULL as on a full disk.
    public let maximumBytes: Int64?
    /// Stamps what is written (audit entries, key and policy times, when events arrived).
    public let clock: WallClock
    public let changes = ChangeFeed()
    private let checkpointer: Checkpointer?

    /// Opens (creating if needed) the database at `path` and migrates it. With `maximumBytes`,
    /// the database refuses to grow past that size (the write-ahead log is not counted).
    public init(path: String, durability: Durability = .full, maximumBytes: Int64? = nil, clock: WallClock = .system) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.path = path
        self.maximumBytes = maximumBytes
        self.clock = clock
        try PrivateFile.restrict(path)
        writer = try DatabasePool(path: path, configuration: Self.configuration(durability, maximumBytes: maximumBytes))
        // GRDB's pool sets `synchronous=NORMAL` on its writer after preparing it (with WAL mode):
        // the durability asked for is set again, or commits would be acknowledged unsynced.
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(durability.synchronous)") }
        try Self.enableIncrementalVacuum(writer)
        try Schema.migrator.migrate(writer)
        checkpointer = Checkpointer(path: path)
    }

    deinit { checkpointer?.stop() }

    /// Opens an existing database to read it only (what `bursar copy` copies): nothing is
    /// created, migrated or changed; a file an older Bursar left unmigrated is refused (start
    /// `bursar serve` or `bursar migrate` on it once, so that it is copied as this Bursar stores).
    public init(readingOnly path: String, clock: WallClock = .system) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseNotReady("no database at \(path)") }
        self.path = path
        maximumBytes = nil
        self.clock = clock
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try RollupFunctions.register(on: db) }
        writer = try DatabasePool(path: path, configuration: configuration)
        checkpointer = nil
        guard try writer.read({ db in try Schema.migrator.hasCompletedMigrations(db) }) else {
            throw DatabaseNotReady("\(path) was written by an older Bursar and is not migrated yet: run 'bursar migrate --db \(path)' (or start 'bursar serve' on it) first")
        }
    }

    /// A fresh in-memory database, for tests.
    public init(inMemoryNamed name: String = UUID().uuidString, clock: WallClock = .system) throws {
        path = ":memory:"
        maximumBytes = nil
        self.clock = clock
        writer = try DatabaseQueue(named: name, configuration: Self.configuration(.normal))
        try Schema.migrator.migrate(writer)
        checkpointer = nil
    }

    /// Freed pages are returned to the file system step by step (`incremental_vacuum`), so
    /// that the file stops growing once old raw events are deleted. A new database gets the
    /// mode before its first table; one made by an older Bursar is converted once (VACUUM).
    private static func enableIncrementalVacuum(_ writer: any DatabaseWriter) throws {
        try writer.writeWithoutTransaction { db in
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 else { return }
            // The file already has a header (WAL mode is set on opening), so the new mode takes
            // effect only through VACUUM; on a new database that is instant.
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
        }
    }

    static func configuration(_ durability: Durability, maximumBytes: Int64? = nil) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.synchronous)")
            try applySizeCap(maximumBytes, on: db)
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // A background connection checkpoints (see Checkpointer); the writer only
            // steps in if the log grows past this many pages (128 MiB).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 32768")
            try RollupFunctions.register(on: db)
        }
        return configuration
    }

    /// Sets the cap on a connection. SQLite never sets it below the file's size, so a file
    /// already past the cap keeps its size as the cap until it shrinks: set again once
    /// retention has returned pages (`releaseFreePages`).
    static func applySizeCap(_ maximumBytes: Int64?, on db: Database) throws {
        guard let maximumBytes else { return }
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        try db.execute(sql: "PRAGMA max_page_count = \(max(1, maximumBytes / pageSize))")
    }

    /// SQLite's `synchronous` setting on the connection that commits (FULL: a commit survives
    /// power loss; NORMAL: a crash), as the writer has it now.
    public func commitSynchronous() throws -> String {
        let levels = ["OFF", "NORMAL", "FULL", "EXTRA"]
        let level = try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } ?? -1
        return levels.indices.contains(level) ? levels[level] : "unknown"
    }

    public func checkWritable() throws {
        try writer.write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS readiness(x); DELETE FROM readiness")
        }
        if let shortage = try room().shortage { throw StorageFull(shortage) }
    }

    /// Starts copying the write-ahead log back into the file from a connection and thread of
    /// its own (nothing to hear: one process opens a SQLite file; `bursar serve` holds a lock
    /// beside it). Without it, the writer checkpoints inside a commit past 128 MiB of log.
    public func startBackground(logger: Logger) throws {
        try checkpointer?.start(logger: logger)
    }

    public func stopBackground() {
        checkpointer?.stop()
    }

    /// Always: the one process that opens the file runs every job.
    public func holdsSingletonLease() -> Bool { true }
    public var heldSingletonLease: Bool { true }

    /// Runs `body` with the writer connection, outside any transaction.
    func withWriter<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction(body)
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    /// Runs `body` in one write transaction; with `announcing`, the change feed tells of the
    /// change once it has committed (after the writer is released, so observers may write).
    func write<T>(announcing change: StoreChange? = nil, _ body: (Database) throws -> T) throws -> T {
        let value = try writer.write(body)
        if let change { changes.tell(change) }
        return value
    }
}

extension SQLiteDatabase: SQLDatabase {
    public func reading<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try read { db in try body(SQLiteSession(db)) }
    }

    @discardableResult
    public func writing<T>(announcing change: StoreChange?, _ body: (any SQLSession) throws -> T) throws -> T {
        try write(announcing: change) { db in try body(SQLiteSession(db)) }
    }
}
