import BursarCore
import BursarStorage
import Foundation

extension SQLiteDatabase {
    /// Inserts events into the events table alone, in one transaction, with nothing else:
    /// the raw SQLite limit that benchmarks compare the full ingest path against.
    public func insertEventsOnly(_ events: [PricedEvent]) throws -> Int {
        try withWriter { db in
            var inserted = 0
            try db.inTransaction(.immediate) {
                let table = try EventTable(db)
                let now = clock()
                for event in events where try table.insert(event, receivedAt: now) { inserted += 1 }
                return .commit
            }
            return inserted
        }
    }
}
