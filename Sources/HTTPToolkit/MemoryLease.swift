import Synchronization

/// What one request holds of a `MemoryBudget` for what its body becomes (inflated bytes, a
/// decoded document), given back all at once when the request ends.
public final class MemoryLease: Sendable {
    private let budget: MemoryBudget
    private let held = Atomic<Int>(0)

    public init(budget: MemoryBudget) {
        self.budget = budget
    }

    /// Bytes this request holds now.
    public var bytes: Int { held.load(ordering: .relaxed) }

    /// Holds `bytes` more for this request; 503 when the budget shared by every request cannot.
    public func take(_ bytes: Int, for what: String) throws(HTTPError) {
        guard budget.reserve(bytes) else {
            throw HTTPError.unavailable("too many requests are being decoded at once (\(what)); retry this request shortly")
        }
        held.add(bytes, ordering: .relaxed)
    }

    /// Gives back everything this request holds.
    public func returnAll() {
        budget.release(held.exchange(0, ordering: .relaxed))
    }
}
