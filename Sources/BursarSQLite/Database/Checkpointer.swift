import Foundation
import GRDB
import Logging
import BursarCore
import BursarStorage

/// Copies the write-ahead log back into the database file from its own connection and
/// thread, so the ingest writer never stops to checkpoint (SQLite's automatic checkpoint
/// runs inside the commit that crosses the threshold).
final class Checkpointer: Sendable {
    private let service = BackgroundService(name: "bursar-checkpoint")

    init(path: String, intervalMillis: Int64 = 250) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let logger = Logger(label: "bursar.checkpoint")
        service.start {
            do {
                try connection.writeWithoutTransaction { db in
                    _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                }
            } catch {
                logger.warning("checkpoint failed: \(error)")
            }
            return intervalMillis
        }
    }

    func stop() {
        service.stop()
    }
}
