import BursarCore
import BursarStorage
import Foundation
import Logging

/// Deletes raw events older than the retention window in small batches, on a thread of its
/// own, then returns the freed pages; rollups are kept, so spend queries are unchanged.
///
/// Each batch is one short write transaction, so ingest commits interleave with it and never
/// wait more than one batch.
public final class RawEventRetention: Sendable {
    public static let batchSize = 2_000
    public static let pagesPerStep = 1_000

    private let database: any RetentionStore & SingletonLease
    private let retainMillis: Int64
    private let interval: Double
    private let clock: WallClock
    private let logger: Logger
    private let service = BackgroundService(name: "bursar-retention")

    public init(database: any RetentionStore & SingletonLease, retainDays: Int, intervalSeconds: Double = 60,
                clock: WallClock, logger: Logger) {
        self.database = database
        retainMillis = Int64(retainDays) * UTC.millisPerDay
        interval = intervalSeconds
        self.clock = clock
        self.logger = logger
    }

    /// Runs a pass now and then every `intervalSeconds`, until `stop()`.
    public func start() {
        service.start { [self] in
            // One replica deletes (the others wait to take over if it dies).
            guard database.holdsSingletonLease() else { return Int64(interval * 1000) }
            do {
                _ = try runOnce()
            } catch {
                logger.error("retention pass failed; will try again", metadata: ["error": "\(error)"])
            }
            return Int64(interval * 1000)
        }
    }

    /// One pass: every raw event older than the window deleted, batch by batch, then the
    /// freed pages released. Returns how many events were deleted.
    @discardableResult
    public func runOnce() throws -> Int {
        let cutoff = clock() - retainMillis
        var deleted = 0
        while !service.isStopping {
            let count = try database.deleteRawEvents(before: cutoff, limit: Self.batchSize)
            deleted += count
            if count < Self.batchSize { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        if deleted > 0 {
            var free = Int.max
            while !service.isStopping {
                let left = try database.releaseFreePages(Self.pagesPerStep)
                guard left > 0, left < free else { break }
                free = left
                Thread.sleep(forTimeInterval: 0.005)
            }
            logger.info("retention: deleted \(deleted) raw events older than \(Timestamp.format(cutoff)); rollups kept")
        }
        return deleted
    }

    public func stop() {
        service.stop()
    }
}
