import BursarCore
@testable import BursarPostgres
import BursarStorage
import BursarStorageConformance
import BursarTesting
import Foundation
import Testing

/// The PostgreSQL backend, held to the storage conformance suite: each check on a new
/// database of the test cluster, with the group-commit writer, as a replica opens them.
struct PostgresBackend: StorageBackend {
    let cluster: PostgresCluster

    func open(clock: WallClock, maximumQueuedEvents: Int) throws -> StoreUnderTest {
        let database = try PostgresDatabase(url: try cluster.createDatabase(), clock: clock)
        return StoreUnderTest(storage: database, ingest: IngestWriter(database: database, maximumQueuedEvents: maximumQueuedEvents, logger: .forTests))
    }

    func openBackup(at path: String) throws -> any Storage {
        try PostgresDatabase(url: try cluster.restore(path))
    }

    func rebuildUserRollups(_ storage: any Storage) throws {
        try (storage as! PostgresDatabase).write { connection in try PostgresUserRollupRebuild.rebuild(connection) }
    }

    var counterCeiling: Int64 { PostgresDatabase.counterCeiling }

    func backupPath() -> String {
        cluster.directory + "/backup-\(UUID().uuidString).dump"
    }
}

@Suite struct PostgresConformanceTests {
    @Test(arguments: StorageConformance.checks)
    func conforms(_ check: StorageConformance.Check) throws {
        try check.run(on: PostgresBackend(cluster: try PostgresCluster.started()))
    }
}
