/// The jobs only one process may run at once (webhook delivery, raw-event retention) run
/// where the lease is held.
public protocol SingletonLease: Sendable {
    /// Whether this process holds the lease, taking it now if its holder is gone.
    func holdsSingletonLease() -> Bool
    /// Whether this process held the lease when it last asked (a read: never takes it).
    var heldSingletonLease: Bool { get }
}
