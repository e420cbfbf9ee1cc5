import BursarCore
import Foundation
import GRDB
import Logging
import Synchronization

/// The single writer of events: requests queue their batches, one thread commits whatever
/// has queued in one transaction (group commit), then tells each request its outcome.
///
/// An outcome is reported only after the transaction holding the events has committed, so
/// an acknowledged event is never lost. The queue is bounded: past it, `submit` refuses.
public final class IngestWriter: Sendable {
    /// What happened to one submitted batch.
    public struct Outcome: Sendable, Equatable {
        public var accepted: Int
        public var duplicates: Int

        public init(accepted: Int, duplicates: Int) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    public enum SubmitError: Error, Sendable {
        /// The queue is full; try again shortly.
        case overloaded
        /// The writer is shutting down.
        case closed
    }

    public typealias Completion = @Sendable (Result<Outcome, any Error>) -> Void

    struct Job {
        var events: [PricedEvent]
        /// The rollups of all of `events`, computed by the submitting thread.
        var rollups: RollupAccumulator
        var completion: Completion
    }

    struct Queue {
        var jobs: [Job] = []
        var queuedEvents = 0
        var closed = false
    }

    /// Counters for metrics and benchmarks.
    public struct Statistics: Sendable {
        public var commits: Int
        public var committedEvents: Int
    }

    public let maximumQueuedEvents: Int
    public let maximumEventsPerCommit: Int
    private let database: BursarDatabase
    private let logger: Logger
    private let queue = Locked(Queue())
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let commits = Atomic<Int>(0)
    private let committedEvents = Atomic<Int>(0)
    /// How long each commit took, for `/metrics`.
    public let commitDurations = CommitDurations()
    /// Called after each commit that stored new events (budgets and bundles listen).
    private let onCommit: (@Sendable () -> Void)?

    public init(database: BursarDatabase, maximumQueuedEvents: Int = 200_000, maximumEventsPerCommit: Int = 20_000,
                logger: Logger = Logger(label: "bursar.ingest"), onCommit: (@Sendable () -> Void)? = nil) {
        self.database = database
        self.maximumQueuedEvents = maximumQueuedEvents
        self.maximumEventsPerCommit = maximumEventsPerCommit
        self.logger = logger
        self.onCommit = onCommit
        let thread = Thread { [self] in run() }
        thread.name = "bursar-ingest-writer"
        thread.start()
    }

    public var statistics: Statistics {
        Statistics(commits: commits.load(ordering: .relaxed), committedEvents: committedEvents.load(ordering: .relaxed))
    }

    /// Queues a batch; `completion` runs on the writer thread once it is committed (or failed).
    ///
    /// The batch's rollups are summed here, on the caller's thread, to keep the writer's
    /// share of the work small.
    public func submit(_ events: [PricedEvent], completion: @escaping Completion) throws(SubmitError) {
        let rollups = RollupAccumulator(events)
        let refusal: SubmitError? = queue.withLock { queue in
            if queue.closed { return .closed }
            if queue.queuedEvents + events.count > maximumQueuedEvents, !queue.jobs.isEmpty { return .overloaded }
            queue.jobs.append(Job(events: events, rollups: rollups, completion: completion))
            queue.queuedEvents += events.count
            return nil
        }
        if let refusal { throw refusal }
        wakeup.signal()
    }

    /// Commits what is queued, refuses new work, and returns when the writer has stopped.
    public func close() {
        let alreadyClosed = queue.withLock { queue in
            defer { queue.closed = true }
            return queue.closed
        }
        guard !alreadyClosed else { return }
        wakeup.signal()
        stopped.wait()
        let statistics = self.statistics
        logger.info("ingest writer stopped after \(statistics.commits) commits of \(statistics.committedEvents) new events")
    }

    private func run() {
        while true {
            wakeup.wait()
            while let jobs = takeJobs() {
                commit(jobs)
            }
            if queue.withLock({ $0.closed && $0.jobs.isEmpty }) {
                stopped.signal()
                return
            }
        }
    }

    private func takeJobs() -> [Job]? {
        queue.withLock { queue in
            guard !queue.jobs.isEmpty else { return nil }
            var taken = 0
            var count = 0
            while taken < queue.jobs.count, count < maximumEventsPerCommit || taken == 0 {
                count += queue.jobs[taken].events.count
                taken += 1
            }
            let jobs = Array(queue.jobs[..<taken])
            queue.jobs.removeFirst(taken)
            queue.queuedEvents -= count
            return jobs
        }
    }

    private func commit(_ jobs: [Job]) {
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            let outcomes = try database.withWriter { db in try store(jobs, db) }
            commitDurations.record(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            let accepted = outcomes.reduce(0) { $0 + $1.accepted }
            commits.add(1, ordering: .relaxed)
            committedEvents.add(accepted, ordering: .relaxed)
            for (job, outcome) in zip(jobs, outcomes) { job.completion(.success(outcome)) }
            if accepted > 0 { onCommit?() }
        } catch {
            logger.error("ingest commit failed; \(jobs.count) batches refused", metadata: ["error": "\(error)"])
            for job in jobs { job.completion(.failure(error)) }
        }
    }

    /// Inserts every job's events and their rollups in one transaction.
    private func store(_ jobs: [Job], _ db: Database) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(jobs.count)
        try db.inTransaction(.immediate) {
            outcomes.removeAll(keepingCapacity: true)
            let events = try EventTable(db)
            var rollups = RollupAccumulator()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for job in jobs {
                var outcome = Outcome(accepted: 0, duplicates: 0)
                var inserted: [Bool] = []
                inserted.reserveCapacity(job.events.count)
                for priced in job.events {
                    let new = try events.insert(priced, receivedAt: now)
                    inserted.append(new)
                    if new { outcome.accepted += 1 } else { outcome.duplicates += 1 }
                }
                if outcome.duplicates == 0 {
                    rollups.merge(job.rollups)
                } else {
                    rollups.merge(RollupAccumulator(zip(job.events, inserted).lazy.filter(\.1).map(\.0)))
                }
                outcomes.append(outcome)
            }
            try rollups.write(db)
            return .commit
        }
        return outcomes
    }
}
