import BursarCore

/// Where events go: batches queued, committed together (group commit), and acknowledged only
/// once durable. Duplicates (same source and id) are counted, never stored twice; of a batch
/// whose sums would overflow a stored counter, only the events that cannot be stored are
/// refused (`IngestOutcome.refused`), the rest stored.
public protocol EventIngest: Sendable {
    typealias Completion = @Sendable (Result<IngestOutcome, any Error>) -> Void

    /// Queues a batch; `completion` runs once it is committed, or could not be.
    func submit(_ batch: IngestBatch, completion: @escaping Completion) throws(IngestRefusal)
    /// Starts committing what is submitted.
    func start()
    var statistics: IngestStatistics { get }
    /// How long commits take, for `/metrics`.
    var commitDurations: CommitDurations { get }
    /// Commits what is queued, refuses new work, and returns when done.
    func close()
}

extension EventIngest {
    /// Queues `events` as one batch (refused at once when their own sums overflow).
    public func submit(_ events: [PricedEvent], completion: @escaping Completion) throws(IngestRefusal) {
        let batch: IngestBatch
        do {
            batch = try IngestBatch(events)
        } catch {
            completion(.failure(error))
            return
        }
        try submit(batch, completion: completion)
    }
}
