import HTTPToolkit
import Synchronization

/// Counters the API keeps for `/metrics` (ingest's are the ingest service's).
public final class APIMetrics: Sendable {
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
