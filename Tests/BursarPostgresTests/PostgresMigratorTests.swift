import Locking
import BursarCore
import BursarPostgres
import BursarTesting
import Foundation
import Testing

/// Schema migrations on PostgreSQL: in order, once, each whole or not at all, one replica at a time.
@Suite struct PostgresMigratorTests {
    static var migrator: PostgresMigrator {
        var migrator = PostgresMigrator()
        migrator.register("v1 things", sql: "CREATE TABLE things (id TEXT PRIMARY KEY); CREATE INDEX things_by_id ON things (id)")
        migrator.register("v2 thing sizes", sql: "ALTER TABLE things ADD COLUMN size BIGINT NOT NULL DEFAULT 0")
        return migrator
    }

    @Test func migrationsApplyInOrderOnceAndAreRecorded() throws {
        let connection = try PostgresConnection(url: try PostgresCluster.started().createDatabase())
        #expect(try Self.migrator.migrate(connection, now: 1_000) == ["v1 things", "v2 thing sizes"])
        #expect(try Self.migrator.migrate(connection, now: 2_000) == [], "nothing twice")
        #expect(try Self.migrator.appliedMigrations(connection) == ["v1 things", "v2 thing sizes"])
        try connection.execute("INSERT INTO things (id, size) VALUES ($1, $2)", ["a", 3])
    }

    @Test func aFailingMigrationLeavesNoHalfAndTheNextRunRetriesIt() throws {
        let connection = try PostgresConnection(url: try PostgresCluster.started().createDatabase())
        var broken = Self.migrator
        broken.register("v3 broken", sql: "ALTER TABLE things ADD COLUMN colour TEXT; ALTER TABLE nowhere ADD COLUMN x INT")
        #expect(throws: PostgresError.self) { try broken.migrate(connection, now: 1_000) }
        #expect(try broken.appliedMigrations(connection) == ["v1 things", "v2 thing sizes"])
        let colour = try connection.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'things' AND column_name = 'colour'")
        #expect(try colour.first?.int64(0) == 0, "the failed migration's first statement was rolled back with it")
        var fixed = Self.migrator
        fixed.register("v3 broken", sql: "ALTER TABLE things ADD COLUMN colour TEXT")
        #expect(try fixed.migrate(connection, now: 2_000) == ["v3 broken"], "the next run applies it")
    }

    @Test func aDatabaseFromANewerBursarIsRefused() throws {
        let url = try PostgresCluster.started().createDatabase()
        var newer = Self.migrator
        newer.register("v3 from the future", sql: "CREATE TABLE future (x INT)")
        try newer.migrate(try PostgresConnection(url: url), now: 1_000)
        let error = #expect(throws: PostgresError.self) { try Self.migrator.migrate(try PostgresConnection(url: url), now: 2_000) }
        #expect(error?.message.contains("newer Bursar") == true && error?.message.contains("v3 from the future") == true)
    }

    @Test func replicasStartingTogetherApplyEachMigrationOnce() throws {
        let url = try PostgresCluster.started().createDatabase()
        var migrator = Self.migrator
        migrator.register("v3 slow", sql: "SELECT pg_sleep(0.3); CREATE TABLE slow (x INT)")
        let slow = migrator
        let applied = Locked<[[String]]>([])
        let failures = Locked<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let ids = try slow.migrate(try PostgresConnection(url: url), now: 1_000)
                    applied.withLock { $0.append(ids) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
        let all = applied.withLock { $0 }.flatMap { $0 }
        #expect(all.sorted() == ["v1 things", "v2 thing sizes", "v3 slow"], "each migration ran on one replica only: \(applied.withLock { $0 })")
    }
}
