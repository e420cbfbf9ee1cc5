import Foundation
import GRDB
import Logging
import Synchronization

/// Copies the write-ahead log back into the database file from its own connection and
/// thread, so the ingest writer never stops to checkpoint (SQLite's automatic checkpoint
/// runs inside the commit that crosses the threshold).
final class Checkpointer: Sendable {
    private let connection: DatabaseQueue
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "bursar.checkpoint")

    init(path: String, interval: TimeInterval = 0.25) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                do {
                    try connection.writeWithoutTransaction { db in
                        _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                    }
                } catch {
                    logger.warning("checkpoint failed: \(error)")
                }
            }
            stopped.signal()
        }
        thread.name = "bursar-checkpoint"
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        stopped.wait()
    }
}
