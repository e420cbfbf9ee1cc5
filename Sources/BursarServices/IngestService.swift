import BursarCore
import BursarStorage
import Synchronization

/// Every ingest format's path once its events are decoded: price the valid ones (each
/// rounded once), sum the batch on the caller's thread, queue it for the group commit, and
/// report only once it is durable. Counts what became of every event.
public final class IngestService: Sendable {
    /// What became of a queued batch.
    public enum Stored: Sendable {
        case stored(IngestOutcome)
        /// The commit failed: nothing of it was kept; it may be sent again.
        case failed
    }

    public typealias Rejection = (index: Int, error: FieldError)

    /// A request's events priced: the batch to store, each batch event's index in the
    /// request, and the events rejected before storing.
    public struct Priced: Sendable {
        public var batch = IngestBatch()
        public var requestIndexes: [Int] = []
        public var rejected: [Rejection] = []

        /// Rejections for the events the store refused (their sums would overflow a stored
        /// counter), added to those rejected before, in request order.
        public func rejections(adding refused: [IngestOutcome.Refusal]) -> [Rejection] {
            (rejected + refused.map { (requestIndexes[$0.index], $0.overflow.fieldError) }).sorted { $0.index < $1.index }
        }
    }

    /// Counts since start, for `/metrics`.
    public struct Counts: Sendable {
        public var accepted: Int
        public var duplicates: Int
        public var rejected: Int
        /// Batches not stored: queue full, shutting down, an overflow or a failed commit.
        public var refusedBatches: Int
    }

    public let clock: WallClock
    private let ingest: any EventIngest
    private let prices: PriceBook
    private let accepted = Atomic<Int>(0)
    private let duplicates = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let refusedBatches = Atomic<Int>(0)

    public init(ingest: any EventIngest, prices: PriceBook, clock: WallClock) {
        self.ingest = ingest
        self.prices = prices
        self.clock = clock
    }

    public var counts: Counts {
        Counts(accepted: accepted.load(ordering: .relaxed), duplicates: duplicates.load(ordering: .relaxed),
               rejected: rejected.load(ordering: .relaxed), refusedBatches: refusedBatches.load(ordering: .relaxed))
    }

    /// The valid events priced and summed as one batch, and the others with what is wrong
    /// (an event whose cost or sums would overflow is rejected alone).
    public func price(_ results: [Result<UsageEvent, FieldError>]) -> Priced {
        let costing = prices.current
        var priced = Priced()
        for (index, result) in results.enumerated() {
            do {
                let event = try result.get()
                try priced.batch.append(PricedEvent(event: event, cost: try costing.cost(of: event)))
                priced.requestIndexes.append(index)
            } catch let error as FieldError {
                priced.rejected.append((index, error))
            } catch let overflow as CounterOverflow {
                priced.rejected.append((index, overflow.fieldError))
            } catch {
                priced.rejected.append((index, FieldError(code: "invalid_event", message: "\(error)")))
            }
        }
        rejected.add(priced.rejected.count, ordering: .relaxed)
        return priced
    }

    public func store(_ batch: IngestBatch, completion: @escaping @Sendable (Stored) -> Void) throws(IngestRefusal) {
        do {
            try ingest.submit(batch) { [self] result in
                switch result {
                case .success(let outcome):
                    accepted.add(outcome.accepted, ordering: .relaxed)
                    duplicates.add(outcome.duplicates, ordering: .relaxed)
                    rejected.add(outcome.refused.count, ordering: .relaxed)
                    completion(.stored(outcome))
                case .failure:
                    refusedBatches.add(1, ordering: .relaxed)
                    completion(.failed)
                }
            }
        } catch {
            refusedBatches.add(1, ordering: .relaxed)
            throw error
        }
    }
}
