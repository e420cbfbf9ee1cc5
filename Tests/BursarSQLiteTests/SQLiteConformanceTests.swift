import BursarCore
import BursarStorage
import BursarStorageConformance
@testable import BursarSQLite
import Foundation
import Testing

/// The SQLite backend, held to the storage conformance suite: each check on new database
/// files (WAL, a pool of readers, the group-commit writer), as `bursar serve` opens them.
struct SQLiteBackend: StorageBackend {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bursar-conformance-\(UUID().uuidString)").path

    func open(clock: WallClock, maximumQueuedEvents: Int) throws -> StoreUnderTest {
        let database = try SQLiteDatabase(path: directory + "/\(UUID().uuidString).db", durability: .normal, clock: clock)
        return StoreUnderTest(storage: database, ingest: IngestWriter(database: database, maximumQueuedEvents: maximumQueuedEvents, logger: .forTests))
    }

    func openBackup(at path: String) throws -> any Storage {
        try SQLiteDatabase(path: path, durability: .normal)
    }

    func backupPath() -> String {
        directory + "/backup-\(UUID().uuidString).db"
    }

    func rebuildUserRollups(_ storage: any Storage) throws {
        try (storage as! SQLiteDatabase).write { db in try UserRollupRebuild.rebuild(db) }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite struct SQLiteConformanceTests {
    @Test(arguments: StorageConformance.checks)
    func conforms(_ check: StorageConformance.Check) throws {
        let backend = SQLiteBackend()
        defer { backend.remove() }
        try check.run(on: backend)
    }
}

@Suite struct ConformanceCountTests {
    /// The README says how many checks both backends pass: the number it states is the suite's.
    @Test func theReadmeStatesHowManyChecksThereAre() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("passes the same \(StorageConformance.checks.count) conformance checks as SQLite"))
    }
}
