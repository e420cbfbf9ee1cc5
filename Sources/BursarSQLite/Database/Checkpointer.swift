import BursarCore
import GRDB
import Logging

/// Copies the write-ahead log back into the database file from its own connection and
/// thread, so the ingest writer never stops to checkpoint (SQLite's automatic checkpoint
/// runs inside the commit that crosses the threshold). Started by the server
/// (`Storage.startBackground`), never by opening the database.
final class Checkpointer: Sendable {
    private let path: String
    private let intervalMillis: Int64
    private let service = BackgroundService(name: "bursar-checkpoint")

    init(path: String, intervalMillis: Int64 = 250) {
        self.path = path
        self.intervalMillis = intervalMillis
    }

    /// Opens its connection and starts (once; later calls do nothing).
    func start(logger: Logger) throws {
        guard !service.isStarted else { return }
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        service.start { [intervalMillis] in
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
