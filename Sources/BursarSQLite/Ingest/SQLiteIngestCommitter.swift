import Logging
import BursarCore
import BursarStorage
import GRDB

/// Stores the batches of a group commit in SQLite, on the writer connection.
struct SQLiteIngestCommitter: IngestCommitter {
    let database: SQLiteDatabase

    func storeTogether(_ batches: [IngestBatch]) throws -> [IngestOutcome] {
        try database.withWriter { db in
            var outcomes: [IngestOutcome] = []
            outcomes.reserveCapacity(batches.count)
            try db.inTransaction(.immediate) {
                outcomes.removeAll(keepingCapacity: true)
                let events = try EventTable(db)
                var rollups = RollupAccumulator()
                let now = database.clock()
                for batch in batches {
                    let (outcome, batchRollups) = try insert(batch, events, receivedAt: now)
                    try rollups.merge(batchRollups)
                    outcomes.append(outcome)
                }
                try rollups.write(db)
                return .commit
            }
            return outcomes
        }
    }

    func storeApart(_ batches: [IngestBatch]) throws -> [Result<IngestOutcome, any Error>] {
        try database.withWriter { db in
            var results: [Result<IngestOutcome, any Error>] = []
            try db.inTransaction(.immediate) {
                results.removeAll()
                let events = try EventTable(db)
                let now = database.clock()
                for batch in batches {
                    do {
                        var outcome = IngestOutcome(accepted: 0, duplicates: 0)
                        try db.inSavepoint {
                            let inserted = try insert(batch, events, receivedAt: now)
                            try inserted.rollups.write(db)
                            outcome = inserted.outcome
                            return .commit
                        }
                        results.append(.success(outcome))
                    } catch {
                        results.append(.failure(RollupSums.overflow(in: error) ?? error))
                    }
                }
                return .commit
            }
            return results
        }
    }

    /// Inserts a batch's events; returns its outcome and the rollups of the events that were new.
    private func insert(_ batch: IngestBatch, _ events: EventTable, receivedAt now: Int64) throws -> (outcome: IngestOutcome, rollups: RollupAccumulator) {
        var outcome = IngestOutcome(accepted: 0, duplicates: 0)
        var inserted: [Bool] = []
        inserted.reserveCapacity(batch.events.count)
        for priced in batch.events {
            let new = try events.insert(priced, receivedAt: now)
            inserted.append(new)
            if new { outcome.accepted += 1 } else { outcome.duplicates += 1 }
        }
        return (outcome, try batch.rollups(ofInserted: inserted))
    }
}

extension IngestWriter {
    /// The writer of `database`'s events.
    public convenience init(database: SQLiteDatabase, maximumQueuedEvents: Int = 200_000, maximumEventsPerCommit: Int = 20_000, logger: Logger) {
        self.init(committer: SQLiteIngestCommitter(database: database), changes: database.changes, maximumQueuedEvents: maximumQueuedEvents,
                  maximumEventsPerCommit: maximumEventsPerCommit, logger: logger)
    }
}
