import BursarCore

/// How a backend stores the batches of one group commit (see `IngestWriter`). Each batch's
/// events are inserted unless already stored (same source and id), and the rollups of the
/// new ones are added; an outcome counts both.
public protocol IngestCommitter: Sendable {
    /// Stores every batch in one transaction: each touched rollup row is written once. Any
    /// failure throws (nothing is stored), and the writer stores the batches apart.
    func storeTogether(_ batches: [IngestBatch]) throws -> [IngestOutcome]
    /// Stores each batch in its own savepoint of one transaction: a batch that fails (its sums
    /// would overflow a stored counter: `CounterOverflow`) is rolled back alone.
    func storeApart(_ batches: [IngestBatch]) throws -> [Result<IngestOutcome, any Error>]
}

extension IngestBatch {
    /// The rollups of the events that were new, given which were (`inserted`, in order).
    package func rollups(ofInserted inserted: [Bool]) throws(CounterOverflow) -> RollupAccumulator {
        if !inserted.contains(false) { return rollups }
        return try RollupAccumulator(zip(events, inserted).lazy.filter(\.1).map(\.0))
    }
}
