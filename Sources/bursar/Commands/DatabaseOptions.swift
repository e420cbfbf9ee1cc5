import Logging
import ArgumentParser
import BursarPostgres
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation

/// `--db` or `--database`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Path of the SQLite database (the default: ./var/bursar.db).")
    var db: String?

    @Option(name: .customLong("database"),
            help: "A PostgreSQL URL (postgres://user@host:port/dbname), shared by any number of replicas; also read from BURSAR_DATABASE.")
    var databaseURL: String?

    @Option(help: "SQLite commit durability: full (survives power loss) or normal (survives a crash).")
    var durability: SQLiteDatabase.Durability = .full

    static let defaultPath = "./var/bursar.db"

    /// The PostgreSQL URL, from `--database` or `BURSAR_DATABASE` (unless `--db` names a file).
    var postgresURL: String? {
        if let databaseURL { return databaseURL }
        guard db == nil, let variable = ProcessInfo.processInfo.environment["BURSAR_DATABASE"], !variable.isEmpty else { return nil }
        return variable
    }

    /// The SQLite file, when the store is SQLite.
    var sqlitePath: String { db ?? Self.defaultPath }

    func validate() throws {
        if db != nil, databaseURL != nil { throw ValidationError("--db (a SQLite file) and --database (a PostgreSQL URL): give one") }
        if let url = postgresURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            // Not echoed: a mistyped URL may still hold a password.
            throw ValidationError("--database (or BURSAR_DATABASE) takes postgres://user@host:port/dbname; the one given does not start with postgres://")
        }
    }

    /// The store opened (and migrated): SQLite or PostgreSQL.
    func open(maximumBytes: Int64? = nil) throws -> OpenedDatabase {
        if let url = postgresURL { return .postgres(try PostgresDatabase(url: url)) }
        return .sqlite(try SQLiteDatabase(path: sqlitePath, durability: durability, maximumBytes: maximumBytes))
    }

    /// The store as the storage interface, for commands that need nothing more.
    func openStorage() throws -> any Storage { try open().storage }
}

/// A store a command opened.
enum OpenedDatabase {
    case sqlite(SQLiteDatabase)
    case postgres(PostgresDatabase)

    var storage: any Storage {
        switch self {
        case .sqlite(let database): database
        case .postgres(let database): database
        }
    }

    /// The writer of this process's events.
    func ingestWriter(maximumQueuedEvents: Int, logger: Logger) -> IngestWriter {
        switch self {
        case .sqlite(let database): IngestWriter(database: database, maximumQueuedEvents: maximumQueuedEvents, logger: logger)
        case .postgres(let database): IngestWriter(database: database, maximumQueuedEvents: maximumQueuedEvents, logger: logger)
        }
    }

    /// Where it is, for logs (no password).
    var location: String {
        switch self {
        case .sqlite(let database): database.path
        case .postgres(let database): database.redactedURL
        }
    }

    /// Where it is and how commits are made durable, as read from the store (for the start line).
    var description: String {
        switch self {
        case .sqlite(let database): "SQLite \(database.path), synchronous=\((try? database.commitSynchronous()) ?? "unknown")"
        case .postgres(let database): "PostgreSQL \(database.redactedURL)"
        }
    }
}

extension SQLiteDatabase.Durability: ExpressibleByArgument {}
