import Locking
import BursarCore
import BursarStorage
import Foundation
import GRDB
import Logging
import Synchronization

/// The single writer of events: requests queue their batches, one thread commits whatever
/// has queued in one transaction (group commit), then tells each request its outcome.
///
/// An outcome is reported only after the transaction holding the events has committed, so
/// an acknowledged event is never lost. The queue is bounded: past it, `submit` refuses.
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
    private let database: BursarDatabase
    private let logger: Logger
    private let queue = Locked(Queue())
    private let service: BackgroundService
    private let commits = Atomic<Int>(0)
    private let committedEvents = Atomic<Int>(0)
    /// How long each commit took, for `/metrics`.
    public let commitDurations = CommitDurations()
    /// Called after each commit that stored new events (the budget monitor listens).
    private let commitObservers = Locked<[@Sendable () -> Void]>([])

    public init(database: BursarDatabase, maximumQueuedEvents: Int = 200_000, maximumEventsPerCommit: Int = 20_000,
                logger: Logger = Logger(label: "bursar.ingest")) {
        self.database = database
        self.maximumQueuedEvents = maximumQueuedEvents
        self.maximumEventsPerCommit = maximumEventsPerCommit
        self.logger = logger
        service = BackgroundService(name: "bursar-ingest-writer")
        service.start { [self] in
            commitQueued()
            return 60_000
        }
    }

    /// Calls `observer` on the writer's thread after each commit that stored new events.
    public func observeCommits(_ observer: @escaping @Sendable () -> Void) {
        commitObservers.withLock { $0.append(observer) }
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
        let results: [Result<IngestOutcome, any Error>]
        do {
            results = try database.withWriter { db in try storeTogether(jobs, db) }.map { .success($0) }
        } catch {
            // One job's failure (an overflowing counter, a constraint) must not refuse the
            // others: store each in its own savepoint, refusing only those that fail alone.
            do {
                results = try database.withWriter { db in try storeApart(jobs, db) }
            } catch {
                logger.error("ingest commit failed; \(jobs.count) batches refused", metadata: ["error": "\(error)"])
                for job in jobs { job.completion(.failure(error)) }
                return
            }
        }
        commitDurations.record(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        let accepted = results.reduce(0) { $0 + ((try? $1.get().accepted) ?? 0) }
        commits.add(1, ordering: .relaxed)
        committedEvents.add(accepted, ordering: .relaxed)
        if accepted > 0 { for observer in commitObservers.withLock({ $0 }) { observer() } }
        for (job, result) in zip(jobs, results) { job.completion(result) }
    }

    /// Inserts every job's events and their rollups in one transaction: each touched rollup
    /// row is written once. Any failure throws, and the caller stores the jobs apart.
    private func storeTogether(_ jobs: [Job], _ db: Database) throws -> [IngestOutcome] {
        var outcomes: [IngestOutcome] = []
        outcomes.reserveCapacity(jobs.count)
        try db.inTransaction(.immediate) {
            outcomes.removeAll(keepingCapacity: true)
            let events = try EventTable(db)
            var rollups = RollupAccumulator()
            let now = database.clock()
            for job in jobs {
                let (outcome, jobRollups) = try insert(job, events, receivedAt: now)
                try rollups.merge(jobRollups)
                outcomes.append(outcome)
            }
            try rollups.write(db)
            return .commit
        }
        return outcomes
    }

    /// Stores each job in its own savepoint of one transaction; a job that fails is rolled
    /// back alone and answered with its error.
    private func storeApart(_ jobs: [Job], _ db: Database) throws -> [Result<IngestOutcome, any Error>] {
        var results: [Result<IngestOutcome, any Error>] = []
        try db.inTransaction(.immediate) {
            results.removeAll()
            let events = try EventTable(db)
            let now = database.clock()
            for job in jobs {
                do {
                    var outcome = IngestOutcome(accepted: 0, duplicates: 0)
                    try db.inSavepoint {
                        let inserted = try insert(job, events, receivedAt: now)
                        try inserted.rollups.write(db)
                        outcome = inserted.outcome
                        return .commit
                    }
                    results.append(.success(outcome))
                } catch {
                    let refusal: any Error = RollupSums.overflow(in: error) ?? error
                    logger.warning("ingest batch refused alone", metadata: ["error": "\(refusal)", "events": "\(job.batch.events.count)"])
                    results.append(.failure(refusal))
                }
            }
            return .commit
        }
        return results
    }

    /// Inserts a job's events; returns its outcome and the rollups of the events that were new.
    private func insert(_ job: Job, _ events: EventTable, receivedAt now: Int64) throws -> (outcome: IngestOutcome, rollups: RollupAccumulator) {
        var outcome = IngestOutcome(accepted: 0, duplicates: 0)
        var inserted: [Bool] = []
        inserted.reserveCapacity(job.batch.events.count)
        for priced in job.batch.events {
            let new = try events.insert(priced, receivedAt: now)
            inserted.append(new)
            if new { outcome.accepted += 1 } else { outcome.duplicates += 1 }
        }
        if outcome.duplicates == 0 { return (outcome, job.batch.rollups) }
        return (outcome, try RollupAccumulator(zip(job.batch.events, inserted).lazy.filter(\.1).map(\.0)))
    }
}
