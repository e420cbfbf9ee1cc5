import Locking

/// Every committed change to a store, told to its observers once committed: this process's
/// ingest commits (`IngestWriter`) and admin writes (the backend's stores), and, on
/// PostgreSQL, what other replicas announce. The one door through which a change reaches
/// the services: one subscriber (`Application`) reacts.
public final class ChangeFeed: Sendable {
    private let observers = Locked<[@Sendable (StoreChange) -> Void]>([])

    public init() {}

    /// Calls `observer` after each change, on the thread that committed it (or heard of it),
    /// at least once per change, possibly more.
    public func observe(_ observer: @escaping @Sendable (StoreChange) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Tells every observer of `change` (once it is committed).
    public func tell(_ change: StoreChange) {
        for observer in observers.withLock({ $0 }) { observer(change) }
    }
}
