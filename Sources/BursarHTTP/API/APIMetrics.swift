import HTTPToolkit
import Synchronization

/// Counters the API keeps for `/metrics`.
public final class APIMetrics: Sendable {
    /// Events answered as new, as already stored, and refused as invalid.
    let acceptedEvents = Atomic<Int>(0)
    let duplicateEvents = Atomic<Int>(0)
    let rejectedEvents = Atomic<Int>(0)
    /// Batches answered 503 (queue full, shutting down, or the commit failed).
    let refusedBatches = Atomic<Int>(0)
    /// Bundle answers by status.
    let bundleFull = Atomic<Int>(0)
    let bundleNotModified = Atomic<Int>(0)
    /// Bundle requests that asked to wait for a change (`Prefer: wait`).
    let bundleLongPolls = Atomic<Int>(0)

    public init() {}

    static func add(_ counter: borrowing Atomic<Int>, _ amount: Int = 1) {
        counter.add(amount, ordering: .relaxed)
    }
}
