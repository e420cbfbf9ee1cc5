import BursarCore
import BursarStorage

extension PostgresDatabase {
    /// The events alone, copied raw into the events table in one transaction: no rollups, no
    /// dedup check, no group commit. The limit ingest is measured against by `make bench`.
    public func copyEventsOnly(_ events: [PricedEvent]) throws -> Int {
        let now = clock()
        return try write { connection in
            try connection.copy(into: "events", columns: PostgresIngestCommitter.eventColumns,
                                rows: events.map { PostgresIngestCommitter.values($0, receivedAt: now) })
        }
    }
}
