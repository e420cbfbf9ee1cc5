import Locking
import BursarCore
import Foundation
import Logging
import Synchronization

/// The single writer of events: requests queue their batches, one thread commits whatever
/// has queued in one transaction (group commit), then tells each request its outcome.
///
/// An outcome is reported only after the transaction holding the events has committed, so
/// an acknowledged event is never lost. The queue is bounded: past it, `submit` refuses.
/// The backend stores each group through its `IngestCommitter`.
public final class IngestWriter: EventIngest {

    struct Job {
        var batch: IngestBatch
        var completion: Completion
    }

    struct Queue {
        var jobs: [Job] = []
        var queuedEvents = 0
        var closed = false
    }

    public let maximumQueuedEvents: Int
    public let maximumEventsPerCommit: Int
    private let committer: any IngestCommitter
    private let logger: Logger
    private let queue = Locked(Queue())
    private let service: BackgroundService
    private let commits = Atomic<Int>(0)
    private let committedEvents = Atomic<Int>(0)
    /// How long each commit took, for `/metrics`.
    public let commitDurations = CommitDurations()
    /// Told `.spend` after each commit that stored new events (the store's change feed).
    private let changes: ChangeFeed

    public init(committer: any IngestCommitter, changes: ChangeFeed, maximumQueuedEvents: Int = 200_000, maximumEventsPerCommit: Int = 20_000,
                logger: Logger) {
        self.committer = committer
        self.changes = changes
        self.maximumQueuedEvents = maximumQueuedEvents
        self.maximumEventsPerCommit = maximumEventsPerCommit
        self.logger = logger
        service = BackgroundService(name: "bursar-ingest-writer")
    }

    /// Starts committing on a thread of its own (batches submitted before wait for it).
    public func start() {
        service.start { [self] in
            commitQueued()
            return 3_600_000
        }
    }

    public var statistics: IngestStatistics {
        IngestStatistics(commits: commits.load(ordering: .relaxed), committedEvents: committedEvents.load(ordering: .relaxed))
    }

    /// Queues a batch; `completion` runs on the writer thread once it is committed, or refused
    /// (`CounterOverflow` when adding it to a stored rollup row would overflow a counter; then
    /// only this batch is refused, not the others of its group commit).
    public func submit(_ batch: IngestBatch, completion: @escaping Completion) throws(IngestRefusal) {
        let count = batch.events.count
        let refusal: IngestRefusal? = queue.withLock { queue in
            if queue.closed { return .closed }
            if queue.queuedEvents + count > maximumQueuedEvents, !queue.jobs.isEmpty { return .overloaded }
            queue.jobs.append(Job(batch: batch, completion: completion))
            queue.queuedEvents += count
            return nil
        }
        if let refusal { throw refusal }
        service.wake()
    }

    /// Commits what is queued, refuses new work, and returns when the writer has stopped.
    public func close() {
        let alreadyClosed = queue.withLock { queue in
            defer { queue.closed = true }
            return queue.closed
        }
        guard !alreadyClosed else { return }
        service.stop()
        commitQueued()  // what was queued while the service stopped
        let statistics = self.statistics
        logger.info("ingest writer stopped after \(statistics.commits) commits of \(statistics.committedEvents) new events")
    }

    /// Commits everything queued, a group of jobs at a time.
    private func commitQueued() {
        while let jobs = takeJobs() {
            commit(jobs)
        }
    }

    private func takeJobs() -> [Job]? {
        queue.withLock { queue in
            guard !queue.jobs.isEmpty else { return nil }
            var taken = 0
            var count = 0
            while taken < queue.jobs.count, count < maximumEventsPerCommit || taken == 0 {
                count += queue.jobs[taken].batch.events.count
                taken += 1
            }
            let jobs = Array(queue.jobs[..<taken])
            queue.jobs.removeFirst(taken)
            queue.queuedEvents -= count
            return jobs
        }
    }

    private func commit(_ jobs: [Job]) {
        let started = DispatchTime.now().uptimeNanoseconds
        let batches = jobs.map(\.batch)
        let results: [Result<IngestOutcome, any Error>]
        do {
            results = try committer.storeTogether(batches).map { .success($0) }
        } catch {
            // One job's failure (an overflowing counter, a constraint) must not refuse the
            // others: store each apart, refusing only those that fail alone; of a batch that
            // would overflow a stored counter, only the events that cannot be stored.
            do {
                results = try zip(batches, committer.storeApart(batches)).map { batch, result in
                    guard case .failure(let overflow as CounterOverflow) = result else { return result }
                    return .success(try storeAllThatFit(batch, refusedWhole: overflow))
                }
            } catch {
                logger.error("ingest commit failed; \(jobs.count) batches refused", metadata: ["error": "\(error)"])
                for job in jobs { job.completion(.failure(error)) }
                return
            }
        }
        for case .failure(let refusal) in results {
            logger.warning("ingest batch refused alone", metadata: ["error": "\(refusal)"])
        }
        for case .success(let outcome) in results where !outcome.refused.isEmpty {
            logger.warning("ingest events refused: a stored counter would overflow", metadata: [
                "events": "\(outcome.refused.count)", "counter": "\(outcome.refused[0].overflow.counter)"])
        }
        commitDurations.record(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        let accepted = results.reduce(0) { $0 + ((try? $1.get().accepted) ?? 0) }
        commits.add(1, ordering: .relaxed)
        committedEvents.add(accepted, ordering: .relaxed)
        if accepted > 0 { changes.tell(.spend) }
        for (job, result) in zip(jobs, results) { job.completion(result) }
    }

    /// Stores every event of `batch` that fits, halving the pieces that would overflow a
    /// stored counter until each event that cannot be stored stands alone. Each round stores
    /// all its pieces in one transaction (a savepoint each), so a batch of n events takes at
    /// most log2(n) + 1 transactions, whatever number of its events overflow.
    private func storeAllThatFit(_ batch: IngestBatch, refusedWhole overflow: CounterOverflow) throws -> IngestOutcome {
        var outcome = IngestOutcome(accepted: 0, duplicates: 0)
        guard batch.events.count > 1 else {
            outcome.refused = [IngestOutcome.Refusal(index: 0, overflow: overflow)]
            return outcome
        }
        var pieces: [Range<Int>] = [0..<batch.events.count]
        while !pieces.isEmpty {
            let halves = pieces.flatMap { piece -> [Range<Int>] in
                let middle = piece.lowerBound + piece.count / 2
                return [piece.lowerBound..<middle, middle..<piece.upperBound]
            }
            // A piece's own sums fit: they are parts of the batch's, which did.
            let batches = try halves.map { try IngestBatch(Array(batch.events[$0])) }
            pieces = []
            for (half, result) in zip(halves, try committer.storeApart(batches)) {
                switch result {
                case .success(let stored):
                    outcome.accepted += stored.accepted
                    outcome.duplicates += stored.duplicates
                case .failure(let overflow as CounterOverflow) where half.count == 1:
                    outcome.refused.append(IngestOutcome.Refusal(index: half.lowerBound, overflow: overflow))
                case .failure(is CounterOverflow):
                    pieces.append(half)
                case .failure(let error):
                    throw error
                }
            }
        }
        outcome.refused.sort { $0.index < $1.index }
        return outcome
    }
}
